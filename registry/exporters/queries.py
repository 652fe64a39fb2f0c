"""Filters shared by the exporters, applied to a select that joins the competition chain."""
from __future__ import annotations

from sqlalchemy import Select

from ..models import Competition, OfferedCategory, OfferedCompetency


def apply_competition_filters(query: Select, filters: dict) -> Select:
    """``query`` must already join Competition, OfferedCompetency and OfferedCategory."""
    if "kind" in filters:
        query = query.where(Competition.kind_id == filters["kind"].id)
    if "year" in filters:
        query = query.where(Competition.year == filters["year"])
    if "stage" in filters:
        query = query.where(Competition.stage == filters["stage"])
    if "competition" in filters:
        query = query.where(Competition.id == filters["competition"].id)
    if "competency" in filters:
        query = query.where(OfferedCompetency.competency_id == filters["competency"].id)
    if "category" in filters:
        query = query.where(OfferedCategory.category_id.in_([c.id for c in filters["category"]]))
    return query
