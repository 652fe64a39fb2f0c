"""Reads of the API that no page has in this shape (the others are the pages' own queries)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..models import (
    Award,
    Entry,
    EntryMember,
    OfferedCategory,
    OfferedCompetency,
)
from ..queries import paginate


def competition_entries(competition_id: int, *, page: int, per_page: int):
    stmt = (select(Entry)
            .join(OfferedCategory, OfferedCategory.id == Entry.offered_category_id)
            .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
            .where(OfferedCompetency.competition_id == competition_id)
            .options(joinedload(Entry.offered_category).joinedload(OfferedCategory.category),
                     joinedload(Entry.offered_category)
                     .joinedload(OfferedCategory.offered_competency)
                     .joinedload(OfferedCompetency.competency),
                     selectinload(Entry.members).joinedload(EntryMember.person))
            .order_by(Entry.id))
    return paginate(stmt, page, per_page, rows=False)


def awards(*, competition_id: int | None, person_id: int | None, page: int, per_page: int):
    stmt = select(Award).order_by(Award.id)
    if competition_id is not None:
        stmt = stmt.where(Award.competition_id == competition_id)
    if person_id is not None:
        stmt = stmt.where(Award.person_id == person_id)
    return paginate(stmt, page, per_page, rows=False)
