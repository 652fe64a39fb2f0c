"""What a person has done across stages and years: published results, awards, offers.

Read-only helpers for the person's page; each answers in a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Award, Competition, Entry, InternshipOffer, Publication
from .awards import awards_of_person


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
    competition), never the live marks. One query: the database picks out of each
    publication's snapshot only the categories of these entries (a final's snapshot is
    large; reading it whole would cost more than the rest of the page)."""
    competition_ids = {row[1].id for row in entries}
    if not competition_ids:
        return []
    keys = sorted({str(row[0].offered_category_id) for row in entries})
    published: dict[int, list] = {}
    for row in db.session.execute(
            select(*[Publication.snapshot["standings"][key] for key in keys])
            .where(Publication.competition_id.in_(competition_ids))
            .order_by(Publication.competition_id, Publication.number)):
        for key, rows in zip(keys, row, strict=True):
            if rows is not None:  # a later publication holding the category replaces it
                published[int(key)] = rows
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
