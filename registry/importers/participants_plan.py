"""Checking the rows of a participants import together, against what the database holds.

``Reference`` loads once per import what the rows are checked against (regions,
competencies, categories, what the competition offers, its entries); persons and
organisations are looked up in batches. ``check_together`` groups the rows into entries and
asks the rules of ``services.registration`` (eligibility, team size) about each; what is
registered already is skipped, so that importing the same file again changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING

from flask import g
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..i18n import gettext as _
from ..models import (
    Category,
    Competency,
    Competition,
    Entry,
    OfferedCategory,
    OfferedCompetency,
    Organisation,
    Person,
    name_key,
    organisation_key,
)
from ..services import reference, registration
from ..services.regions import region_lookup
from ..text import quoted

if TYPE_CHECKING:
    from .participants import ImportPlan, PlanRow

_BATCH = 500


@dataclass
class PlannedEntry:
    competency: Competency
    category: Category
    team_name: str | None
    rows: list[PlanRow]
    existing: Entry | None = None               # already registered: skipped

    @property
    def out_of_competition(self) -> bool:
        """«Вне конкурса» as the rows say (a team's rows must agree: ``_check_entry``)."""
        return bool(self.rows) and self.rows[0].out_of_competition


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


class Reference:
    """What the rows are checked against, loaded once."""

    def __init__(self, competition: Competition):
        self.competition = competition
        self.kind = competition.kind
        self.regions = region_lookup()
        # By name: the kind's own category first, else another kind's (which the rule of
        # ``services.offerings`` then refuses with its message).
        self.categories: dict[str, Category] = {}
        for category in sorted(db.session.scalars(select(Category).options(
                selectinload(Category.kind))), key=lambda c: c.kind_id != competition.kind_id):
            self.categories.setdefault(name_key(category.name), category)
        # By name, code or alias (``services.reference.competency_index``).
        self.competencies = reference.competency_index(
            options=(selectinload(Competency.kinds),))
        self.offered: dict[tuple[int, int], OfferedCategory] = {
            (oc.offered_competency.competency_id, oc.category_id): oc
            for oc in db.session.scalars(
                select(OfferedCategory).join(OfferedCompetency)
                .where(OfferedCompetency.competition_id == competition.id)
                .options(selectinload(OfferedCategory.offered_competency),
                         selectinload(OfferedCategory.category)))
        }
        self.offered_competencies: dict[int, OfferedCompetency] = {
            oc.offered_competency.competency_id: oc.offered_competency
            for oc in self.offered.values()}
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


def _resolve_existing(plan: ImportPlan, ref: Reference) -> None:
    persons = ref.persons({row.identity for row in plan.rows if row.identity})
    organisations = ref.organisations({row.region.id for row in plan.rows if row.region})
    for row in plan.rows:
        if row.identity:
            row.person = persons.get(row.identity)
        if row.region is not None and row.value("organisation"):
            row.organisation = organisations.get(
                (row.region.id, organisation_key(row.value("organisation"))))


def check_together(plan: ImportPlan, ref: Reference) -> None:
    """The rows together: one person per competency and category, the same person with the
    same region and organisation, teams, what is registered already, age rules."""
    _resolve_existing(plan, ref)
    first_row_of_person: dict[str, PlanRow] = {}
    seen: dict[tuple[int, int, str], PlanRow] = {}
    groups: dict[tuple, PlannedEntry] = {}
    for row in plan.rows:
        if row.identity is None:
            continue
        first = first_row_of_person.setdefault(row.identity, row)
        if first is not row:
            if row.region and first.region and row.region.id != first.region.id:
                row.problem("region", _(
                    "the same person is in row %(row)d with the region «%(other)s».",
                    row=first.number, other=first.region.name))
            elif (row.value("organisation") and first.value("organisation")
                  and organisation_key(row.value("organisation"))
                  != organisation_key(first.value("organisation"))):
                row.problem("organisation", _(
                    "the same person is in row %(row)d with the organisation %(other)s.",
                    row=first.number, other=quoted(first.value("organisation"))))
        if row.competency is None or row.category is None:
            continue
        key = (row.competency.id, row.category.id, row.identity)
        if key in seen:
            row.problem("last_name", _(
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
    # A competency the import offers first is a team one if the file has teams in it, else
    # as the reference data marks it (services.offerings.offer).
    with_teams = {g.competency.id for g in plan.entries if g.team_name is not None}
    for group in plan.entries:
        if (group.competency.id, group.category.id) not in ref.offered \
                and group.competency.id not in ref.offered_competencies:
            plan.new_team[group.competency.id] = (group.competency.id in with_teams
                                                  or group.competency.is_team)
    for group in plan.entries:
        _check_entry(plan, ref, group)
    _count(plan)


def _shape(plan: ImportPlan, ref: Reference, group: PlannedEntry):
    """What decides individual or team for ``group``: the offered competency, or the one the
    import will offer."""
    existing = ref.offered_competencies.get(group.competency.id)
    if existing is not None:
        return existing
    return SimpleNamespace(competency=group.competency, team_min=None, team_max=None,
                           is_team=plan.new_team.get(group.competency.id,
                                                     group.competency.is_team))


def _check_out_of_competition(group: PlannedEntry) -> None:
    """A team is out of competition as a whole; an entry already registered keeps its own
    flag (it is changed on the entry's page, never silently by a file)."""
    first = group.rows[0]
    for row in group.rows[1:]:
        if row.out_of_competition != first.out_of_competition:
            row.problem("out_of_competition", _(
                "the team «%(team)s» is out of competition in row %(row)d and not here: a team "
                "takes part as a whole.", team=group.team_name, row=first.number)
                if first.out_of_competition else _(
                "the team «%(team)s» is in competition in row %(row)d: a team takes part as "
                "a whole.", team=group.team_name, row=first.number))
    existing = group.existing
    if existing is not None and bool(existing.out_of_competition) != first.out_of_competition:
        first.problem("out_of_competition", _(
            "this entry is already registered out of competition; change it on the entry's "
            "page.") if existing.out_of_competition else _(
            "this entry is already registered in competition; change it on the entry's page."))


def _check_entry(plan: ImportPlan, ref: Reference, group: PlannedEntry) -> None:
    _check_shape(plan, ref, group)
    _check_out_of_competition(group)


def _check_shape(plan: ImportPlan, ref: Reference, group: PlannedEntry) -> None:
    offered = ref.offered.get((group.competency.id, group.category.id))
    shape = _shape(plan, ref, group)
    rows = group.rows
    if group.team_name is None:
        row = rows[0]
        existing = (ref.entry_of_person.get((offered.id, row.person.id))
                    if offered is not None and row.person is not None else None)
        if existing is not None and existing.team_name is None:
            group.existing = existing
        elif existing is not None:
            row.problem("team", _(
                "this person is registered in the team «%(team)s» in this competency and "
                "category; fill in that team or leave the row out.", team=existing.team_name))
            return
        if group.existing is None and (
                problem := registration.entry_shape_problem(shape, 1, team=False)):
            row.problem("team", problem)
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
                    row.problem("team", _(
                        "the team «%(team)s» is already registered here with other members.",
                        team=existing.team_name))
                return
        else:
            size_problem = registration.entry_shape_problem(shape, len(rows), team=True)
            if size_problem and not shape.is_team:
                for row in rows:
                    row.problem("team", size_problem)
            elif size_problem:
                _low, high = registration.team_bounds(shape)
                extra = rows[high:] or rows[:1]
                for row in extra:
                    row.problem("team", _(
                        "the team «%(team)s» has %(count)d members in the file. %(rule)s",
                        team=group.team_name, count=len(rows), rule=size_problem))
            first = rows[0]
            for row in rows[1:]:
                if row.region and first.region and row.region.id != first.region.id:
                    row.problem("region", _(
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
                    row.problem("team", _(
                        "this person is already registered in this competency and category "
                        "(%(entry)s).", entry=taken.team_name or _("individually")))
            if (group.competency.id in plan.new_team and shape.is_team
                    and not group.competency.is_team):
                first.notes.append(_("«%(competency)s» will be offered as a team competency: "
                                     "the file has teams in it.",
                                     competency=group.competency.name))
    for row in rows:
        row.entry_status = "registered" if group.existing is not None else "new"
    if group.existing is not None:
        return
    if offered is None:
        pair = (group.competency, group.category)
        if pair not in plan.offers:
            plan.offers.append(pair)
        rows[0].notes.append(_not_offered_note(group.competency.name, group.category.name))
        offered_like = SimpleNamespace(
            id=None, category=group.category,
            offered_competency=SimpleNamespace(competition=plan.competition))
    else:
        offered_like = offered
    for row in rows:
        # A transient person (never added to the session): only the age rules are asked;
        # registration was checked above against the entries loaded once.
        transient = Applicant(row.value("last_name"), row.value("first_name"),
                              row.value("middle_name"), row.birth_date)
        for message in registration.eligibility_problems(transient, offered_like):
            row.problem("birth_date", message)


# The notes repeat on thousands of rows with a handful of different values: each is
# translated once per request or command (the cache is its application context's: flask.g).
def _note(key: tuple, make) -> str:
    cache = g.setdefault("_import_notes", {})
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _not_offered_note(competency: str, category: str) -> str:
    return _note(("not offered", competency, category), lambda: _(
        "«%(competency)s» in «%(category)s» is not offered by the competition yet: it will be "
        "added.", competency=competency, category=category))


def _new_organisation_note(region: str) -> str:
    return _note(("new organisation", region), lambda: _(
        "New organisation in %(region)s.", region=region))


@dataclass(slots=True)
class Applicant:
    """A person of a row as the age rules read one (``registration.eligibility_problems``):
    Person's own name and age rules on plain attributes, without an ORM object per row."""
    last_name: str
    first_name: str
    middle_name: str | None
    birth_date: object
    id = None

    full_name = Person.full_name
    age_on = Person.age_on


def _count(plan: ImportPlan) -> None:
    counts = Counts(rows=len(plan.rows))
    created, reused, organisations = set(), set(), set()
    for row in plan.rows:
        if row.identity:
            (reused if row.person is not None else created).add(row.identity)
        if row.region is not None and row.value("organisation"):
            if row.organisation is None:
                organisations.add((row.region.id, organisation_key(row.value("organisation"))))
                row.notes.append(_new_organisation_note(row.region.name))
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
