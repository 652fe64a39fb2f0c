"""Joins that many list queries share: from an entry to its members, and to the competition
chain (category, competency, competition)."""
from __future__ import annotations

from sqlalchemy import Select

from .models import (
    Category,
    Competency,
    Competition,
    Entry,
    EntryMember,
    OfferedCategory,
    OfferedCompetency,
    Organisation,
    Person,
)


def join_members(query: Select, home) -> Select:
    """From a select that has ``Entry``: its members, their persons, their home region
    (``home``, an alias of Region) and their organisation (if any)."""
    return (query.join(EntryMember, EntryMember.entry_id == Entry.id)
            .join(Person, Person.id == EntryMember.person_id)
            .join(home, home.id == Person.region_id)
            .outerjoin(Organisation, Organisation.id == Person.organisation_id))


def join_contest(query: Select) -> Select:
    """From a select that has ``Entry``: its category, competency and competition."""
    return (query.join(OfferedCategory, OfferedCategory.id == Entry.offered_category_id)
            .join(Category, Category.id == OfferedCategory.category_id)
            .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
            .join(Competency, Competency.id == OfferedCompetency.competency_id)
            .join(Competition, Competition.id == OfferedCompetency.competition_id))
