"""What a person has done across stages and years: published results, awards, offers.

Read-only helpers for the person's page; each answers in a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (
    Award,
    Competency,
    Competition,
    Entry,
    InternshipOffer,
)
from ..queries import join_contest, prepared
from .awards import awards_of_person
from .published import latest_rows_of_categories


@dataclass
class PublishedResult:
    entry: Entry
    competition: Competition
    competency: str
    category: str
    total: Decimal | None
    rank: int | None
    award: str | None


def published_results(entries: list[tuple]) -> list[PublishedResult]:
    """Results of these entries as last published (provisional results are not shown here).

    ``entries``: rows of (Entry, Competition, kind, Competency, Category) as
    ``registration.queries.person_entries`` gives them. A category is as the latest
    publication holding it published it (publications are per competency or of a whole
    competition), never the live marks. One query, by index, on the rows each publication
    keeps per category (``PublishedCategory``; a final's whole snapshot is large)."""
    keys = sorted({row[0].offered_category_id for row in entries})
    if not keys:
        return []
    published = latest_rows_of_categories(keys)
    results = []
    for entry, competition, _kind, competency, category in entries:
        for entry_id, total, rank, award in published.get(entry.offered_category_id, []):
            if entry_id == entry.id:
                results.append(PublishedResult(
                    entry, competition, competency.name, category.name,
                    Decimal(total) if total is not None else None, rank, award))
    return results


@prepared
def _offers_of_person():
    return (select(InternshipOffer).where(InternshipOffer.person_id == bindparam("person_id"))
            .options(joinedload(InternshipOffer.partner), joinedload(InternshipOffer.award),
                     joinedload(InternshipOffer.state_changed_by))
            .order_by(InternshipOffer.created_at.desc()))


def offers_of_person(person) -> list[InternshipOffer]:
    return list(db.session.scalars(_offers_of_person(), {"person_id": person.id}))


def awards(person, entries: list[tuple]) -> tuple[list[Award], dict[int, str]]:
    """The person's awards, and the competency of each award's entry (``{entry_id: name}``);
    ``entries`` as ``registration.queries.person_entries`` gives them: their ids spare a
    query, and their competencies a join per award. An award held by the person of an entry
    they are no longer a member of (rare) costs one query for all such entries."""
    found = awards_of_person(person, [row[0].id for row in entries], with_entries=False)
    competency_of = {row[0].id: row[3].name for row in entries}
    others = {a.entry_id for a in found if a.entry_id is not None} - competency_of.keys()
    if others:  # with their entries, which the page shows too (then in the session)
        for entry, name in db.session.execute(
                join_contest(select(Entry, Competency.name)).where(Entry.id.in_(others))):
            competency_of[entry.id] = name
    return found, competency_of
