"""What a person has done across stages and years: published results, awards, offers.

Read-only helpers for the person's page; each answers in a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Award, Competition, Entry, InternshipOffer, Publication
from .awards import awards_of_person


@dataclass
class PublishedResult:
    entry: Entry
    competition: Competition
    total: Decimal | None
    rank: int | None
    award: str | None


def published_results(entries: list[tuple]) -> list[PublishedResult]:
    """Results of these entries as last published (provisional results are not shown here).

    ``entries``: rows of (Entry, Competition, …) as ``registration.queries.person_entries``
    gives them."""
    competition_ids = {row[1].id for row in entries}
    if not competition_ids:
        return []
    latest = (select(Publication.competition_id, func.max(Publication.number).label("n"))
              .where(Publication.competition_id.in_(competition_ids))
              .group_by(Publication.competition_id).subquery())
    publications = {p.competition_id: p for p in db.session.scalars(
        select(Publication).join(latest, (latest.c.competition_id == Publication.competition_id)
                                 & (latest.c.n == Publication.number)))}
    results = []
    for row in entries:
        entry, competition = row[0], row[1]
        publication = publications.get(competition.id)
        if publication is None:
            continue
        category = publication.snapshot.get("standings", {}).get(str(entry.offered_category_id), [])
        for entry_id, total, rank, award in category:
            if entry_id == entry.id:
                results.append(PublishedResult(entry, competition,
                                               Decimal(total) if total is not None else None,
                                               rank, award))
    return results


def offers_of_person(person) -> list[InternshipOffer]:
    return list(db.session.scalars(
        select(InternshipOffer).where(InternshipOffer.person_id == person.id)
        .options(joinedload(InternshipOffer.partner), joinedload(InternshipOffer.award),
                 joinedload(InternshipOffer.state_changed_by))
        .order_by(InternshipOffer.created_at.desc())))


def awards(person) -> list[Award]:
    return awards_of_person(person)
