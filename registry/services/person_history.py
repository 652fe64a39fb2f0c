"""What a person has done across stages and years: published results, awards, offers.

Read-only helpers for the person's page; each answers in a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Award, Competition, Entry, InternshipOffer, PublishedCategory
from .awards import awards_of_person
from .published import latest_published_rows


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
    published = latest_published_rows(PublishedCategory.offered_category_id.in_(keys))
    results = []
    for entry, competition, _kind, competency, category in entries:
        for entry_id, total, rank, award in published.get(entry.offered_category_id, []):
            if entry_id == entry.id:
                results.append(PublishedResult(
                    entry, competition, competency.name, category.name,
                    Decimal(total) if total is not None else None, rank, award))
    return results


def offers_of_person(person) -> list[InternshipOffer]:
    return list(db.session.scalars(
        select(InternshipOffer).where(InternshipOffer.person_id == person.id)
        .options(joinedload(InternshipOffer.partner), joinedload(InternshipOffer.award),
                 joinedload(InternshipOffer.state_changed_by))
        .order_by(InternshipOffer.created_at.desc())))


def awards(person, entries: list[tuple]) -> list[Award]:
    """The person's awards; ``entries`` as ``registration.queries.person_entries`` gives them
    (their ids spare a query)."""
    return awards_of_person(person, [row[0].id for row in entries])
