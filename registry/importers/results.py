"""Importing results that exist only on paper (protocols): XLSX or CSV, all or nothing.

Columns (header row, any order, case-insensitive; a title line above it is skipped):
«Компетенция», «Категория», «Фамилия», «Имя», «Отчество» (optional), «Дата рождения»
(optional), «Команда» (optional), «Баллы» (optional; decimal comma or point), «Место»
(optional), «Награда» (optional: золото / серебро / бронза / медальон / победитель / призёр,
``cells.AWARD_WORDS``), «Вне конкурса» (optional: да / нет). Each row needs points or a place.

An entry out of competition (set on its registration) gets its points and never a place or
an award: its row must give points and no place or award, and places computed from the points
rank only the others. When the file says «Вне конкурса», it must agree with the entry (the
flag is changed on the entry's page, never silently by a file).

Rows are matched to the competition's entries: a person by name (and patronymic and birth
date when given) within the competency and category; a team by its name in one row, or by one
row per member that agree. A row that matches no entry or several is a problem with its row
and column; nothing is written unless every row is valid. Places missing in a category are
computed from the points; an award stated in the file is kept as the official one, otherwise
the standings apply the rules (``services.medals``). The plan says, for every entry, what it
had before, and which results of the file's categories the import removes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload, selectinload

from .. import kinds
from ..extensions import db
from ..i18n import gettext as _
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
from ..services import medals, reference
from ..services.audit import record
from ..services.competitions import MAX_POINTS
from . import cells
from .base import Column, ImportRefused, Plan, Problem, Row, Spec, read_plan

SPEC = Spec(
    Column("competency", "Компетенция", True),
    Column("category", "Категория"),
    Column("last_name", "Фамилия", True, ("surname",), cells.name_cell),
    Column("first_name", "Имя", True, ("given name",), cells.name_cell),
    Column("middle_name", "Отчество", False, ("patronymic",), cells.name_cell),
    Column("birth_date", "Дата рождения", False, ("birth date", "date of birth"),
           cells.date_cell),
    Column("team", "Команда"),
    Column("points", "Баллы", False, ("балл", "итого баллов", "сумма баллов"),
           cells.points_cell),
    Column("place", "Место", False, (), cells.place_cell),
    Column("award", "Награда", False, ("медаль",)),
    Column("out_of_competition", "Вне конкурса", False,
           ("Вне зачёта", "Вне зачета", "out of competition"), cells.yes_no_cell),
    either=(("points", "place"),),
)


@dataclass
class PlannedResult:
    entry: Entry
    rows: list[int]
    points: Decimal | None
    place: int | None
    award: str | None
    before: ProtocolResult | None = None        # what the entry had; replaced by the import

    @property
    def changed(self) -> bool:
        before = self.before
        return before is None or (before.points, before.place, before.award) != (
            self.points, self.place, self.award)


@dataclass
class ResultRow(Row):
    result: PlannedResult | None = None


@dataclass
class ImportPlan(Plan):
    competition: Competition | None = None
    results: list[PlannedResult] = field(default_factory=list)
    removed: list[ProtocolResult] = field(default_factory=list)  # results of entries not in
    #                                                              the file, in its categories

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.results)

    @property
    def errors(self) -> list[str]:
        return [str(p) for p in self.problems]

    def row(self, number: int) -> ResultRow:
        return next(r for r in self.rows if r.number == number)


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


class _OfferedLookup:
    """The offered categories of a competency named by its name, code or alias
    (``services.reference.competency_index``)."""

    def __init__(self, index, by_competency: dict[int, list[OfferedCategory]]):
        self.index, self.by_competency = index, by_competency

    def get(self, text: str | None, default=None):
        competency = self.index.get(text)
        found = self.by_competency.get(competency.id) if competency is not None else None
        return found if found is not None else default


def _offered(competition: Competition) -> _OfferedLookup:
    """Offered categories by competency (found by name, code or alias)."""
    found: dict[int, list[OfferedCategory]] = {}
    for offered in db.session.scalars(
            select(OfferedCategory)
            .join(OfferedCompetency,
                  OfferedCompetency.id == OfferedCategory.offered_competency_id)
            .where(OfferedCompetency.competition_id == competition.id)
            .options(joinedload(OfferedCategory.category),
                     joinedload(OfferedCategory.offered_competency)
                     .joinedload(OfferedCompetency.competency))):
        found.setdefault(offered.offered_competency.competency_id, []).append(offered)
    return _OfferedLookup(reference.competency_index(), found)


def build_plan(competition: Competition, data: bytes, *, filename: str | None = None,
               on_row=None) -> ImportPlan:
    """Read and validate; writes nothing. ``on_row()`` (a progress bar's) is called after each
    row is checked."""
    plan = ImportPlan(competition=competition, filename=filename)
    if not read_plan(plan, data, SPEC, row_type=ResultRow):
        return plan
    offered_by_name = _offered(competition)
    entries = _load_entries(competition)
    allowed_awards = kinds.rules(competition.kind.slug).awards
    matched: dict[int, PlannedResult] = {}
    for row in plan.rows:
        if row.ok:
            _plan_row(plan, row, offered_by_name, entries, allowed_awards, matched)
        if on_row is not None:
            on_row()
    if not matched and not plan.problems:
        plan.problem(_("The file has no result rows."))
    plan.results = sorted(matched.values(), key=lambda r: r.rows[0])
    if not plan.problems:
        _compute_places(plan)
        _before(plan)
    return plan


def _plan_row(plan: ImportPlan, row: ResultRow, offered_by_name, entries, allowed_awards,
              matched) -> None:
    competency_text = row.value("competency")
    if not competency_text:
        row.problem("competency", _("the competency is missing."))
        return
    candidates = offered_by_name.get(competency_text, [])
    if not candidates:
        row.problem("competency", _("«%(name)s» is not a competency of this competition.",
                                    name=competency_text))
        return
    category_text = row.value("category")
    if category_text:
        candidates = [oc for oc in candidates if name_key(oc.category.name) ==
                      name_key(category_text)]
        if not candidates:
            row.problem("category", _("«%(competency)s» is not offered in the category "
                                      "«%(category)s».", competency=competency_text,
                                      category=category_text))
            return
    elif len(candidates) > 1:
        row.problem("category", _("the category is missing (the competency is offered in "
                                  "several)."))
        return
    offered = candidates[0]
    points = row.cell("points")
    if row.problems:
        return
    if points is not None and not Decimal(0) <= points <= MAX_POINTS:
        row.problem("points", _("points must be from 0 to 100."))
        return
    place = row.cell("place")
    if row.problems:
        return
    if points is None and place is None:
        row.problem(None, _("give the points or the place."))
        return
    award = None
    if row.value("award"):
        try:
            award = cells.award_cell(row.raw.get("award"))
        except KeyError:
            award = None
        if award is None or award not in allowed_awards:
            row.problem("award", _("«%(value)s» is not an award of %(kind)s.",
                                   value=row.value("award"),
                                   kind=plan.competition.kind.short_name))
            return
    entry = _match_entry(row, entries.get(offered.id, []))
    if entry is None:
        return
    if entry.status != "registered":
        row.problem(None, _("the entry is withdrawn or disqualified."))
        return
    if not _out_of_competition_agrees(row, entry, points, place, award):
        return
    existing = matched.get(entry.id)
    if existing is None:
        row.result = matched[entry.id] = PlannedResult(entry, [row.number], points, place, award)
        return
    if not entry.is_team:
        row.problem("last_name", _("the participant already appears in row %(row)d.",
                                   row=existing.rows[0]))
        return
    if (existing.points, existing.place, existing.award) != (points, place, award):
        row.problem("team", _("the team «%(team)s» has a different result in row %(row)d.",
                              team=entry.team_name, row=existing.rows[0]))
        return
    existing.rows.append(row.number)
    row.result = existing


def _out_of_competition_agrees(row: ResultRow, entry: Entry, points, place, award) -> bool:
    """The row's «Вне конкурса» is the entry's, and an entry out of competition has points
    and neither a place nor an award."""
    stated = row.cell("out_of_competition")
    if row.problems:
        return False
    out = bool(entry.out_of_competition)
    if stated is not None and stated != out:
        row.problem("out_of_competition", _(
            "this entry is already registered out of competition; change it on the entry's "
            "page.") if out else _(
            "this entry is already registered in competition; change it on the entry's page."))
        return False
    if out and (place is not None or award is not None or points is None):
        row.problem("place" if place is not None else "award" if award is not None
                    else "points", _(
                        "the entry is out of competition: give its points, and no place or "
                        "award."))
        return False
    return True


def _match_entry(row: ResultRow, entries: list[Entry]) -> Entry | None:
    names = {key: row.cell(key, required=False)
             for key in ("last_name", "first_name", "middle_name")}
    birth = row.cell("birth_date")
    if row.problems:
        return None
    last, first = name_key(names["last_name"]), name_key(names["first_name"])
    middle = name_key(names["middle_name"])
    team = name_key(row.value("team"))
    if not last and not first and not team:
        row.problem("last_name", _("give the participant's name or the team."))
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
    who = " ".join(p for p in names.values() if p) or row.value("team")
    if not found:
        row.problem("last_name", _("no entry of this competency and category matches "
                                   "«%(who)s».", who=who))
        return None
    if len(found) > 1:
        row.problem("last_name", _("«%(who)s» matches %(n)d entries; add the patronymic or "
                                   "the birth date.", who=who, n=len(found)))
        return None
    return found[0]


def _compute_places(plan: ImportPlan) -> None:
    """In a category where some row has no place, the places come from the points, among the
    entries in competition (one out of competition keeps no place)."""
    by_category: dict[int, list[PlannedResult]] = {}
    for result in plan.results:
        if not result.entry.out_of_competition:
            by_category.setdefault(result.entry.offered_category_id, []).append(result)
    for results in by_category.values():
        if all(r.place is not None for r in results):
            continue
        lacking = [r for r in results if r.points is None]
        for r in lacking:
            plan.row(r.rows[0]).problem("points", _(
                "no points to compute the place from (other rows of the category have no "
                "place)."))
        if lacking:
            continue
        ranks = {s.entry_id: s.rank for s in medals.rank((r.entry.id, r.points)
                                                         for r in results)}
        for r in results:
            if r.place is None:
                r.place = ranks[r.entry.id]


def _old_results(categories: set[int]) -> dict[int, ProtocolResult]:
    return {p.entry_id: p for p in db.session.scalars(
        select(ProtocolResult).join(Entry).where(Entry.offered_category_id.in_(categories))
        .options(joinedload(ProtocolResult.entry)))}


def _before(plan: ImportPlan) -> None:
    """What the import replaces: the entries' results so far, and those it removes."""
    old = _old_results({r.entry.offered_category_id for r in plan.results})
    for result in plan.results:
        result.before = old.pop(result.entry.id, None)
    plan.removed = sorted(old.values(), key=lambda p: p.entry_id)


def apply(plan: ImportPlan, *, actor=None) -> int:
    """Write the plan (it flushes and audits; the caller commits): the results of the
    categories in the file replace those imported before for them. ``ImportRefused`` when the
    plan has problems or the database refuses it."""
    if not plan.ok:
        raise ImportRefused(plan.problems or [Problem(None, None, _(
            "The file has errors; nothing was imported."))])
    categories = {r.entry.offered_category_id for r in plan.results}
    old = _old_results(categories)
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
        raise ImportRefused([Problem(None, None, _(
            "The database refused the import (someone may have changed the same records at the "
            "same time); nothing was saved. Upload the file again."))]) from error
    return len(plan.results)
