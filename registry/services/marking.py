"""Marking: expert assignments, marking schemes, score sheets and their sign-off.

Rules, one place each:
- an expert sees and changes only the competencies they are assigned to (``assignment_of``);
- one chief expert per competency; the chief confirms sheets and unlocks them with a reason;
- a marking scheme is frozen once the first score sheet of its competency exists;
- measurement marks are 0..max in steps of 0.01; judgement marks are the mean of the judges'
  0–3 scores scaled to the aspect's maximum;
- every save is a new version with its author; a sheet is saved on the version it was based on
  or refused with a conflict (optimistic locking, checked again by the database);
- a confirmation is by someone other than the authors of the marks it confirms; confirmed
  sheets are locked;
- an expert does not mark entries from their own organisation (or region, when the
  assignment names one): conflicts are loaded once per sheet and answered in memory.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..models import (
    ASPECT_KINDS,
    Aspect,
    Competition,
    Criterion,
    Entry,
    EntryMember,
    ExpertAssignment,
    Mark,
    OfferedCategory,
    OfferedCompetency,
    Organisation,
    Region,
    ScoreSheet,
    ScoreSheetVersion,
    User,
    utcnow,
)
from ..security import ADMIN, EXPERT, ORGANISER
from . import ServiceError
from .audit import record

CENT = Decimal("0.01")
MAX_JUDGE_SCORE = 3
MIN_JUDGES = 3
JUDGES_ON_FORM = 3
MAX_ASPECT_MARKS = Decimal(100)


class SheetConflict(ServiceError):
    """Someone else saved the sheet after the version this save was based on."""


def _clean(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    return text or None


def parse_decimal(text) -> Decimal | None:
    """``"7,5"`` or ``"7.5"`` → Decimal; blank → None; anything else → ValueError."""
    if text is None:
        return None
    if isinstance(text, Decimal):
        return text
    if isinstance(text, int | float):
        text = str(text)
    text = str(text).strip().replace(",", ".").replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(text) from error
    if not value.is_finite():
        raise ValueError(text)
    return value


def _fmt(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(CENT))


# --- access ----------------------------------------------------------------------------------

def assignment_of(user, offered_competency_id: int) -> ExpertAssignment | None:
    if user is None or not getattr(user, "is_authenticated", False) or user.role != EXPERT:
        return None
    return db.session.scalar(select(ExpertAssignment).where(
        ExpertAssignment.offered_competency_id == offered_competency_id,
        ExpertAssignment.user_id == user.id))


def can_mark(user, offered_competency_id: int) -> bool:
    return assignment_of(user, offered_competency_id) is not None


def is_chief(user, offered_competency_id: int) -> bool:
    assignment = assignment_of(user, offered_competency_id)
    return assignment is not None and assignment.is_chief


def can_manage_scheme(user, offered_competency_id: int) -> bool:
    """Organisers and administrators, and the chief expert of the competency."""
    if getattr(user, "role", None) in (ADMIN, ORGANISER):
        return True
    return is_chief(user, offered_competency_id)


def is_assigned_to_competition(user, competition_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(
        ExpertAssignment.user_id == user.id,
        ExpertAssignment.offered_competency_id == OfferedCompetency.id,
        OfferedCompetency.competition_id == competition_id))))


def can_view_results(user, competition_id: int) -> bool:
    """Staff see every competition's results; an expert only those they are assigned to."""
    if getattr(user, "role", None) == EXPERT:
        return is_assigned_to_competition(user, competition_id)
    return getattr(user, "is_authenticated", False)


def can_publish(user, competition_id: int) -> bool:
    """Organisers and administrators, and a chief expert of the competition."""
    if getattr(user, "role", None) in (ADMIN, ORGANISER):
        return True
    if getattr(user, "role", None) != EXPERT:
        return False
    return bool(db.session.scalar(select(exists().where(
        ExpertAssignment.user_id == user.id, ExpertAssignment.is_chief.is_(True),
        ExpertAssignment.offered_competency_id == OfferedCompetency.id,
        OfferedCompetency.competition_id == competition_id))))


# --- assignments -----------------------------------------------------------------------------

def assign_expert(offered_competency: OfferedCompetency, user: User, *, is_chief: bool = False,
                  organisation: Organisation | None = None, region: Region | None = None,
                  actor=None) -> ExpertAssignment:
    if user.role != EXPERT:
        raise ServiceError(_("Only users with the expert role can be assigned."), field="user")
    if not user.active:
        raise ServiceError(_("This account is deactivated."), field="user")
    existing = db.session.scalar(select(ExpertAssignment).where(
        ExpertAssignment.offered_competency_id == offered_competency.id,
        ExpertAssignment.user_id == user.id))
    if existing is not None:
        raise ServiceError(_("This expert is already assigned to this competency."),
                           field="user")
    if is_chief:
        chief = db.session.scalar(select(ExpertAssignment).where(
            ExpertAssignment.offered_competency_id == offered_competency.id,
            ExpertAssignment.is_chief.is_(True)))
        if chief is not None:
            raise ServiceError(_("%(name)s is already the chief expert of this competency.",
                                 name=chief.user.display_name), field="is_chief")
    assignment = ExpertAssignment(offered_competency=offered_competency, user=user,
                                  is_chief=is_chief, organisation=organisation, region=region)
    db.session.add(assignment)
    db.session.flush()
    record("expert.assign", assignment, user=actor,
           competition_id=offered_competency.competition_id, expert=user.email,
           competency=offered_competency.competency.name, chief=is_chief,
           organisation=organisation.name if organisation else None,
           region=region.name if region else None)
    db.session.flush()
    return assignment


def remove_assignment(assignment: ExpertAssignment, *, actor=None) -> None:
    oc = assignment.offered_competency
    record("expert.remove", assignment, user=actor, competition_id=oc.competition_id,
           expert=assignment.user.email, competency=oc.competency.name, chief=assignment.is_chief)
    db.session.delete(assignment)
    db.session.flush()


def competition_assignments(competition_id: int) -> list[ExpertAssignment]:
    return list(db.session.scalars(
        select(ExpertAssignment).join(OfferedCompetency)
        .where(OfferedCompetency.competition_id == competition_id)
        .options(joinedload(ExpertAssignment.user), joinedload(ExpertAssignment.organisation),
                 joinedload(ExpertAssignment.region),
                 joinedload(ExpertAssignment.offered_competency)
                 .joinedload(OfferedCompetency.competency))
        .order_by(ExpertAssignment.offered_competency_id, ExpertAssignment.is_chief.desc(),
                  ExpertAssignment.id)
    ))


def my_assignments(user) -> list[ExpertAssignment]:
    """An expert's assignments with what is needed to list their sheets."""
    return list(db.session.scalars(
        select(ExpertAssignment).where(ExpertAssignment.user_id == user.id)
        .options(joinedload(ExpertAssignment.offered_competency)
                 .joinedload(OfferedCompetency.competition),
                 joinedload(ExpertAssignment.offered_competency)
                 .joinedload(OfferedCompetency.competency),
                 joinedload(ExpertAssignment.offered_competency)
                 .selectinload(OfferedCompetency.categories)
                 .joinedload(OfferedCategory.category))
        .order_by(ExpertAssignment.id)
    ).unique())


# --- marking scheme --------------------------------------------------------------------------

def scheme(offered_competency_id: int) -> list[Criterion]:
    return list(db.session.scalars(
        select(Criterion).where(Criterion.offered_competency_id == offered_competency_id)
        .options(selectinload(Criterion.aspects))
        .order_by(Criterion.position, Criterion.code)
    ))


def scheme_frozen(offered_competency_id: int) -> bool:
    """Frozen once marking has started: a score sheet exists for one of its criteria."""
    return bool(db.session.scalar(select(exists().where(
        ScoreSheet.criterion_id == Criterion.id,
        Criterion.offered_competency_id == offered_competency_id))))


def _check_not_frozen(offered_competency_id: int) -> None:
    if scheme_frozen(offered_competency_id):
        raise ServiceError(_("Marking has started: the marking scheme is frozen."))


def _validate_aspect(title: str | None, max_marks, kind: str) -> tuple[str, Decimal]:
    title = _clean(title)
    if not title:
        raise ServiceError(_("The aspect needs a title."), field="title")
    try:
        value = parse_decimal(max_marks)
    except ValueError:
        value = None
    if value is None or value <= 0 or value > MAX_ASPECT_MARKS or value != value.quantize(CENT):
        raise ServiceError(_("Maximum marks must be a number above 0 and at most 100, in "
                             "steps of 0.01."), field="max_marks")
    if kind not in ASPECT_KINDS:
        raise ServiceError(_("Unknown aspect type."), field="kind")
    return title, value


def add_criterion(offered_competency: OfferedCompetency, code: str, title: str, *,
                  actor=None) -> Criterion:
    _check_not_frozen(offered_competency.id)
    code, title = _clean(code), _clean(title)
    if not code or len(code) > 10:
        raise ServiceError(_("The criterion needs a code of at most 10 characters."),
                           field="code")
    if not title:
        raise ServiceError(_("The criterion needs a title."), field="title")
    code = code.upper()
    if db.session.scalar(select(Criterion.id).where(
            Criterion.offered_competency_id == offered_competency.id, Criterion.code == code)):
        raise ServiceError(_("Criterion %(code)s already exists.", code=code), field="code")
    position = db.session.scalar(select(func.count(Criterion.id)).where(
        Criterion.offered_competency_id == offered_competency.id))
    criterion = Criterion(offered_competency=offered_competency, code=code, title=title,
                          position=position)
    db.session.add(criterion)
    db.session.flush()
    record("scheme.criterion_add", criterion, user=actor,
           competition_id=offered_competency.competition_id, code=code, title=title)
    return criterion


def add_aspect(criterion: Criterion, title: str, max_marks, kind: str, *, actor=None) -> Aspect:
    _check_not_frozen(criterion.offered_competency_id)
    title, value = _validate_aspect(title, max_marks, kind)
    aspect = Aspect(criterion=criterion, title=title, max_marks=value, kind=kind,
                    position=len(criterion.aspects))
    db.session.add(aspect)
    db.session.flush()
    record("scheme.aspect_add", aspect, user=actor,
           competition_id=criterion.offered_competency.competition_id,
           criterion=criterion.code, title=title, max_marks=str(value), kind=kind)
    return aspect


def delete_criterion(criterion: Criterion, *, actor=None) -> None:
    _check_not_frozen(criterion.offered_competency_id)
    record("scheme.criterion_delete", criterion, user=actor,
           competition_id=criterion.offered_competency.competition_id, code=criterion.code)
    db.session.delete(criterion)
    db.session.flush()


def delete_aspect(aspect: Aspect, *, actor=None) -> None:
    criterion = aspect.criterion
    _check_not_frozen(criterion.offered_competency_id)
    record("scheme.aspect_delete", aspect, user=actor,
           competition_id=criterion.offered_competency.competition_id,
           criterion=criterion.code, title=aspect.title)
    criterion.aspects.remove(aspect)
    db.session.delete(aspect)
    db.session.flush()


KIND_WORDS = {
    "measurement": "measurement", "m": "measurement", "и": "measurement",
    "измеримая": "measurement", "измеримый": "measurement", "измеримое": "measurement",
    "объективная": "measurement", "объективный": "measurement", "о": "measurement",
    "judgement": "judgement", "judgment": "judgement", "j": "judgement", "с": "judgement",
    "судейская": "judgement", "судейский": "judgement", "судейское": "judgement",
}


@dataclass
class SchemeRow:
    number: int
    code: str
    criterion_title: str
    aspect_title: str
    max_marks: str
    kind: str


def import_scheme(offered_competency: OfferedCompetency, rows: list[SchemeRow], *,
                  actor=None) -> tuple[int, int]:
    """Add the criteria and aspects of ``rows``; all or nothing, errors by row number."""
    _check_not_frozen(offered_competency.id)
    if scheme(offered_competency.id):
        raise ServiceError(_("The scheme already has criteria; delete them before importing."))
    errors, criteria, n_aspects = [], {}, 0
    for row in rows:
        code = (_clean(row.code) or "").upper()
        kind = KIND_WORDS.get((_clean(row.kind) or "").casefold())
        try:
            title, value = _validate_aspect(row.aspect_title, row.max_marks,
                                            kind or "measurement")
        except ServiceError as error:
            errors.append(_("row %(n)d: %(error)s", n=row.number, error=error.message))
            continue
        if not code or len(code) > 10:
            errors.append(_("row %(n)d: %(error)s", n=row.number,
                            error=_("The criterion needs a code of at most 10 characters.")))
            continue
        if kind is None:
            errors.append(_("row %(n)d: %(error)s", n=row.number,
                            error=_("Unknown aspect type.")))
            continue
        if code not in criteria:
            ctitle = _clean(row.criterion_title) or code
            criteria[code] = (ctitle, [])
        criteria[code][1].append((title, value, kind))
    if errors:
        raise ServiceError("; ".join(errors))
    if not criteria:
        raise ServiceError(_("The file has no aspects."))
    for position, (code, (ctitle, aspects)) in enumerate(criteria.items()):
        criterion = Criterion(offered_competency=offered_competency, code=code, title=ctitle,
                              position=position)
        db.session.add(criterion)
        for apos, (title, value, kind) in enumerate(aspects):
            criterion.aspects.append(Aspect(title=title, max_marks=value, kind=kind,
                                            position=apos))
            n_aspects += 1
    db.session.flush()
    record("scheme.import", offered_competency, user=actor,
           competition_id=offered_competency.competition_id, criteria=len(criteria),
           aspects=n_aspects)
    db.session.flush()
    return len(criteria), n_aspects


# --- conflicts of interest -------------------------------------------------------------------

def conflicts(assignment: ExpertAssignment | None, entries: list[Entry]) -> dict[int, str]:
    """``{entry_id: why this expert may not mark it}``, answered from the loaded members."""
    if assignment is None or (assignment.organisation_id is None
                              and assignment.region_id is None):
        return {}
    found = {}
    for entry in entries:
        for member in entry.members:
            person = member.person
            if (assignment.organisation_id is not None
                    and person.organisation_id == assignment.organisation_id):
                found[entry.id] = _("conflict of interest: %(name)s is from your organisation "
                                    "(%(org)s)", name=person.full_name,
                                    org=assignment.organisation.name)
                break
            if assignment.region_id is not None and person.region_id == assignment.region_id:
                found[entry.id] = _("conflict of interest: %(name)s is from your region "
                                    "(%(region)s)", name=person.full_name,
                                    region=assignment.region.name)
                break
    return found


# --- score sheets ----------------------------------------------------------------------------

@dataclass
class SheetData:
    """What the sheet page shows: no queries are left for the template."""

    offered: OfferedCategory
    criterion: Criterion
    sheet: ScoreSheet | None
    entries: list[Entry]
    aspects: list[Aspect]
    marks: dict[tuple[int, int], Mark]
    conflicts: dict[int, str]
    assignment: ExpertAssignment | None

    @property
    def version(self) -> int:
        return self.sheet.version if self.sheet else 0

    @property
    def status(self) -> str:
        return self.sheet.status if self.sheet else "draft"

    @property
    def locked(self) -> bool:
        return bool(self.sheet and self.sheet.locked)

    def entry_total(self, entry_id: int) -> Decimal | None:
        values = [m.value for (e, _a), m in self.marks.items() if e == entry_id]
        return sum(values, Decimal(0)) if values else None


def check_sheet_target(offered: OfferedCategory, criterion: Criterion) -> None:
    if criterion.offered_competency_id != offered.offered_competency_id:
        raise ServiceError(_("This criterion belongs to another competency."))


def find_sheet(offered_category_id: int, criterion_id: int) -> ScoreSheet | None:
    return db.session.scalar(select(ScoreSheet).where(
        ScoreSheet.offered_category_id == offered_category_id,
        ScoreSheet.criterion_id == criterion_id))


def sheet_entries(offered_category_id: int) -> list[Entry]:
    """The entries that are marked: registered ones, with members and persons loaded."""
    return list(db.session.scalars(
        select(Entry).where(Entry.offered_category_id == offered_category_id,
                            Entry.status == "registered")
        .options(selectinload(Entry.members).joinedload(EntryMember.person))
        .order_by(Entry.id)
    ))


def load_sheet(offered: OfferedCategory, criterion: Criterion, user) -> SheetData:
    check_sheet_target(offered, criterion)
    sheet = find_sheet(offered.id, criterion.id)
    entries = sheet_entries(offered.id)
    marks = {}
    if sheet is not None:
        marks = {(m.entry_id, m.aspect_id): m for m in db.session.scalars(
            select(Mark).where(Mark.sheet_id == sheet.id))}
    assignment = assignment_of(user, offered.offered_competency_id)
    return SheetData(offered, criterion, sheet, entries, list(criterion.aspects), marks,
                     conflicts(assignment, entries), assignment)


def judgement_mark(scores: list[int], max_marks: Decimal) -> Decimal:
    """The mean of the judges' 0–3 scores scaled to the aspect's maximum, to 0.01."""
    mean = Decimal(sum(scores)) / Decimal(len(scores))
    return (mean / MAX_JUDGE_SCORE * max_marks).quantize(CENT, rounding=ROUND_HALF_UP)


def _entry_label(entry: Entry) -> str:
    if entry.team_name:
        return entry.team_name
    return entry.members[0].person.full_name if entry.members else f"#{entry.id}"


def _parse_mark(aspect: Aspect, raw, entry: Entry) -> tuple[Decimal, list[int] | None] | None:
    """``raw`` is a string (measurement) or a list of strings (judgement); blank → None."""
    where = {"entry": _entry_label(entry), "aspect": aspect.title}
    if aspect.kind == "judgement":
        texts = [str(t).strip() for t in (raw if isinstance(raw, list | tuple) else [raw])]
        if not any(texts):
            return None
        if not all(texts) or len(texts) < MIN_JUDGES:
            raise ServiceError(_("%(entry)s, %(aspect)s: every one of at least %(n)d judges "
                                 "gives a score.", n=MIN_JUDGES, **where))
        if not all(t in {str(i) for i in range(MAX_JUDGE_SCORE + 1)} for t in texts):
            raise ServiceError(_("%(entry)s, %(aspect)s: a judge's score is a whole number "
                                 "from 0 to 3.", **where))
        scores = [int(t) for t in texts]
        return judgement_mark(scores, aspect.max_marks), scores
    try:
        value = parse_decimal(raw)
    except ValueError:
        raise ServiceError(_("%(entry)s, %(aspect)s: «%(value)s» is not a number.",
                             value=raw, **where)) from None
    if value is None:
        return None
    if value < 0 or value > aspect.max_marks or value != value.quantize(CENT):
        raise ServiceError(_("%(entry)s, %(aspect)s: the mark must be from 0 to %(max)s in "
                             "steps of 0.01.", max=_fmt(aspect.max_marks), **where))
    return value.quantize(CENT), None


def _marks_snapshot(sheet: ScoreSheet) -> dict:
    return {f"{m.entry_id}:{m.aspect_id}": {"value": _fmt(m.value), "judges": m.judge_scores}
            for m in sorted(sheet.marks, key=lambda m: (m.entry_id, m.aspect_id))}


def _conflict_message(sheet: ScoreSheet | None) -> str:
    if sheet is None:
        return _("Someone else saved this sheet after you opened it. Reload it, check the "
                 "marks and save again.")
    return _("%(name)s saved this sheet at %(time)s, after you opened it (version %(v)d). "
             "Your changes were not saved: reload the sheet, check the marks and save again.",
             name=sheet.updated_by.display_name if sheet.updated_by else "?",
             time=sheet.updated_at.strftime("%H:%M:%S"), v=sheet.version)


def _new_version(sheet: ScoreSheet, action: str, actor, reason: str | None = None) -> None:
    db.session.add(ScoreSheetVersion(sheet=sheet, number=sheet.version, action=action,
                                     author_id=getattr(actor, "id", None), reason=reason,
                                     marks=_marks_snapshot(sheet), created_at=utcnow()))


def _touch(sheet: ScoreSheet, actor) -> None:
    sheet.updated_at = utcnow()
    sheet.updated_by_id = getattr(actor, "id", None)


def _flush_or_conflict(sheet: ScoreSheet | None) -> None:
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError) as error:
        # A failed flush leaves the session unusable until it rolls back; the request is
        # refused anyway, and the message needs to read who saved first.
        db.session.rollback()
        raise SheetConflict(_conflict_message(
            find_sheet(sheet.offered_category_id, sheet.criterion_id) if sheet else None)
        ) from error


def _require_marker(user, offered: OfferedCategory) -> ExpertAssignment:
    assignment = assignment_of(user, offered.offered_competency_id)
    if assignment is None:
        raise ServiceError(_("You are not assigned to this competency."))
    return assignment


def _check_base(sheet: ScoreSheet | None, base_version: int) -> None:
    current = sheet.version if sheet is not None else 0
    if current != base_version:
        raise SheetConflict(_conflict_message(sheet))


def save_marks(offered: OfferedCategory, criterion: Criterion, values: dict, base_version: int,
               *, actor) -> ScoreSheet:
    """Save a sheet: ``values`` maps ``(entry_id, aspect_id)`` to the raw input (a string, or
    the judges' scores as a list); a blank value clears a mark, a missing one keeps it."""
    check_sheet_target(offered, criterion)
    assignment = _require_marker(actor, offered)
    sheet = find_sheet(offered.id, criterion.id)
    _check_base(sheet, base_version)
    if sheet is not None and sheet.locked:
        raise ServiceError(_("This sheet is confirmed and locked; the chief expert can unlock "
                             "it with a reason."))
    entries = {e.id: e for e in sheet_entries(offered.id)}
    aspects = {a.id: a for a in criterion.aspects}
    conflicted = conflicts(assignment, list(entries.values()))
    current = {}
    if sheet is not None:
        current = {(m.entry_id, m.aspect_id): m for m in sheet.marks}
    parsed, errors = {}, []
    for (entry_id, aspect_id), raw in values.items():
        entry, aspect = entries.get(entry_id), aspects.get(aspect_id)
        if entry is None or aspect is None:
            errors.append(_("A mark is for an entry or aspect that is not on this sheet."))
            continue
        try:
            result = _parse_mark(aspect, raw, entry)
        except ServiceError as error:
            errors.append(error.message)
            continue
        old = current.get((entry_id, aspect_id))
        unchanged = (old is None and result is None) or (
            old is not None and result is not None and old.value == result[0]
            and (old.judge_scores or None) == result[1])
        if unchanged:
            continue
        if entry_id in conflicted:
            errors.append(_("%(entry)s: you cannot mark this entry, %(why)s.",
                            entry=_entry_label(entry), why=conflicted[entry_id]))
            continue
        parsed[(entry_id, aspect_id)] = result
    if errors:
        raise ServiceError(" ".join(dict.fromkeys(errors)))
    if sheet is None:
        sheet = ScoreSheet(offered_category_id=offered.id, criterion_id=criterion.id,
                           status="draft")
        db.session.add(sheet)
    changes = []
    for (entry_id, aspect_id), result in parsed.items():
        old = current.get((entry_id, aspect_id))
        change = {"entry": entry_id, "aspect": aspect_id,
                  "old": _fmt(old.value) if old else None,
                  "new": _fmt(result[0]) if result else None}
        if result is not None and old is not None and (old.judge_scores or result[1]):
            change["judges"] = [old.judge_scores, result[1]]
        changes.append(change)
        if result is None:
            sheet.marks.remove(old)
            db.session.delete(old)
        elif old is None:
            sheet.marks.append(Mark(entry_id=entry_id, aspect_id=aspect_id, value=result[0],
                                    judge_scores=result[1]))
        else:
            old.value, old.judge_scores = result[0], result[1]
    old_status = sheet.status
    if sheet.status == "submitted" and changes:
        sheet.status = "draft"  # a changed sheet is submitted again
    _touch(sheet, actor)
    _flush_or_conflict(sheet)
    _new_version(sheet, "save", actor)
    _flush_or_conflict(sheet)
    if changes:
        record("mark.change", sheet, user=actor,
               competition_id=offered.offered_competency.competition_id,
               criterion=criterion.code, category=offered.category.name,
               version=sheet.version, changes=changes,
               status=[old_status, sheet.status] if old_status != sheet.status else None)
    db.session.flush()
    return sheet


def _sheet_for_action(offered: OfferedCategory, criterion: Criterion,
                      base_version: int | None) -> ScoreSheet:
    check_sheet_target(offered, criterion)
    sheet = find_sheet(offered.id, criterion.id)
    if sheet is None:
        raise ServiceError(_("Nothing has been marked on this sheet yet."))
    if base_version is not None:
        _check_base(sheet, base_version)
    return sheet


def missing_marks(sheet: ScoreSheet, criterion: Criterion) -> int:
    entries = sheet_entries(sheet.offered_category_id)
    have = {(m.entry_id, m.aspect_id) for m in sheet.marks}
    return sum(1 for e in entries for a in criterion.aspects if (e.id, a.id) not in have)


def submit_sheet(offered: OfferedCategory, criterion: Criterion, base_version: int | None = None,
                 *, actor) -> ScoreSheet:
    _require_marker(actor, offered)
    sheet = _sheet_for_action(offered, criterion, base_version)
    if sheet.status != "draft":
        raise ServiceError(_("Only a draft sheet can be submitted."))
    missing = missing_marks(sheet, criterion)
    if missing:
        raise ServiceError(_("%(n)d marks are missing; mark every entry on every aspect "
                             "before submitting.", n=missing))
    sheet.status = "submitted"
    sheet.submitted_at, sheet.submitted_by_id = utcnow(), actor.id
    _touch(sheet, actor)
    _flush_or_conflict(sheet)
    _new_version(sheet, "submit", actor)
    record("sheet.submit", sheet, user=actor,
           competition_id=offered.offered_competency.competition_id,
           criterion=criterion.code, category=offered.category.name, old="draft",
           new="submitted", version=sheet.version)
    db.session.flush()
    return sheet


def _authors_since_confirmation(sheet: ScoreSheet) -> set[int]:
    authors = set()
    for version in sheet.versions:
        if version.action == "confirm":
            authors = set()
        elif version.action == "save" and version.author_id is not None:
            authors.add(version.author_id)
    return authors


def confirm_sheet(offered: OfferedCategory, criterion: Criterion,
                  base_version: int | None = None, *, actor) -> ScoreSheet:
    """The chief expert signs the sheet off: confirmed and locked. Not by an author of the
    marks confirmed."""
    if not is_chief(actor, offered.offered_competency_id):
        raise ServiceError(_("Only the chief expert of this competency confirms sheets."))
    sheet = _sheet_for_action(offered, criterion, base_version)
    if sheet.status != "submitted":
        raise ServiceError(_("Only a submitted sheet can be confirmed."))
    if actor.id in _authors_since_confirmation(sheet) or actor.id == sheet.submitted_by_id:
        raise ServiceError(_("You entered marks on this sheet; another expert must have "
                             "entered the marks you confirm."))
    sheet.status, sheet.locked = "confirmed", True
    sheet.confirmed_at, sheet.confirmed_by_id = utcnow(), actor.id
    _touch(sheet, actor)
    _flush_or_conflict(sheet)
    _new_version(sheet, "confirm", actor)
    record("sheet.confirm", sheet, user=actor,
           competition_id=offered.offered_competency.competition_id,
           criterion=criterion.code, category=offered.category.name, old="submitted",
           new="confirmed", locked=True, version=sheet.version)
    db.session.flush()
    return sheet


def unlock_sheet(offered: OfferedCategory, criterion: Criterion, reason: str,
                 base_version: int | None = None, *, actor) -> ScoreSheet:
    if not is_chief(actor, offered.offered_competency_id):
        raise ServiceError(_("Only the chief expert of this competency unlocks sheets."))
    reason = _clean(reason)
    if not reason:
        raise ServiceError(_("State the reason for unlocking."), field="reason")
    sheet = _sheet_for_action(offered, criterion, base_version)
    if not sheet.locked:
        raise ServiceError(_("This sheet is not locked."))
    sheet.status, sheet.locked = "draft", False
    sheet.submitted_at = sheet.submitted_by_id = None
    _touch(sheet, actor)
    _flush_or_conflict(sheet)
    _new_version(sheet, "unlock", actor, reason=reason[:500])
    record("sheet.unlock", sheet, user=actor,
           competition_id=offered.offered_competency.competition_id,
           criterion=criterion.code, category=offered.category.name, old="confirmed",
           new="draft", locked=False, reason=reason, version=sheet.version)
    db.session.flush()
    return sheet


def sheet_history(sheet: ScoreSheet) -> list[ScoreSheetVersion]:
    return list(db.session.scalars(
        select(ScoreSheetVersion).where(ScoreSheetVersion.sheet_id == sheet.id)
        .options(joinedload(ScoreSheetVersion.author))
        .order_by(ScoreSheetVersion.number.desc())))


def sheets_overview(offered_competency: OfferedCompetency) -> dict[tuple[int, int], ScoreSheet]:
    """``{(offered_category_id, criterion_id): sheet}`` for a competency: one query."""
    return {(s.offered_category_id, s.criterion_id): s for s in db.session.scalars(
        select(ScoreSheet).join(OfferedCategory)
        .where(OfferedCategory.offered_competency_id == offered_competency.id))}


def competition_of(offered_competency: OfferedCompetency) -> Competition:
    return offered_competency.competition


# --- overviews for pages ---------------------------------------------------------------------

@dataclass
class CompetencyOverview:
    assignment: ExpertAssignment | None
    offered_competency: OfferedCompetency
    criteria: list[Criterion]
    categories: list[OfferedCategory]
    sheets: dict[tuple[int, int], ScoreSheet]


def expert_overview(user) -> list[CompetencyOverview]:
    """What an expert marks: per assignment, the categories × criteria and their sheets."""
    return [competency_overview(a.offered_competency, a) for a in my_assignments(user)]


def competency_overview(offered_competency: OfferedCompetency,
                        assignment: ExpertAssignment | None = None) -> CompetencyOverview:
    categories = sorted(offered_competency.categories, key=lambda c: c.category.position)
    return CompetencyOverview(assignment, offered_competency, scheme(offered_competency.id),
                              categories, sheets_overview(offered_competency))


def visible_competitions(user) -> list[Competition]:
    """Competitions whose results ``user`` may see: all for staff, assigned ones for experts."""
    query = select(Competition).options(joinedload(Competition.kind)).order_by(
        Competition.year.desc(), Competition.title)
    if user.role == EXPERT:
        query = query.where(Competition.id.in_(
            select(OfferedCompetency.competition_id).join(ExpertAssignment)
            .where(ExpertAssignment.user_id == user.id)))
    return list(db.session.scalars(query))


def assignable_experts() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == EXPERT,
                                                      User.active.is_(True))
                                   .order_by(User.name, User.email)))


def offered_competencies(competition_id: int) -> list[OfferedCompetency]:
    from ..models import Competency

    return list(db.session.scalars(
        select(OfferedCompetency).join(Competency)
        .where(OfferedCompetency.competition_id == competition_id)
        .options(joinedload(OfferedCompetency.competency),
                 selectinload(OfferedCompetency.categories).joinedload(OfferedCategory.category))
        .order_by(Competency.name)))


def organisations_for_choice(limit: int = 2000) -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).options(joinedload(Organisation.region))
                                   .order_by(Organisation.name).limit(limit)))


def regions_for_choice() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.name)))
