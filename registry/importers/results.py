"""Importing results that exist only on paper (protocols): XLSX or CSV, all or nothing.

Columns (header row, any order, case-insensitive): «Компетенция», «Категория», «Фамилия»,
«Имя», «Отчество» (optional), «Дата рождения» (optional), «Команда» (optional), «Баллы»
(optional; decimal comma or point), «Место» (optional), «Награда» (optional: золото / серебро /
бронза / медальон / победитель / призёр). Each row needs points or a place.

Rows are matched to the competition's entries: a person by name (and patronymic and birth
date when given) within the competency and category; a team by its name in one row, or by one
row per member that agree. A row that matches no entry or several is an error with its row
number; nothing is written unless every row is valid. Places missing in a category are
computed from the points; an award stated in the file is kept as the official one, otherwise
the standings apply the rules (``services.medals``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload, selectinload

from .. import kinds
from ..extensions import db
from ..models import (
    Competition,
    Entry,
    EntryMember,
    OfferedCategory,
    OfferedCompetency,
    ProtocolResult,
    name_key,
    utcnow,
)
from ..services import ServiceError, medals
from ..services.audit import record
from ..services.marking import parse_decimal
from .spreadsheet import SpreadsheetError, read_table

COLUMNS = {
    "competency": ("компетенция", "competency"),
    "category": ("категория", "category"),
    "last_name": ("фамилия", "surname", "last name"),
    "first_name": ("имя", "given name", "first name"),
    "middle_name": ("отчество", "patronymic", "middle name"),
    "birth_date": ("дата рождения", "birth date"),
    "team": ("команда", "team"),
    "points": ("баллы", "балл", "points", "итого баллов", "сумма баллов"),
    "place": ("место", "place"),
    "award": ("награда", "award", "медаль"),
}
REQUIRED = ("competency", "last_name", "first_name")
MAX_POINTS = Decimal(100)

AWARD_WORDS = {
    "золото": "gold", "золотая медаль": "gold", "gold": "gold",
    "серебро": "silver", "серебряная медаль": "silver", "silver": "silver",
    "бронза": "bronze", "бронзовая медаль": "bronze", "bronze": "bronze",
    "медальон": "medallion", "медальон за профессионализм": "medallion",
    "medallion": "medallion",
    "победитель": "winner", "winner": "winner",
    "призер": "prize_winner", "призёр": "prize_winner", "prize-winner": "prize_winner",
    "prize_winner": "prize_winner",
}


@dataclass
class PlannedResult:
    entry: Entry
    rows: list[int]
    points: Decimal | None
    place: int | None
    award: str | None


@dataclass
class ImportPlan:
    competition: Competition
    errors: list[str] = field(default_factory=list)
    results: list[PlannedResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.results)

    def error(self, row: int | None, message: str) -> None:
        if row is None:
            self.errors.append(message)
        else:
            self.errors.append(_("row %(n)d: %(error)s", n=row, error=message))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return " ".join(str(value).split())


def _birth_date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _load_entries(competition: Competition) -> dict[int, list[Entry]]:
    """Entries of the competition by offered category, with members and persons."""
    by_category: dict[int, list[Entry]] = {}
    for entry in db.session.scalars(
            select(Entry)
            .join(OfferedCategory, OfferedCategory.id == Entry.offered_category_id)
            .join(OfferedCompetency,
                  OfferedCompetency.id == OfferedCategory.offered_competency_id)
            .where(OfferedCompetency.competition_id == competition.id)
            .options(selectinload(Entry.members).joinedload(EntryMember.person),
                     joinedload(Entry.offered_category).joinedload(OfferedCategory.category),
                     joinedload(Entry.offered_category)
                     .joinedload(OfferedCategory.offered_competency)
                     .joinedload(OfferedCompetency.competency))):
        by_category.setdefault(entry.offered_category_id, []).append(entry)
    return by_category


def _offered(competition: Competition) -> dict[str, list[OfferedCategory]]:
    """Offered categories by competency name key (and code key)."""
    found: dict[str, list[OfferedCategory]] = {}
    for offered in db.session.scalars(
            select(OfferedCategory)
            .join(OfferedCompetency,
                  OfferedCompetency.id == OfferedCategory.offered_competency_id)
            .where(OfferedCompetency.competition_id == competition.id)
            .options(joinedload(OfferedCategory.category),
                     joinedload(OfferedCategory.offered_competency)
                     .joinedload(OfferedCompetency.competency))):
        competency = offered.offered_competency.competency
        for key in {name_key(competency.name), name_key(competency.code or ""),
                    name_key(str(competency))} - {""}:
            found.setdefault(key, []).append(offered)
    return found


def build_plan(competition: Competition, data: bytes) -> ImportPlan:
    plan = ImportPlan(competition)
    max_rows = current_app.config.get("IMPORT_MAX_ROWS", 20000) if has_app_context() else 20000
    try:
        table = read_table(data, max_rows=max_rows)
    except SpreadsheetError as error:
        plan.error(None, error.message)
        return plan
    if not table.rows:
        plan.error(None, _("The file is empty."))
        return plan
    _number, header = table.rows[0]
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = name_key(_text(cell)).rstrip(":")
        for name, words in COLUMNS.items():
            if key in words and name not in columns:
                columns[name] = index
    missing = [COLUMNS[name][0].capitalize() for name in REQUIRED if name not in columns]
    if "points" not in columns and "place" not in columns:
        missing.append(_("«Баллы» or «Место»"))
    if missing:
        plan.error(None, _("Columns missing: %(columns)s.", columns=", ".join(missing)))
        return plan
    offered_by_name = _offered(competition)
    entries = _load_entries(competition)
    allowed_awards = kinds.rules(competition.kind.slug).awards
    matched: dict[int, PlannedResult] = {}
    for number, cells in table.rows[1:]:
        def get(name, cells=cells):
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else None
        _plan_row(plan, number, get, offered_by_name, entries, allowed_awards, matched)
    if not matched and not plan.errors:
        plan.error(None, _("The file has no result rows."))
    plan.results = sorted(matched.values(), key=lambda r: r.rows[0])
    if not plan.errors:
        _compute_places(plan)
    return plan


def _plan_row(plan, number, get, offered_by_name, entries, allowed_awards, matched) -> None:
    competency_text = _text(get("competency"))
    candidates = offered_by_name.get(name_key(competency_text), [])
    if not competency_text:
        plan.error(number, _("the competency is missing."))
        return
    if not candidates:
        plan.error(number, _("«%(name)s» is not a competency of this competition.",
                             name=competency_text))
        return
    category_text = _text(get("category"))
    if category_text:
        candidates = [oc for oc in candidates if name_key(oc.category.name) ==
                      name_key(category_text)]
        if not candidates:
            plan.error(number, _("«%(competency)s» is not offered in the category "
                                 "«%(category)s».", competency=competency_text,
                                 category=category_text))
            return
    elif len(candidates) > 1:
        plan.error(number, _("the category is missing (the competency is offered in several)."))
        return
    offered = candidates[0]
    try:
        points = parse_decimal(get("points"))
    except ValueError:
        plan.error(number, _("«%(value)s» is not a number of points.", value=_text(get("points"))))
        return
    if points is not None and not Decimal(0) <= points <= MAX_POINTS:
        plan.error(number, _("points must be from 0 to 100."))
        return
    place_raw = get("place")
    place = None
    if _text(place_raw):
        try:
            place_value = parse_decimal(place_raw)
        except ValueError:
            place_value = None
        if place_value is None or place_value != place_value.to_integral() or place_value < 1:
            plan.error(number, _("«%(value)s» is not a place (a whole number from 1).",
                                 value=_text(place_raw)))
            return
        place = int(place_value)
    if points is None and place is None:
        plan.error(number, _("give the points or the place."))
        return
    award = None
    award_text = _text(get("award"))
    if award_text:
        award = AWARD_WORDS.get(name_key(award_text))
        if award is None or award not in allowed_awards:
            plan.error(number, _("«%(value)s» is not an award of %(kind)s.", value=award_text,
                                 kind=plan.competition.kind.short_name))
            return
    entry = _match_entry(plan, number, get, entries.get(offered.id, []))
    if entry is None:
        return
    if entry.status != "registered":
        plan.error(number, _("the entry is withdrawn or disqualified."))
        return
    existing = matched.get(entry.id)
    if existing is None:
        matched[entry.id] = PlannedResult(entry, [number], points, place, award)
        return
    if not entry.is_team:
        plan.error(number, _("the participant already appears in row %(row)d.",
                             row=existing.rows[0]))
        return
    if (existing.points, existing.place, existing.award) != (points, place, award):
        plan.error(number, _("the team «%(team)s» has a different result in row %(row)d.",
                             team=entry.team_name, row=existing.rows[0]))
        return
    existing.rows.append(number)


def _match_entry(plan, number, get, entries: list[Entry]) -> Entry | None:
    last, first = name_key(_text(get("last_name"))), name_key(_text(get("first_name")))
    middle = name_key(_text(get("middle_name")))
    team = name_key(_text(get("team")))
    try:
        birth = _birth_date(get("birth_date"))
    except ValueError:
        plan.error(number, _("«%(value)s» is not a date.", value=_text(get("birth_date"))))
        return None
    if not last and not first and not team:
        plan.error(number, _("give the participant's name or the team."))
        return None
    found = []
    for entry in entries:
        if team and name_key(entry.team_name or "") != team:
            continue
        if last or first:
            people = [m.person for m in entry.members if
                      name_key(m.person.last_name) == last and
                      name_key(m.person.first_name) == first and
                      (not middle or name_key(m.person.middle_name) == middle) and
                      (birth is None or m.person.birth_date == birth)]
            if not people:
                continue
        found.append(entry)
    who = " ".join(p for p in (_text(get("last_name")), _text(get("first_name")),
                               _text(get("middle_name"))) if p) or _text(get("team"))
    if not found:
        plan.error(number, _("no entry of this competency and category matches «%(who)s».",
                             who=who))
        return None
    if len(found) > 1:
        plan.error(number, _("«%(who)s» matches %(n)d entries; add the patronymic or the birth "
                             "date.", who=who, n=len(found)))
        return None
    return found[0]


def _compute_places(plan: ImportPlan) -> None:
    """In a category where some row has no place, the places come from the points."""
    by_category: dict[int, list[PlannedResult]] = {}
    for result in plan.results:
        by_category.setdefault(result.entry.offered_category_id, []).append(result)
    for results in by_category.values():
        if all(r.place is not None for r in results):
            continue
        lacking = [r for r in results if r.points is None]
        for r in lacking:
            plan.error(r.rows[0], _("no points to compute the place from (other rows of the "
                                    "category have no place)."))
        if lacking:
            continue
        ranks = {s.entry_id: s.rank for s in medals.rank((r.entry.id, r.points)
                                                         for r in results)}
        for r in results:
            if r.place is None:
                r.place = ranks[r.entry.id]


def apply(plan: ImportPlan, *, actor=None) -> int:
    """Write the plan in one transaction: the results of the categories in the file replace
    those imported before for them."""
    if not plan.ok:
        raise ServiceError(_("The file has errors; nothing was imported."))
    categories = {r.entry.offered_category_id for r in plan.results}
    old = {p.entry_id: p for p in db.session.scalars(
        select(ProtocolResult).join(Entry).where(Entry.offered_category_id.in_(categories)))}
    changes = []
    for result in plan.results:
        before = old.get(result.entry.id)
        changes.append({
            "entry": result.entry.id,
            "old": [str(before.points) if before and before.points is not None else None,
                    before.place if before else None, before.award if before else None],
            "new": [str(result.points) if result.points is not None else None, result.place,
                    result.award],
        })
    try:
        db.session.execute(delete(ProtocolResult).where(ProtocolResult.entry_id.in_(
            select(Entry.id).where(Entry.offered_category_id.in_(categories)))))
        now = utcnow()
        for result in plan.results:
            db.session.add(ProtocolResult(entry_id=result.entry.id, points=result.points,
                                          place=result.place, award=result.award,
                                          imported_at=now,
                                          imported_by_id=getattr(actor, "id", None)))
        db.session.flush()
        record("results.import", plan.competition, user=actor,
               competition_id=plan.competition.id, results=len(plan.results), changes=changes)
        db.session.flush()
    except SQLAlchemyError as error:
        # e.g. another import of the same categories committed first (a unique key)
        raise ServiceError(_(
            "The database refused the import (someone may have changed the same records at the "
            "same time); nothing was saved. Upload the file again.")) from error
    return len(plan.results)
