"""The entries of a competition as its standings read them: every entry with its members,
their regions and organisations, in one query of plain columns.

The standings only read an entry (its id, category, team name, status, «вне конкурса») and
its members (number, name, region, organisation), never change one through them, and a whole
competition has hundreds: loaded as ORM objects with their joined members, persons, regions
and organisations, the 616 entries of a regional competition took 23–33 ms; as these plain
objects, 4 ms. Whatever needs the real ``Entry`` (to change it) loads it by id.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, select

from ..extensions import db
from ..models import Entry, EntryMember, OfferedCategory, OfferedCompetency, Organisation, Person, Region
from ..queries import prepared


def scope(query, one_competency: bool):
    """Restrict a query that joins OfferedCompetency to a competition, and to one of its
    competencies when ``one_competency``: the values are bound when the query runs
    (``scope_values``), so that each shape of a standings query is built once
    (``queries.prepared``)."""
    query = query.where(OfferedCompetency.competition_id == bindparam("competition_id"))
    if one_competency:
        query = query.where(OfferedCompetency.id == bindparam("offered_competency_id"))
    return query


def scope_values(competition_id: int, offered_competency_id: int | None) -> dict:
    """The values of ``scope``'s parameters."""
    values = {"competition_id": competition_id}
    if offered_competency_id is not None:
        values["offered_competency_id"] = offered_competency_id
    return values


def scoped(build):
    """``build(one_competency)``'s statement kept per shape; called with a competition and
    an offered competency (or None), it gives the statement and its values."""
    kept = prepared(build)

    def statement(competition_id: int, offered_competency_id: int | None):
        return (kept(offered_competency_id is not None),
                scope_values(competition_id, offered_competency_id))

    return statement


class Named:
    """A region or an organisation as the standings show it."""

    __slots__ = ("id", "name")

    def __init__(self, id: int, name: str):  # noqa: A002 (the column's name)
        self.id, self.name = id, name

    def __str__(self) -> str:
        return self.name


class StandingPerson:
    """A member's person: the columns the standings, their exports and charts read;
    ``full_name``, ``age_on`` and ``str`` are the ``Person``'s own."""

    __slots__ = ("id", "number", "last_name", "first_name", "middle_name", "birth_date",
                 "region_id", "region", "organisation_id", "organisation")
    full_name = Person.full_name
    age_on = Person.age_on
    __str__ = Person.__str__

    def __init__(self, id: int, number: int, last_name: str, first_name: str,  # noqa: A002
                 middle_name: str | None, birth_date: date, region: Named,
                 organisation: Named | None):
        self.id, self.number = id, number
        self.last_name, self.first_name, self.middle_name = last_name, first_name, middle_name
        self.birth_date = birth_date
        self.region_id, self.region = region.id, region
        self.organisation_id = organisation.id if organisation is not None else None
        self.organisation = organisation


class StandingMember:
    __slots__ = ("id", "person_id", "person")

    def __init__(self, id: int, person: StandingPerson):  # noqa: A002
        self.id, self.person_id, self.person = id, person.id, person


class StandingEntry:
    """An entry as the standings read it (``Entry``'s columns of the same names)."""

    __slots__ = ("id", "offered_category_id", "team_name", "status", "out_of_competition",
                 "members")

    def __init__(self, id: int, offered_category_id: int, team_name: str | None,  # noqa: A002
                 status: str, out_of_competition: bool):
        self.id, self.offered_category_id, self.team_name = id, offered_category_id, team_name
        self.status, self.out_of_competition = status, bool(out_of_competition)
        self.members: list[StandingMember] = []

    @property
    def is_team(self) -> bool:
        return self.team_name is not None


@scoped
def _entries(one_competency: bool):
    return scope(
        select(Entry.id, Entry.offered_category_id, Entry.team_name, Entry.status,
               Entry.out_of_competition, EntryMember.id, Person.id, Person.number,
               Person.last_name, Person.first_name, Person.middle_name, Person.birth_date,
               Region.id, Region.name, Organisation.id, Organisation.name)
        .select_from(Entry)
        .join(OfferedCategory, OfferedCategory.id == Entry.offered_category_id)
        .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
        .outerjoin(EntryMember, EntryMember.entry_id == Entry.id)
        .outerjoin(Person, Person.id == EntryMember.person_id)
        .outerjoin(Region, Region.id == Person.region_id)
        .outerjoin(Organisation, Organisation.id == Person.organisation_id),
        one_competency).order_by(Entry.id, EntryMember.id)


def entries(competition_id: int, offered_competency_id: int | None = None
            ) -> list[StandingEntry]:
    """Every entry of the competition (or of one competency), by id, its members in
    registration order: one query. A region or an organisation is one object however many
    members it has."""
    found: dict[int, StandingEntry] = {}
    regions: dict[int, Named] = {}
    organisations: dict[int, Named] = {}
    for (entry_id, category_id, team, status, out, member_id, person_id, number, last, first,
         middle, birth, region_id, region_name, organisation_id,
         organisation_name) in db.session.execute(*_entries(competition_id,
                                                            offered_competency_id)):
        entry = found.get(entry_id)
        if entry is None:
            entry = found[entry_id] = StandingEntry(entry_id, category_id, team, status, out)
        if member_id is None:
            continue
        region = regions.get(region_id)
        if region is None:
            region = regions[region_id] = Named(region_id, region_name)
        organisation = None
        if organisation_id is not None:
            organisation = organisations.get(organisation_id)
            if organisation is None:
                organisation = organisations[organisation_id] = Named(organisation_id,
                                                                      organisation_name)
        entry.members.append(StandingMember(member_id, StandingPerson(
            person_id, number, last, first, middle, birth, region, organisation)))
    return list(found.values())
