"""Releasing a competition's published results to the public pages (``/public``), and
withdrawing them: an organiser's operation (``access.can_publish``), audited.

Only a competition whose results are published (status «results published» or «archived»,
with at least one publication) can be released; the public pages then show its published
snapshot only (``services.public_results``), never a draft. ``set_show_points`` is the
organiser's choice whether the public pages show each result's points.
"""
from __future__ import annotations

from sqlalchemy import exists, select

from .. import access
from ..extensions import db
from ..i18n import gettext as _
from ..models import Competition, Publication, utcnow
from . import ServiceError
from .audit import record

RELEASABLE_STATUSES = ("results_published", "archived")


def release_problem(competition: Competition) -> str | None:
    """Why ``competition`` cannot be released now, or None."""
    if competition.status not in RELEASABLE_STATUSES:
        return _("Only a competition whose results are published can be released.")
    if not db.session.scalar(select(exists().where(
            Publication.competition_id == competition.id))):
        return _("Only a competition whose results are published can be released.")
    return None


def is_released(competition: Competition) -> bool:
    return competition.released_at is not None


@access.guarded(access.can_publish, lambda competition, *a, **k: competition.id)
def release(competition: Competition, *, actor=None) -> Competition:
    """Show the published results of ``competition`` on the public pages."""
    if competition.released_at is not None:
        raise ServiceError(_("The results of this competition are already public."))
    problem = release_problem(competition)
    if problem:
        raise ServiceError(problem)
    competition.released_at = utcnow()
    db.session.flush()
    record("competition.release", competition, user=actor, competition_id=competition.id,
           show_points=competition.show_points)
    return competition


@access.guarded(access.can_publish, lambda competition, *a, **k: competition.id)
def withdraw(competition: Competition, *, actor=None) -> Competition:
    """Take the results of ``competition`` off the public pages."""
    if competition.released_at is None:
        raise ServiceError(_("The results of this competition are not public."))
    released_at = competition.released_at
    competition.released_at = None
    db.session.flush()
    record("competition.withdraw_release", competition, user=actor,
           competition_id=competition.id, released_at=released_at.isoformat())
    return competition


@access.guarded(access.can_publish, lambda competition, *a, **k: competition.id)
def set_show_points(competition: Competition, show: bool, *, actor=None) -> Competition:
    """Whether the public pages show the points of each result."""
    show = bool(show)
    if competition.show_points != show:
        competition.show_points = show
        if competition.released_at is not None:
            competition.released_at = utcnow()  # the public pages change: new validators
        db.session.flush()
        record("competition.show_points", competition, user=actor,
               competition_id=competition.id, old=not show, new=show)
    return competition
