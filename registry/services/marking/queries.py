"""Reads for the marking pages and the operations: assignments, schemes, sheets, overviews.
Nothing here changes the database."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, bindparam, exists, func, select, true
from sqlalchemy.orm import joinedload, selectinload

from ... import access
from ...extensions import db
from ...i18n import gettext as _
from ...models import (
    Aspect,
    Category,
    Competency,
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
)
from ...models.results import SIGNING_ROLES
from ...queries import prepared
from ...security import has_permission, roles_with
from .. import ServiceError
from .assignments import conflicts

# --- assignments -----------------------------------------------------------------------------

def competition_assignments(competition_id: int) -> list[ExpertAssignment]:
    return list(db.session.scalars(
        select(ExpertAssignment).join(OfferedCompetency)
        .where(OfferedCompetency.competition_id == competition_id)
        .options(joinedload(ExpertAssignment.user), joinedload(ExpertAssignment.organisation),
                 joinedload(ExpertAssignment.region),
                 joinedload(ExpertAssignment.offered_competency)
                 .joinedload(OfferedCompetency.competency))
        # the roles sort as they rank: chief, deputy, expert
        .order_by(ExpertAssignment.offered_competency_id, ExpertAssignment.role,
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
    assignment = access.assignment_of(user, offered.offered_competency_id)
    return SheetData(offered, criterion, sheet, entries, list(criterion.aspects), marks,
                     conflicts(assignment, entries), assignment)


def sheet_history(sheet: ScoreSheet) -> list[ScoreSheetVersion]:
    return list(db.session.scalars(
        select(ScoreSheetVersion).where(ScoreSheetVersion.sheet_id == sheet.id)
        .options(joinedload(ScoreSheetVersion.author))
        .order_by(ScoreSheetVersion.number.desc())))


@dataclass(frozen=True)
class MarkChange:
    """One mark of a version that differs from the version before: from what to what."""

    entry: str
    aspect: str
    old: str | None
    new: str | None
    old_judges: list | None = None
    new_judges: list | None = None


@dataclass
class HistoryRow:
    version: ScoreSheetVersion
    changes: list[MarkChange]


def _snapshot_key(key: str) -> tuple[int, int]:
    entry_id, _sep, aspect_id = key.partition(":")
    return int(entry_id), int(aspect_id)


def sheet_history_changes(sheet: ScoreSheet) -> list[HistoryRow]:
    """The versions, newest first, each with the marks it changed against the one before
    (every version keeps a snapshot of all marks)."""
    versions = sheet_history(sheet)
    keys = {_snapshot_key(k) for v in versions for k in (v.marks or {})}
    entry_ids = {e for e, _a in keys}
    entries = {e.id: e for e in db.session.scalars(
        select(Entry).where(Entry.id.in_(entry_ids))
        .options(selectinload(Entry.members).joinedload(EntryMember.person)))} if keys else {}
    aspects = {a.id: a.title for a in db.session.scalars(
        select(Aspect).where(Aspect.criterion_id == sheet.criterion_id))}

    def entry_label(entry_id: int) -> str:
        entry = entries.get(entry_id)
        if entry is None:
            return f"#{entry_id}"
        if entry.team_name:
            return entry.team_name
        return entry.members[0].person.full_name if entry.members else f"#{entry_id}"

    rows, before = [], {}
    for version in reversed(versions):  # oldest first, to compare with the one before
        now = version.marks or {}
        changes = []
        for key in sorted(set(before) | set(now), key=_snapshot_key):
            old, new = before.get(key) or {}, now.get(key) or {}
            if (old.get("value"), old.get("judges")) == (new.get("value"), new.get("judges")):
                continue
            entry_id, aspect_id = _snapshot_key(key)
            changes.append(MarkChange(entry_label(entry_id),
                                      aspects.get(aspect_id, f"#{aspect_id}"),
                                      old.get("value"), new.get("value"),
                                      old.get("judges"), new.get("judges")))
        rows.append(HistoryRow(version, changes))
        before = now
    rows.reverse()
    return rows


# --- sign-off ---------------------------------------------------------------------------------

# The versions that end what the marks' authors wrote: marks confirmed before them were checked.
_SIGNED = ("confirm", "override")
# The versions that change the state (not a plain save).
_STATE_ACTIONS = ("submit", "confirm", "override", "unlock", "withdraw")


def mark_authors(sheet: ScoreSheet) -> set[int]:
    """Who wrote the current marks: the authors of the saves that changed a mark since the
    sheet was last confirmed (a save that changed nothing writes nothing)."""
    authors: set[int] = set()
    previous: dict = {}
    for version in sheet.versions:
        if version.action in _SIGNED:
            authors = set()
        elif (version.action in ("save", "withdraw") and version.author_id is not None
              and version.marks != previous):
            authors.add(version.author_id)
        previous = version.marks
    return authors


@dataclass
class SignOff:
    """Who may confirm a sheet, and when nobody assigned may, the ways out."""

    authors: set[int]  # user ids of the authors of the current marks
    confirmers: list[User]  # chief and deputies who did not write them
    blocked: list[ExpertAssignment]  # chief and deputies who wrote them
    candidates: list[ExpertAssignment]  # experts who did not write them: could be deputies

    @property
    def stuck(self) -> bool:
        """Nobody assigned may confirm: another deputy, or an organiser's override."""
        return not self.confirmers


def signoff(sheet: ScoreSheet) -> SignOff:
    authors = mark_authors(sheet)
    assignments = db.session.scalars(
        select(ExpertAssignment).join(OfferedCategory, OfferedCategory.offered_competency_id
                                      == ExpertAssignment.offered_competency_id)
        .where(OfferedCategory.id == sheet.offered_category_id)
        .options(joinedload(ExpertAssignment.user))
        .order_by(ExpertAssignment.role, ExpertAssignment.id)).all()
    able = [a for a in assignments if a.user.active and access.is_marker(a.user)]
    return SignOff(
        authors,
        [a.user for a in able if a.signs_off and a.user_id not in authors],
        [a for a in able if a.signs_off and a.user_id in authors],
        [a for a in able if not a.signs_off and a.user_id not in authors])


def stuck_sheets(competition_id: int) -> list[tuple[ScoreSheet, SignOff]]:
    """The submitted sheets of a competition that no chief or deputy may confirm, each with
    its ``SignOff`` (for the organiser's page: assign a deputy, or override)."""
    sheets = db.session.scalars(
        select(ScoreSheet).join(OfferedCategory).join(OfferedCompetency)
        .where(OfferedCompetency.competition_id == competition_id,
               ScoreSheet.status == "submitted")
        .options(joinedload(ScoreSheet.criterion),
                 joinedload(ScoreSheet.offered_category).joinedload(OfferedCategory.category),
                 selectinload(ScoreSheet.versions))
        .order_by(ScoreSheet.id)).unique().all()
    found = []
    for sheet in sheets:
        state = signoff(sheet)
        if state.stuck:
            found.append((sheet, state))
    return found


def withdrawal(sheet: ScoreSheet | None) -> ScoreSheetVersion | None:
    """The version that withdrew a sheet for changes (a submitted sheet saved with changes),
    while the sheet is still a draft after it; None otherwise."""
    if sheet is None or sheet.status != "draft":
        return None
    last = next((v for v in reversed(sheet.versions) if v.action in _STATE_ACTIONS), None)
    return last if last is not None and last.action == "withdraw" else None


def withdrawals(sheet_ids: list[int]) -> dict[int, ScoreSheetVersion]:
    """``{sheet_id: the withdrawing version}`` for the given draft sheets: one query."""
    if not sheet_ids:
        return {}
    last: dict[int, ScoreSheetVersion] = {}
    for version in db.session.scalars(
            select(ScoreSheetVersion)
            .where(ScoreSheetVersion.sheet_id.in_(sheet_ids),
                   ScoreSheetVersion.action.in_(_STATE_ACTIONS))
            .options(joinedload(ScoreSheetVersion.author))
            .order_by(ScoreSheetVersion.sheet_id, ScoreSheetVersion.number)):
        last[version.sheet_id] = version
    return {sheet_id: v for sheet_id, v in last.items() if v.action == "withdraw"}


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
    withdrawn: dict[int, ScoreSheetVersion]  # sheet id → the version that withdrew it


def expert_overview(user) -> list[CompetencyOverview]:
    """What an expert marks: per assignment, the categories × criteria and their sheets."""
    return [competency_overview(a.offered_competency, a) for a in my_assignments(user)]


def competency_overview(offered_competency: OfferedCompetency,
                        assignment: ExpertAssignment | None = None) -> CompetencyOverview:
    categories = sorted(offered_competency.categories, key=lambda c: c.category.position)
    sheets = sheets_overview(offered_competency)
    drafts = [s.id for s in sheets.values() if s.status == "draft"]
    return CompetencyOverview(assignment, offered_competency, scheme(offered_competency.id),
                              categories, sheets, withdrawals(drafts))


def visible_competitions(user) -> list[Competition]:
    """Competitions whose results ``user`` may see: all for staff, assigned ones for experts."""
    query = select(Competition).options(joinedload(Competition.kind)).order_by(
        Competition.year.desc(), Competition.title)
    if not has_permission(user, "results.view_any"):
        query = query.where(Competition.id.in_(
            select(OfferedCompetency.competition_id).join(ExpertAssignment)
            .where(ExpertAssignment.user_id == user.id)))
    return list(db.session.scalars(query))


def assignable_experts() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role.in_(roles_with("marking.mark")),
                                                      User.active.is_(True))
                                   .order_by(User.name, User.email)))


def find_offered_competency(offered_competency_id: int | None) -> OfferedCompetency | None:
    return (db.session.get(OfferedCompetency, offered_competency_id)
            if offered_competency_id else None)


def offered_competencies(competition_id: int) -> list[OfferedCompetency]:
    return list(db.session.scalars(
        select(OfferedCompetency).join(Competency)
        .where(OfferedCompetency.competition_id == competition_id)
        .options(joinedload(OfferedCompetency.competency),
                 selectinload(OfferedCompetency.categories).joinedload(OfferedCategory.category))
        .order_by(Competency.name)))


@dataclass(frozen=True)
class CompetencyChoice:
    """An offered competency as a list to choose from shows it: its id and name."""
    id: int
    name: str


def competency_choices(competition_id: int) -> list[CompetencyChoice]:
    """The competencies a competition offers, by name: rows, not entities (a final offers a
    hundred, and a list of them needs nothing else)."""
    return [CompetencyChoice(oc_id, name) for oc_id, name in db.session.execute(
        _competency_choices(), {"competition_id": competition_id})]


@prepared
def _competency_choices():
    return (select(OfferedCompetency.id, Competency.name).join(Competency)
            .where(OfferedCompetency.competition_id == bindparam("competition_id"))
            .order_by(Competency.name))


def organisations_for_choice(limit: int = 2000) -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).options(joinedload(Organisation.region))
                                   .order_by(Organisation.name).limit(limit)))


def regions_for_choice() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.name)))


# --- the list of score sheets ----------------------------------------------------------------

SHEET_STATUSES = ("draft", "submitted", "confirmed")


@dataclass(frozen=True)
class SheetFilters:
    """The sheet list's filters, from the query string (kept in its links and pages).
    ``signoff``: only the competencies where the user confirms sheets (chief or deputy)."""

    status: str | None = None
    competition_id: int | None = None
    offered_competency_id: int | None = None
    signoff: bool = False


def assigned_competencies(user, *, signoff: bool = False):
    """A select of the offered competency ids ``user`` is assigned to (as chief or deputy
    when ``signoff``)."""
    query = select(ExpertAssignment.offered_competency_id).where(
        ExpertAssignment.user_id == user.id)
    if signoff:
        query = query.where(ExpertAssignment.role.in_(SIGNING_ROLES))
    return query


def sheet_condition(user, filters: SheetFilters):
    """What the list and the home pages count alike: the sheets ``user`` may open (an
    expert's assigned competencies, everything for organisers) narrowed by ``filters``."""
    conditions = []
    if access.is_marker(user):
        conditions.append(OfferedCompetency.id.in_(
            assigned_competencies(user, signoff=filters.signoff)))
    if filters.status in SHEET_STATUSES:
        conditions.append(ScoreSheet.status == filters.status)
    if filters.competition_id:
        conditions.append(OfferedCompetency.competition_id == filters.competition_id)
    if filters.offered_competency_id:
        conditions.append(OfferedCompetency.id == filters.offered_competency_id)
    return and_(true(), *conditions)


def join_sheet_contest(query):
    """From a select of ``ScoreSheet``: its category, criterion, competency, competition."""
    return (query.join(OfferedCategory, OfferedCategory.id == ScoreSheet.offered_category_id)
            .join(Category, Category.id == OfferedCategory.category_id)
            .join(Criterion, Criterion.id == ScoreSheet.criterion_id)
            .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
            .join(Competency, Competency.id == OfferedCompetency.competency_id)
            .join(Competition, Competition.id == OfferedCompetency.competition_id))


def sheet_list(user, filters: SheetFilters, *, page: int, per_page: int):
    """One page of rows (ScoreSheet, Category, Criterion, Competency, Competition), by
    competition, competency, category and criterion (two queries)."""
    from ...queries import paginate

    stmt = join_sheet_contest(select(ScoreSheet, Category, Criterion, Competency, Competition)
                              ).where(sheet_condition(user, filters)).order_by(
        Competition.year.desc(), Competition.title, Competency.name, Category.position,
        Criterion.position, ScoreSheet.id)
    return paginate(stmt, page, per_page)


def sheet_counts_by(user, *group, filters: SheetFilters | None = None) -> dict[tuple, int]:
    """``{(group values…, status): n}`` of the sheets ``user`` may open (one query)."""
    stmt = join_sheet_contest(select(*group, ScoreSheet.status, func.count(ScoreSheet.id))
                              ).where(sheet_condition(user, filters or SheetFilters())
                                      ).group_by(*group, ScoreSheet.status)
    return {tuple(row[:-1]): row[-1] for row in db.session.execute(stmt)}
