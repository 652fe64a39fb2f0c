"""Competitions and what they offer."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import Category, Competency, Competition, OfferedCategory, OfferedCompetency
from . import ServiceError
from .audit import record


def offered_category(competition: Competition, competency: Competency,
                     category: Category) -> OfferedCategory | None:
    """The offered (competency, category) of a competition, or None if not offered."""
    return db.session.scalar(
        select(OfferedCategory)
        .join(OfferedCompetency)
        .where(
            OfferedCompetency.competition_id == competition.id,
            OfferedCompetency.competency_id == competency.id,
            OfferedCategory.category_id == category.id,
        )
    )


def check_offerable(competition: Competition, competency: Competency, category: Category) -> None:
    """The category must be of the competition's kind, the competency must belong to it."""
    if category.kind_id != competition.kind_id:
        raise ServiceError(
            _("Category «%(category)s» does not belong to %(kind)s.",
              category=category.name, kind=competition.kind.short_name),
            field="category",
        )
    if competition.kind not in competency.kinds:
        raise ServiceError(
            _("Competency «%(competency)s» is not a competency of %(kind)s.",
              competency=competency.name, kind=competition.kind.short_name),
            field="competency",
        )


def offer(competition: Competition, competency: Competency, category: Category, *,
          actor=None, commit: bool = True) -> OfferedCategory:
    """Offer ``competency`` in ``category`` at ``competition`` (idempotent)."""
    existing = offered_category(competition, competency, category)
    if existing is not None:
        return existing
    check_offerable(competition, competency, category)
    offered = db.session.scalar(
        select(OfferedCompetency).where(
            OfferedCompetency.competition_id == competition.id,
            OfferedCompetency.competency_id == competency.id,
        )
    )
    if offered is None:
        offered = OfferedCompetency(competition=competition, competency=competency)
        db.session.add(offered)
    result = OfferedCategory(offered_competency=offered, category=category)
    db.session.add(result)
    db.session.flush()
    record("competition.offer", competition, user=actor, competition_id=competition.id,
           competency=competency.name, category=category.name)
    if commit:
        db.session.commit()
    return result
