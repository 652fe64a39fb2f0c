"""Importing participants from a spreadsheet: validate every row into a plan, then write it.

``build_plan(competition, data)`` reads the file and checks every row and the rows together
(the same person twice, teams, eligibility, what is already registered) without writing
anything; the preview page and ``--dry-run`` show that plan. ``apply(plan)`` writes a plan
without problems through the registration services; it flushes and audits, and the request
or command that called it commits once (``registry/transaction.py``).

Reference data is loaded once per import (regions, competencies, categories, what the
competition offers, its entries); persons and organisations are looked up in batches.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    Category,
    Competency,
    Competition,
    Entry,
    OfferedCategory,
    OfferedCompetency,
    Organisation,
    Person,
    Region,
    name_key,
    person_key,
)
from ..services import ServiceError, registration
from ..services import competitions as competition_service
from ..services.audit import record
from ..services.regions import region_lookup
from .spreadsheet import MAX_ROWS, MAX_UNCOMPRESSED, SpreadsheetError, Table, read_table

MAX_TEAM_SIZE = 4
HEADER_SEARCH_ROWS = 10
_BATCH = 500


@dataclass(frozen=True)
class Column:
    field: str
    header: str                   # the Russian header, as in the template
    required: bool
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("last_name", "Фамилия", True, ("surname",)),
    Column("first_name", "Имя", True, ("given name",)),
    Column("middle_name", "Отчество", False, ("patronymic",)),
    Column("birth_date", "Дата рождения", True, ("date of birth",)),
    Column("region", "Регион", True, ("Субъект РФ",)),
    Column("organisation", "Организация", True,
           ("organization", "Образовательная организация")),
    Column("competency", "Компетенция", True),
    Column("category", "Категория", True),
    Column("team", "Команда", False, ("team name", "Название команды")),
    Column("email", "Email", False, ("e-mail", "Электронная почта", "Эл. почта")),
    Column("phone", "Телефон", False),
    Column("consent_date", "Согласие на обработку ПДн", False,
           ("Дата согласия на обработку ПДн", "Согласие на обработку персональных данных")),
)
COLUMNS_BY_FIELD = {c.field: c for c in COLUMNS}


def header_key(text) -> str:
    """Headers match case-, ё/е- and space-insensitively; «last_name» = «Last name»; a trailing
    «*» (a required-column mark) or «:» is ignored."""
    return name_key(str(text).replace("_", " ")).strip(" *:")


_HEADERS: dict[str, Column] = {}
for _column in COLUMNS:
    for _name in (_column.header, _column.field, *_column.aliases):
        _HEADERS[header_key(_name)] = _column


# --- the plan ------------------------------------------------------------------------------

@dataclass
class Problem:
    row: int | None
    column: str | None    # the header as the file writes it
    message: str

    def __str__(self) -> str:
        if self.row is not None and self.column:
            return _("Row %(row)d, «%(column)s»: %(message)s",
                     row=self.row, column=self.column, message=self.message)
        if self.row is not None:
            return _("Row %(row)d: %(message)s", row=self.row, message=self.message)
        return self.message


@dataclass
class PlanRow:
    number: int
    text: dict[str, str | None]                 # the cells as written, for the preview
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    birth_date: date | None = None
    consent_date: date | None = None
    region: Region | None = None
    organisation: Organisation | None = None    # an existing one; None = created on import
    competency: Competency | None = None
    category: Category | None = None
    identity: str | None = None
    person: Person | None = None                # an existing one; None = created on import
    entry_status: str | None = None             # "new", "registered" (already), None
    team_key: str | None = None

    def value(self, name: str) -> str | None:
        return self.text.get(name)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def person_status(self) -> str | None:
        if self.identity is None:
            return None
        return "existing" if self.person is not None else "new"

    def problem(self, plan: ImportPlan, field_name: str | None, message: str) -> None:
        self.problems.append(Problem(self.number, plan.column_name(field_name), message))


@dataclass
class PlannedEntry:
    competency: Competency
    category: Category
    team_name: str | None
    rows: list[PlanRow]
    existing: Entry | None = None               # already registered: skipped


@dataclass
class Counts:
    rows: int = 0
    persons_created: int = 0
    persons_reused: int = 0
    organisations_created: int = 0
    entries: int = 0
    teams: int = 0
    already_registered: int = 0
    offers_added: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


@dataclass
class ImportPlan:
    competition: Competition
    filename: str | None = None
    rows: list[PlanRow] = field(default_factory=list)
    file_problems: list[Problem] = field(default_factory=list)
    entries: list[PlannedEntry] = field(default_factory=list)
    offers: list[tuple[Competency, Category]] = field(default_factory=list)
    offered: dict[tuple[int, int], OfferedCategory] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)   # field → header as written
    ignored_columns: list[str] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)
    table: Table | None = None

    def column_name(self, field_name: str | None) -> str | None:
        if field_name is None:
            return None
        return self.headers.get(field_name) or COLUMNS_BY_FIELD[field_name].header

    @property
    def problems(self) -> list[Problem]:
        return self.file_problems + [p for row in self.rows for p in row.problems]

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    @property
    def invalid_rows(self) -> int:
        return sum(1 for row in self.rows if row.problems)


class ImportRefused(Exception):
    """``apply`` was given a plan with problems, or the database refused it; nothing was
    written. ``problems`` are for people."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


# --- reading cells -------------------------------------------------------------------------

_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_EXCEL_EPOCH = date(1899, 12, 30)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    text = " ".join(str(value).split())
    return text or None


def parse_date(value) -> date:
    """A date cell, «ДД.ММ.ГГГГ», ISO «ГГГГ-ММ-ДД», or an Excel day number; ValueError else."""
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 80000:  # Excel's day numbers: 1900 … 2119
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError(value)
    text = _text(value) or ""
    match = _DOTTED.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)
    match = _ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return date(year, month, day)
    raise ValueError(text)


# --- building the plan ---------------------------------------------------------------------

def build_plan(competition: Competition, data: bytes, *, filename: str | None = None,
               max_rows: int | None = None) -> ImportPlan:
    """Read and validate; writes nothing."""
    plan = ImportPlan(competition=competition, filename=filename)
    config = current_app.config
    try:
        table = read_table(
            data,
            max_rows=max_rows or config.get("IMPORT_MAX_ROWS", MAX_ROWS),
            max_uncompressed=config.get("IMPORT_MAX_UNCOMPRESSED", MAX_UNCOMPRESSED),
        )
    except SpreadsheetError as error:
        plan.file_problems.append(Problem(None, None, error.message))
        return plan
    plan.table = table
    return plan_table(plan, table)


def _find_header(table: Table) -> int:
    """Index of the header row: the first of the first rows that names 3+ known columns
    (a title line above the header is allowed); else the first row."""
    for index, (_number, cells) in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        known = {_HEADERS[header_key(c)].field for c in cells
                 if c is not None and header_key(c) in _HEADERS}
        if len(known) >= 3:
            return index
    return 0


def _map_header(plan: ImportPlan, cells: list) -> dict[int, Column]:
    mapping: dict[int, Column] = {}
    seen: dict[str, str] = {}
    for index, cell in enumerate(cells):
        if cell is None:
            continue
        written = _text(cell) or ""
        column = _HEADERS.get(header_key(written))
        if column is None:
            plan.ignored_columns.append(written)
            continue
        if column.field in seen:
            plan.file_problems.append(Problem(None, None, _(
                "The columns «%(first)s» and «%(second)s» both mean «%(column)s»; keep one.",
                first=seen[column.field], second=written, column=column.header)))
            continue
        seen[column.field] = written
        mapping[index] = column
    plan.headers = seen
    missing = [c.header for c in COLUMNS if c.required and c.field not in seen]
    if missing:
        plan.file_problems.append(Problem(None, None, _(
            "Required columns are missing: %(columns)s. The first row must name the columns "
            "(download the template to see them).",
            columns=", ".join(f"«{m}»" for m in missing))))
    return mapping


class _Reference:
    """What the rows are checked against, loaded once."""

    def __init__(self, competition: Competition):
        self.competition = competition
        self.kind = competition.kind
        self.regions = region_lookup()
        self.categories: dict[str, Category] = {}
        self.other_categories: dict[str, Category] = {}
        for category in db.session.scalars(select(Category).options(
                selectinload(Category.kind))):
            target = (self.categories if category.kind_id == competition.kind_id
                      else self.other_categories)
            target.setdefault(name_key(category.name), category)
        self.competencies: dict[str, Competency] = {}
        for competency in db.session.scalars(select(Competency).options(
                selectinload(Competency.kinds))):
            for key in (name_key(competency.name), name_key(str(competency))):
                self.competencies.setdefault(key, competency)
        self.offered: dict[tuple[int, int], OfferedCategory] = {
            (oc.offered_competency.competency_id, oc.category_id): oc
            for oc in db.session.scalars(
                select(OfferedCategory).join(OfferedCompetency)
                .where(OfferedCompetency.competition_id == competition.id)
                .options(selectinload(OfferedCategory.offered_competency),
                         selectinload(OfferedCategory.category)))
        }
        entries = db.session.scalars(
            select(Entry).join(OfferedCategory).join(OfferedCompetency)
            .where(OfferedCompetency.competition_id == competition.id)
            .options(selectinload(Entry.members))).all()
        self.entry_of_person: dict[tuple[int, int], Entry] = {}
        self.team_entries: dict[tuple[int, str], Entry] = {}
        for entry in entries:
            for member in entry.members:
                self.entry_of_person[(entry.offered_category_id, member.person_id)] = entry
            if entry.team_name is not None:
                self.team_entries[(entry.offered_category_id, name_key(entry.team_name))] = entry

    def persons(self, keys: set[str]) -> dict[str, Person]:
        found: dict[str, Person] = {}
        keys = sorted(keys)
        for start in range(0, len(keys), _BATCH):
            for person in db.session.scalars(
                    select(Person).where(Person.identity_key.in_(keys[start:start + _BATCH]))):
                found[person.identity_key] = person
        return found

    def organisations(self, region_ids: set[int]) -> dict[tuple[int, str], Organisation]:
        if not region_ids:
            return {}
        return {
            (o.region_id, o.name_key): o
            for o in db.session.scalars(
                select(Organisation).where(Organisation.region_id.in_(sorted(region_ids))))
        }


def plan_table(plan: ImportPlan, table: Table) -> ImportPlan:
    if not table.rows:
        plan.file_problems.append(Problem(None, None, _("The file is empty.")))
        return plan
    header_index = _find_header(table)
    mapping = _map_header(plan, table.rows[header_index][1])
    if plan.file_problems:
        return plan
    ref = _Reference(plan.competition)
    plan.offered = ref.offered
    for number, cells in table.rows[header_index + 1:]:
        text: dict[str, object] = {}
        for index, column in mapping.items():
            text[column.field] = cells[index] if index < len(cells) else None
        if all(v is None for v in text.values()):
            continue  # only cells outside the known columns
        plan.rows.append(_check_row(plan, ref, number, text))
    if not plan.rows:
        plan.file_problems.append(Problem(None, None, _("The file has a header but no rows of "
                                                        "participants.")))
        return plan
    _resolve_existing(plan, ref)
    _check_together(plan, ref)
    _count(plan)
    return plan


def _check_row(plan: ImportPlan, ref: _Reference, number: int, raw: dict) -> PlanRow:
    row = PlanRow(number=number, text={name: _text(value) for name, value in raw.items()})
    for name, value in raw.items():
        if isinstance(value, str) and value.lstrip().startswith("="):
            row.problem(plan, name, _("formulas are not accepted; enter the value itself."))
            row.text[name] = None
            raw[name] = None

    for name in ("last_name", "first_name", "middle_name"):
        value = row.value(name)
        if value is None:
            if COLUMNS_BY_FIELD[name].required and not _has_problem(row, plan, name):
                row.problem(plan, name, _("required."))
            continue
        if len(value) > 100:
            row.problem(plan, name, _("too long (at most %(n)d characters).", n=100))
        elif any(ch.isdigit() for ch in value) or not any(ch.isalpha() for ch in value):
            row.problem(plan, name, _("«%(value)s» does not look like a name.", value=value))

    row.birth_date = _date_field(plan, row, raw, "birth_date", required=True)
    if row.birth_date is not None and (row.birth_date > date.today()
                                       or row.birth_date.year < 1900):
        row.problem(plan, "birth_date", _("the date %(day)s is not plausible.",
                                          day=row.birth_date.strftime("%d.%m.%Y")))
        row.birth_date = None
    row.consent_date = _date_field(plan, row, raw, "consent_date", required=False)
    if row.consent_date is not None and row.consent_date > date.today():
        row.problem(plan, "consent_date", _("the consent date is in the future."))
        row.consent_date = None

    region_text = row.value("region")
    if region_text is None:
        _required(plan, row, "region")
    else:
        row.region = ref.regions.match(region_text)
        if row.region is None:
            row.problem(plan, "region", _("unknown region «%(value)s».", value=region_text))

    organisation = row.value("organisation")
    if organisation is None:
        _required(plan, row, "organisation")
    elif len(organisation) > 500:
        row.problem(plan, "organisation", _("too long (at most %(n)d characters).", n=500))

    competency_text = row.value("competency")
    if competency_text is None:
        _required(plan, row, "competency")
    else:
        competency = ref.competencies.get(name_key(competency_text))
        if competency is None:
            row.problem(plan, "competency", _(
                "unknown competency «%(value)s»: it is not in the reference data.",
                value=competency_text))
        elif ref.kind not in competency.kinds:
            row.problem(plan, "competency", _(
                "«%(value)s» is not a competency of %(kind)s.",
                value=competency.name, kind=ref.kind.short_name))
        else:
            row.competency = competency

    category_text = row.value("category")
    if category_text is None:
        _required(plan, row, "category")
    else:
        key = name_key(category_text)
        category = ref.categories.get(key)
        if category is not None:
            row.category = category
        elif key in ref.other_categories:
            row.problem(plan, "category", _(
                "«%(value)s» is a category of %(other)s, not of %(kind)s.",
                value=category_text, other=ref.other_categories[key].kind.short_name,
                kind=ref.kind.short_name))
        else:
            row.problem(plan, "category", _(
                "unknown category «%(value)s»; %(kind)s has: %(names)s.",
                value=category_text, kind=ref.kind.short_name,
                names=", ".join(f"«{c.name}»" for c in ref.kind.categories)))

    team = row.value("team")
    if team is not None and len(team) > 200:
        row.problem(plan, "team", _("too long (at most %(n)d characters).", n=200))
    elif team is not None:
        row.team_key = name_key(team)

    email = row.value("email")
    if email is not None and (len(email) > 254 or not _EMAIL.match(email)):
        row.problem(plan, "email", _("«%(value)s» is not an e-mail address.", value=email))
    phone = row.value("phone")
    if phone is not None and (len(phone) > 40 or sum(ch.isdigit() for ch in phone) < 5):
        row.problem(plan, "phone", _("«%(value)s» is not a phone number.", value=phone))

    if row.value("last_name") and row.value("first_name") and row.birth_date:
        row.identity = person_key(row.value("last_name"), row.value("first_name"),
                                  row.value("middle_name"), row.birth_date)
    return row


def _has_problem(row: PlanRow, plan: ImportPlan, name: str) -> bool:
    column = plan.column_name(name)
    return any(p.column == column for p in row.problems)


def _required(plan: ImportPlan, row: PlanRow, name: str) -> None:
    if not _has_problem(row, plan, name):
        row.problem(plan, name, _("required."))


def _date_field(plan: ImportPlan, row: PlanRow, raw: dict, name: str, *,
                required: bool) -> date | None:
    value = raw.get(name)
    if value is None:
        if required:
            _required(plan, row, name)
        return None
    try:
        return parse_date(value)
    except (ValueError, OverflowError):
        row.problem(plan, name, _("«%(value)s» is not a date; write it as DD.MM.YYYY, "
                                  "e.g. 14.03.2007.", value=_text(value)))
        return None


def _resolve_existing(plan: ImportPlan, ref: _Reference) -> None:
    persons = ref.persons({row.identity for row in plan.rows if row.identity})
    organisations = ref.organisations({row.region.id for row in plan.rows if row.region})
    for row in plan.rows:
        if row.identity:
            row.person = persons.get(row.identity)
        if row.region is not None and row.value("organisation"):
            row.organisation = organisations.get(
                (row.region.id, name_key(row.value("organisation"))))


def _check_together(plan: ImportPlan, ref: _Reference) -> None:
    """The rows together: one person per competency and category, the same person with the
    same region and organisation, teams, what is registered already, age rules."""
    first_row_of_person: dict[str, PlanRow] = {}
    seen: dict[tuple[int, int, str], PlanRow] = {}
    groups: dict[tuple, PlannedEntry] = {}
    for row in plan.rows:
        if row.identity is None:
            continue
        first = first_row_of_person.setdefault(row.identity, row)
        if first is not row:
            if row.region and first.region and row.region.id != first.region.id:
                row.problem(plan, "region", _(
                    "the same person is in row %(row)d with the region «%(other)s».",
                    row=first.number, other=first.region.name))
            elif (row.value("organisation") and first.value("organisation")
                  and name_key(row.value("organisation"))
                  != name_key(first.value("organisation"))):
                row.problem(plan, "organisation", _(
                    "the same person is in row %(row)d with the organisation «%(other)s».",
                    row=first.number, other=first.value("organisation")))
        if row.competency is None or row.category is None:
            continue
        key = (row.competency.id, row.category.id, row.identity)
        if key in seen:
            row.problem(plan, "last_name", _(
                "this person is already in row %(row)d for the same competency and category.",
                row=seen[key].number))
            continue
        seen[key] = row
        if row.team_key is not None:
            group_key = (row.competency.id, row.category.id, "team", row.team_key)
        else:
            group_key = (row.competency.id, row.category.id, "person", row.identity)
        group = groups.get(group_key)
        if group is None:
            group = groups[group_key] = PlannedEntry(row.competency, row.category,
                                                     row.value("team"), [])
        group.rows.append(row)
    plan.entries = list(groups.values())
    for group in plan.entries:
        _check_entry(plan, ref, group)


def _check_entry(plan: ImportPlan, ref: _Reference, group: PlannedEntry) -> None:
    offered = ref.offered.get((group.competency.id, group.category.id))
    rows = group.rows
    if group.team_name is None:
        row = rows[0]
        existing = (ref.entry_of_person.get((offered.id, row.person.id))
                    if offered is not None and row.person is not None else None)
        if existing is not None and existing.team_name is None:
            group.existing = existing
        elif existing is not None:
            row.problem(plan, "team", _(
                "this person is registered in the team «%(team)s» in this competency and "
                "category; fill in that team or leave the row out.", team=existing.team_name))
            return
        if group.competency.is_team and group.existing is None:
            row.warnings.append(_("«%(competency)s» is a team competency, but the row names no "
                                  "team.", competency=group.competency.name))
    else:
        existing = (ref.team_entries.get((offered.id, name_key(group.team_name)))
                    if offered is not None else None)
        if existing is not None:
            members = {m.person_id for m in existing.members}
            in_file = {row.person.id for row in rows if row.person is not None}
            if len(in_file) == len(rows) and in_file == members:
                group.existing = existing
            else:
                for row in rows:
                    row.problem(plan, "team", _(
                        "the team «%(team)s» is already registered here with other members.",
                        team=existing.team_name))
                return
        else:
            if len(rows) < registration.MIN_TEAM_SIZE:
                rows[0].problem(plan, "team", _(
                    "the team «%(team)s» has only one member in the file; a team needs at least "
                    "%(n)d.", team=group.team_name, n=registration.MIN_TEAM_SIZE))
            elif len(rows) > MAX_TEAM_SIZE:
                for row in rows[MAX_TEAM_SIZE:]:
                    row.problem(plan, "team", _(
                        "the team «%(team)s» has %(count)d members; a team has at most %(n)d.",
                        team=group.team_name, count=len(rows), n=MAX_TEAM_SIZE))
            first = rows[0]
            for row in rows[1:]:
                if row.region and first.region and row.region.id != first.region.id:
                    row.problem(plan, "region", _(
                        "the team «%(team)s» is from «%(other)s» in row %(row)d; a team "
                        "represents one region.", team=group.team_name,
                        other=first.region.name, row=first.number))
            for row in rows:
                if row.value("team") != group.team_name:
                    row.warnings.append(_("the team is written «%(team)s» in row %(row)d; that "
                                          "spelling is used.", team=group.team_name,
                                          row=first.number))
                taken = (ref.entry_of_person.get((offered.id, row.person.id))
                         if offered is not None and row.person is not None else None)
                if taken is not None:
                    row.problem(plan, "team", _(
                        "this person is already registered in this competency and category "
                        "(%(entry)s).", entry=taken.team_name or _("individually")))
            if not group.competency.is_team:
                first.warnings.append(_("«%(competency)s» is not marked as a team competency "
                                        "in the reference data.",
                                        competency=group.competency.name))
    for row in rows:
        row.entry_status = "registered" if group.existing is not None else "new"
    if group.existing is not None:
        return
    if offered is None:
        pair = (group.competency, group.category)
        if pair not in plan.offers:
            plan.offers.append(pair)
        rows[0].notes.append(_("«%(competency)s» in «%(category)s» is not offered by the "
                               "competition yet: it will be added.",
                               competency=group.competency.name, category=group.category.name))
        offered_like = SimpleNamespace(
            id=None, category=group.category,
            offered_competency=SimpleNamespace(competition=plan.competition))
    else:
        offered_like = offered
    for row in rows:
        # A transient person (never added to the session): only the age rules are asked;
        # registration was checked above against the entries loaded once.
        transient = Person(last_name=row.value("last_name"), first_name=row.value("first_name"),
                           middle_name=row.value("middle_name"), birth_date=row.birth_date)
        for message in registration.eligibility_problems(transient, offered_like):
            row.problem(plan, "birth_date", message)


def _count(plan: ImportPlan) -> None:
    counts = Counts(rows=len(plan.rows))
    created, reused, organisations = set(), set(), set()
    for row in plan.rows:
        if row.identity:
            (reused if row.person is not None else created).add(row.identity)
        if row.region is not None and row.value("organisation"):
            if row.organisation is None:
                organisations.add((row.region.id, name_key(row.value("organisation"))))
                row.notes.append(_("New organisation in %(region)s.", region=row.region.name))
    counts.persons_created, counts.persons_reused = len(created), len(reused)
    counts.organisations_created = len(organisations)
    for group in plan.entries:
        if group.existing is not None:
            counts.already_registered += 1
        else:
            counts.entries += 1
            counts.teams += group.team_name is not None
    counts.offers_added = len(plan.offers)
    plan.counts = counts


# --- writing -------------------------------------------------------------------------------

def apply(plan: ImportPlan, *, actor=None) -> Counts:
    """Write a plan without problems in one transaction; on any failure roll back and raise
    ``ImportRefused`` (for rules) or the exception itself (anything unexpected)."""
    if not plan.ok:
        raise ImportRefused(plan.problems or [Problem(None, None, _("Nothing to import."))])
    competition = plan.competition
    try:
        offered = dict(plan.offered)
        for competency, category in plan.offers:
            offered[(competency.id, category.id)] = competition_service.offer(
                competition, competency, category, actor=actor)
        # Every row was checked when the plan was made (the same rules as the forms:
        # registration.eligibility_problems and friends); here the plan is written in bulk:
        # a few queries to find what exists, then a few multi-row INSERTs.
        with db.session.no_autoflush:
            org_names = {(row.region.id, name_key(row.value("organisation"))): row
                         for row in plan.rows}
            organisations = registration.organisations_by_key(set(org_names))
            for key, row in org_names.items():
                if key not in organisations:
                    organisations[key] = registration.build_organisation(
                        row.value("organisation"), row.region)
            db.session.flush()  # the new organisations get their ids
            existing = registration.persons_by_identity({row.identity for row in plan.rows})
            persons = {key: person.id for key, person in existing.items()}
            new: dict[str, registration.PersonData] = {}
            for row in plan.rows:
                data = registration.PersonData(
                    last_name=row.value("last_name"), first_name=row.value("first_name"),
                    middle_name=row.value("middle_name"), birth_date=row.birth_date,
                    region=row.region,
                    organisation=organisations[(row.region.id, name_key(row.value("organisation")))],
                    email=row.value("email"), phone=row.value("phone"),
                    consent_date=row.consent_date)
                if row.identity in existing:
                    registration.fill_missing(existing[row.identity], data)
                else:
                    new.setdefault(row.identity, data)
            persons.update(registration.bulk_create_persons(list(new.values())))
            registration.bulk_create_entries(
                [(offered[(group.competency.id, group.category.id)].id, group.team_name,
                  [persons[row.identity] for row in group.rows])
                 for group in plan.entries if group.existing is None],
                actor=actor)
        db.session.flush()
        record("participants.import", competition, user=actor, competition_id=competition.id,
               file=plan.filename, **plan.counts.as_dict())
        db.session.flush()
    except ServiceError as error:
        raise ImportRefused([Problem(None, None, error.message)]) from error
    except SQLAlchemyError as error:
        raise ImportRefused([Problem(None, None, _(
            "The database refused the import (someone may have changed the same records at the "
            "same time); nothing was saved. Upload the file again."))]) from error
    return plan.counts
