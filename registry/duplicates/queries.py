"""Reads of the duplicates pages: the records of the pairs shown, with their entries, in a
fixed number of queries whatever the number of pairs."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Organisation, Person
from ..services.duplicates import Pair
from ..services.organisation_merge import person_counts
from ..services.person_merge import EntryLine, entry_lines


@dataclass
class PersonPairView:
    pair: Pair
    first: Person
    second: Person
    first_entries: list[EntryLine]
    second_entries: list[EntryLine]


@dataclass
class OrganisationPairView:
    pair: Pair
    first: Organisation
    second: Organisation
    first_persons: int
    second_persons: int


def _persons(ids: set[int]) -> dict[int, Person]:
    if not ids:
        return {}
    return {p.id: p for p in db.session.scalars(
        select(Person).where(Person.id.in_(sorted(ids)))
        .options(selectinload(Person.region), selectinload(Person.organisation)))}


def person_pairs(pairs: list[Pair]) -> list[PersonPairView]:
    ids = {i for p in pairs for i in (p.first_id, p.second_id)}
    persons = _persons(ids)
    lines = entry_lines(sorted(ids)) if ids else {}
    return [PersonPairView(p, persons[p.first_id], persons[p.second_id],
                           lines[p.first_id], lines[p.second_id])
            for p in pairs if p.first_id in persons and p.second_id in persons]


def person_lines(persons: list[Person]) -> dict[int, list[EntryLine]]:
    return entry_lines([p.id for p in persons])


def organisation_pairs(pairs: list[Pair]) -> list[OrganisationPairView]:
    ids = sorted({i for p in pairs for i in (p.first_id, p.second_id)})
    if not ids:
        return []
    found = {o.id: o for o in db.session.scalars(
        select(Organisation).where(Organisation.id.in_(ids))
        .options(selectinload(Organisation.region)))}
    counts = person_counts(ids)
    return [OrganisationPairView(p, found[p.first_id], found[p.second_id],
                                 counts[p.first_id], counts[p.second_id])
            for p in pairs if p.first_id in found and p.second_id in found]
