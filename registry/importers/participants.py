"""Importing participants from a spreadsheet: read and check every row into a plan, then write.

``build_plan(competition, data)`` reads the file (``base.read_plan``), parses each row here,
and checks the rows together against the database (``participants_plan``: the same person
twice, teams, eligibility, what is already registered) without writing anything; the preview
page and ``--dry-run`` show that plan. ``apply(plan)`` (``participants_write``) writes a plan
without problems in bulk; it flushes and audits, and the request or command that called it
commits once (``registry/transaction.py``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..i18n import gettext as _
from ..models import (
    Category,
    Competency,
    Competition,
    Organisation,
    Person,
    Region,
    name_key,
    person_key,
)
from ..services import ServiceError, person_numbers, registration
from ..services import offerings as offering_service
from ..services import persons as person_service
from . import cells
from .base import Column, ImportRefused, Plan, Problem, Row, Spec, read_plan
from .cells import parse_date
from .participants_plan import Counts, PlannedEntry, Reference, check_together
from .participants_write import apply

__all__ = ["COLUMNS", "ImportPlan", "ImportRefused", "PlanRow", "Problem", "apply",
           "build_plan", "parse_date"]

def number_cell(value) -> int | None:
    """A registry number as the exports write it («П-000123»; digits alone are taken too)."""
    written = cells.text(value)
    if written is None:
        return None
    number = person_numbers.parse_number(written)
    if number is None:
        raise cells.CellError(_("«%(value)s» is not a participant number (like %(example)s).",
                                value=written, example=person_numbers.format_number(123)))
    return number


SPEC = Spec(
    Column("last_name", "Фамилия", True, ("surname",), cells.name_cell),
    Column("first_name", "Имя", True, ("given name",), cells.name_cell),
    Column("middle_name", "Отчество", False, ("patronymic",), cells.name_cell),
    Column("birth_date", "Дата рождения", True, ("date of birth",), cells.date_cell),
    Column("region", "Регион", True, ("Субъект РФ",)),
    Column("organisation", "Организация", True,
           ("organization", "Образовательная организация"), cells.limited(500)),
    Column("competency", "Компетенция", True),
    Column("category", "Категория", True),
    Column("team", "Команда", False, ("team name", "Название команды"), cells.limited(200)),
    Column("email", "Email", False, ("e-mail", "Электронная почта", "Эл. почта"),
           cells.email_cell),
    Column("phone", "Телефон", False, (), cells.phone_cell),
    Column("consent_date", "Согласие на обработку ПДн", False,
           ("Дата согласия на обработку ПДн", "Согласие на обработку персональных данных"),
           cells.date_cell),
    Column("guardian_name", "ФИО законного представителя", False,
           ("guardian", "guardian name", "Законный представитель",
            "Родитель (законный представитель)"), cells.limited(300)),
    Column("guardian_consent_date", "Дата согласия законного представителя", False,
           ("guardian consent date", "Согласие законного представителя"), cells.date_cell),
    Column("publication_consent", "Согласие на публикацию результатов", False,
           ("consent to publication", "Публикация результатов", "Согласие на публикацию"),
           cells.yes_no_cell),
    Column("guardian_publication_consent",
           "Согласие законного представителя на публикацию результатов", False,
           ("guardian consent to publication",
            "Согласие законного представителя на публикацию"), cells.yes_no_cell),
    Column("out_of_competition", "Вне конкурса", False,
           ("Вне зачёта", "Вне зачета", "out of competition"), cells.yes_no_cell),
    # Optional: an export carries it, so that it re-imports unchanged; when given it must be
    # the number of the person the row names (``_check_numbers``).
    Column("number", "Номер участника", False, ("participant number", "registry number"),
           number_cell),
    template_hint=True,
)
COLUMNS = SPEC.columns


@dataclass
class PlanRow(Row):
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    birth_date: date | None = None
    consent_date: date | None = None
    guardian_consent_date: date | None = None
    publication_consent: bool = False
    guardian_publication_consent: bool = False
    region: Region | None = None
    organisation: Organisation | None = None    # an existing one; None = created on import
    competency: Competency | None = None
    category: Category | None = None
    identity: str | None = None
    person: Person | None = None                # an existing one; None = created on import
    entry_status: str | None = None             # "new", "registered" (already), None
    team_key: str | None = None
    out_of_competition: bool = False            # «Вне конкурса»: да / нет (empty = нет)

    @property
    def person_status(self) -> str | None:
        if self.identity is None:
            return None
        return "existing" if self.person is not None else "new"


@dataclass
class ImportPlan(Plan):
    competition: Competition | None = None
    entries: list[PlannedEntry] = field(default_factory=list)
    offers: list[tuple[Competency, Category]] = field(default_factory=list)
    offered: dict = field(default_factory=dict)
    new_team: dict[int, bool] = field(default_factory=dict)  # competency id → offered as team
    counts: Counts = field(default_factory=Counts)


def build_plan(competition: Competition, data: bytes, *, filename: str | None = None,
               max_rows: int | None = None, on_row=None) -> ImportPlan:
    """Read and validate; writes nothing. ``on_row()`` (a progress bar's) is called after each
    row is checked."""
    plan = ImportPlan(competition=competition, filename=filename)
    if not read_plan(plan, data, SPEC, row_type=PlanRow, max_rows=max_rows):
        return plan
    if not plan.rows:
        plan.problem(_("The file has a header but no rows of participants."))
        return plan
    ref = Reference(competition)
    plan.offered = ref.offered
    for row in plan.rows:
        _parse_row(ref, row)
        if on_row is not None:
            on_row()
    check_together(plan, ref)
    _check_numbers(plan)
    # A closed competition takes no new entries; a file that adds none is still just
    # reported as adding nothing.
    if plan.counts.entries and (closed := registration.closed_problem(competition)):
        plan.problem(closed)
    return plan


def _check_numbers(plan: ImportPlan) -> None:
    """A number in a row must be that of the person the row names (by name and birth date):
    a number that names someone else is a mistake in the file, never a silent rename."""
    numbered = [(row, row.cell("number")) for row in plan.rows if row.value("number") is not None
                and not row.has_problem("number")]
    if not numbered:
        return
    owners = person_numbers.numbers_of({number for _row, number in numbered})
    persons = {p.id: p for p in person_service.persons_by_ids(set(owners.values()))}
    for row, number in numbered:
        owner = persons.get(owners.get(number))
        shown = person_numbers.format_number(number)
        if owner is None:
            row.problem("number", _("no participant has the number %(number)s.", number=shown))
        elif row.identity is not None and (row.person is None or row.person.id != owner.id):
            row.problem("number", _(
                "the number %(number)s is that of %(name)s, born %(date)s; correct the row or "
                "leave the number empty.", number=shown, name=owner.full_name,
                date=owner.birth_date.strftime("%d.%m.%Y")))


def _parse_row(ref: Reference, row: PlanRow) -> None:
    for key in ("number", "last_name", "first_name", "middle_name", "organisation", "team",
                "email", "phone", "guardian_name"):
        row.cell(key)
    row.birth_date = row.cell("birth_date")
    if row.birth_date is not None and (row.birth_date > date.today()
                                       or row.birth_date.year < 1900):
        row.problem("birth_date", _("the date %(day)s is not plausible.",
                                    day=row.birth_date.strftime("%d.%m.%Y")))
        row.birth_date = None
    row.consent_date = row.cell("consent_date")
    if row.consent_date is not None and row.consent_date > date.today():
        row.problem("consent_date", _("the consent date is in the future."))
        row.consent_date = None
    row.guardian_consent_date = row.cell("guardian_consent_date")
    if row.guardian_consent_date is not None:
        if row.guardian_consent_date > date.today():
            row.problem("guardian_consent_date", _("the consent date is in the future."))
            row.guardian_consent_date = None
        elif not row.value("guardian_name") and not row.has_problem("guardian_name"):
            row.problem("guardian_name", _("name the parent or guardian who gave the consent."))
    row.publication_consent = bool(row.cell("publication_consent"))
    row.guardian_publication_consent = bool(row.cell("guardian_publication_consent"))
    if (row.guardian_publication_consent and row.guardian_consent_date is None
            and not row.value("guardian_name") and not row.has_problem("guardian_name")):
        row.problem("guardian_name", _("name the parent or guardian who gave the consent."))

    region_text = row.cell("region")
    if region_text is not None:
        row.region = ref.regions.match(region_text)
        if row.region is None:
            row.problem("region", _("unknown region «%(value)s».", value=region_text))

    row.competency = _offered_thing(
        row, "competency", ref.competencies, offering_service.check_competency_kind, ref.kind,
        lambda text: _("unknown competency «%(value)s»: it is not in the reference data.",
                       value=text))
    row.category = _offered_thing(
        row, "category", ref.categories, offering_service.check_category_kind, ref.kind,
        lambda text: _("unknown category «%(value)s»; %(kind)s has: %(names)s.",
                       value=text, kind=ref.kind.short_name,
                       names=", ".join(f"«{c.name}»" for c in ref.kind.categories)))

    row.out_of_competition = bool(row.cell("out_of_competition"))
    if row.value("team") is not None and not row.has_problem("team"):
        row.team_key = name_key(row.value("team"))
    if row.value("last_name") and row.value("first_name") and row.birth_date:
        row.identity = person_key(row.value("last_name"), row.value("first_name"),
                                  row.value("middle_name"), row.birth_date)


def _offered_thing(row: PlanRow, key: str, known: dict, rule, kind, unknown):
    """The competency or category the cell names, if the reference data has it and the
    competition's rule (``services.offerings``) lets this kind offer it; else a problem."""
    text = row.cell(key)
    if text is None:
        return None
    thing = known.get(name_key(text))
    if thing is None:
        row.problem(key, unknown(text))
        return None
    try:
        rule(kind, thing)
    except ServiceError as error:
        row.problem(key, error.message)
        return None
    return thing
