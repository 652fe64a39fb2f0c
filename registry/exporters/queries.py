"""The exporters' read queries: the competition filters applied to a select, the options the
export page offers for each filter, and the look-ups that turn a typed value into its object."""
from __future__ import annotations

from sqlalchemy import Select, select

from ..extensions import db
from ..fields import parse_id
from ..models import (
    Category,
    Competency,
    Competition,
    CompetitionKind,
    OfferedCategory,
    OfferedCompetency,
    Region,
    name_key,
)


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


# --- what the filters offer on the export page, and how a typed value finds its object ------

def kind_choices() -> list[tuple[str, str]]:
    return [(k.slug, k.short_name)
            for k in db.session.scalars(select(CompetitionKind).order_by(CompetitionKind.id))]


def competition_choices() -> list[tuple[str, str]]:
    return [(str(c.id), f"{c.title} ({c.year})")
            for c in db.session.scalars(
                select(Competition).order_by(Competition.year.desc(), Competition.title))]


def region_choices() -> list[tuple[str, str]]:
    return [(r.name, r.name) for r in db.session.scalars(select(Region).order_by(Region.name))]


def competency_choices() -> list[tuple[str, str]]:
    return [(c.name, c.name)
            for c in db.session.scalars(select(Competency).order_by(Competency.name))]


def category_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in db.session.scalars(
        select(Category.name).distinct().order_by(Category.name))]


def find_competition(text: str) -> Competition | None:
    competition_id = parse_id(text)
    return db.session.get(Competition, competition_id) if competition_id else None


def find_categories(text: str) -> list[Category] | None:
    """Every category of that name (each kind has its own «Основная»); None when there is none."""
    key = name_key(text)
    return [c for c in db.session.scalars(select(Category)) if name_key(c.name) == key] or None
