"""Standings and publication pages of the marking blueprint: the standings (the published
result as the one truth), the confirmation before publishing one competency or the whole
competition, the not-held declaration and the draft changes view."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from .. import access
from ..extensions import db
from ..fields import parse_id
from ..i18n import gettext as _
from ..medals import figures
from ..models import (
    Competition,
    OfferedCompetency,
)
from ..security import requires
from ..services import marking as marking_service
from ..services import publication_review as review
from ..services import results as results_service
from ..views import refusals
from .forms import (
    NotHeldForm,
    PublishForm,
)
from .routes import bp

# A competition with more competencies than this shows its standings one competency at a time.
STANDINGS_ALL_AT_ONCE = 10


def _results_access(competition_id: int) -> Competition:
    # with its kind, which the standings rank by (a query spared)
    competition = db.session.get(Competition, competition_id,
                                 options=[joinedload(Competition.kind)])
    if competition is None:
        abort(404)
    access.require(access.can_view_results, current_user, competition.id)
    return competition


def _chosen_competency(competition: Competition, text) -> OfferedCompetency | None:
    """The offered competency of ``competition`` chosen by id in the request, or None; 404
    for one the user may not see (another competition's, or not this expert's)."""
    oc = marking_service.find_offered_competency(parse_id(text))
    if text is not None and text != "" and (oc is None or oc.competition_id != competition.id):
        abort(404)
    if oc is not None:
        access.require(access.can_view_competency_results, current_user, oc.id)
    return oc


def _visible_competencies(competition: Competition) -> list:
    """The competencies whose results the user may see (``competency_choices``): all for
    staff, an expert's own."""
    competencies = marking_service.competency_choices(competition.id)
    if access.sees_every_competency(current_user):
        return competencies
    return [oc for oc in competencies
            if access.can_view_competency_results(current_user, oc.id)]


@bp.route("/results/<int:competition_id>")
@requires("results.view")
def standings(competition_id: int):
    """All competencies of a small competition; one competency at a time (chosen from a
    list) of a big one such as a final with a hundred. A published category shows its
    published result (the one truth); changes since are in the draft view."""
    competition = _results_access(competition_id)
    competencies = _visible_competencies(competition)
    chosen = parse_id(request.args.get("competency"))
    if request.args.get("competency") is not None and chosen not in {oc.id for oc in competencies}:
        abort(404)  # not of this competition, or not this expert's competency
    if chosen is None and competencies and (
            not access.sees_every_competency(current_user)
            or (len(competencies) > STANDINGS_ALL_AT_ONCE and request.args.get("all") != "1")):
        chosen = competencies[0].id
    standings = results_service.published_standings(competition, chosen)
    return render_template(
        "marking/standings.html", competition=competition, competencies=competencies,
        chosen=chosen, standings=standings, charts=_charts(standings),
        can_publish=access.can_publish(current_user, competition.id),
        can_publish_competency={oc_id for oc_id in {cat.offered.offered_competency_id
                                                    for cat in standings.categories}
                                if access.can_publish_competency(current_user, oc_id)},
        can_view_draft=access.can_view_draft(current_user, competition.id))


def _charts(standings) -> dict:
    """The results page's charts: medals by region and points per category, of the
    published categories only (never a provisional one or a draft change)."""
    medals = figures.standings_medals(standings)
    points = figures.standings_points(standings)
    return {"medals": medals, "medal_chart": figures.medal_chart(medals),
            "points": points, "points_chart": figures.points_chart(points)}


@bp.route("/results/<int:competition_id>/publish/confirm")
@requires("results.publish")
def publish_confirm(competition_id: int):
    """Before publishing (one competency, or the whole competition): per competency and
    category the entries, sheets confirmed / total, entries without marks; what the
    publication would change; the not-held declaration for a competency with no marks."""
    competition = _results_access(competition_id)
    offered = _chosen_competency(competition, request.args.get("competency"))
    if offered is None:
        access.require(access.can_publish, current_user, competition.id)
    else:
        access.require(access.can_publish_competency, current_user, offered.id)
    standings = results_service.competition_standings(
        competition, offered.id if offered is not None else None)
    found = review.changes(standings)
    state = review.readiness(standings)
    form = PublishForm(competency=offered.id if offered is not None else "")
    return render_template(
        "marking/publish_confirm.html", competition=competition, offered=offered,
        standings=standings, readiness=state, changes=found,
        summary=review.award_summary(found), form=form, not_held_form=NotHeldForm(),
        can_declare=access.can_publish(current_user, competition.id),
        blocked=any(item.refusal for item in state) or not standings.categories)


@bp.route("/results/<int:competition_id>/publish", methods=["POST"])
@requires("results.publish")
def publish(competition_id: int):
    competition = _results_access(competition_id)
    form = PublishForm()
    offered = _chosen_competency(competition, form.competency.data)
    if offered is None:
        access.require(access.can_publish, current_user, competition.id)
    else:
        access.require(access.can_publish_competency, current_user, offered.id)
    if form.validate_on_submit():
        with refusals() as attempt:
            publication = results_service.publish(competition, offered, actor=current_user)
        if attempt.ok:
            flash(_("Results published (publication %(n)d).", n=publication.number),
                  "success")
            return redirect(url_for("marking.standings", competition_id=competition.id,
                                    competency=offered.id if offered is not None else None))
    return redirect(url_for("marking.publish_confirm", competition_id=competition.id,
                            competency=offered.id if offered is not None else None))


@bp.route("/results/<int:competition_id>/competencies/<int:offered_competency_id>/not-held",
          methods=["POST"])
@requires("results.publish_any")
def not_held(competition_id: int, offered_competency_id: int):
    """An organiser declares a competency with nothing marked not held (не состоялась)."""
    competition = _results_access(competition_id)
    offered = db.get_or_404(OfferedCompetency, offered_competency_id)
    if offered.competition_id != competition.id:
        abort(404)
    access.require(access.can_publish, current_user, competition.id)
    form = NotHeldForm()
    if form.validate_on_submit():
        with refusals() as attempt:  # the page is shown again by a redirect: a flash
            results_service.declare_not_held(offered, form.reason.data, actor=current_user)
        if attempt.ok:
            flash(_("«%(name)s» is declared not held.", name=offered.competency.name),
                  "success")
    else:
        flash(_("Give the reason why the competency was not held."), "danger")
    return redirect(url_for("marking.publish_confirm", competition_id=competition.id,
                            competency=request.args.get("competency")))


@bp.route("/results/<int:competition_id>/draft")
@requires("results.publish")
def draft(competition_id: int):
    """The draft changes (черновик изменений): what the live marks change against the
    published result, per entry, until republished. Experts and organisers only."""
    competition = _results_access(competition_id)
    access.require(access.can_view_draft, current_user, competition.id)
    offered = _chosen_competency(competition, request.args.get("competency"))
    standings = results_service.competition_standings(
        competition, offered.id if offered is not None else None)
    visible = {oc.id for oc in _visible_competencies(competition)}
    found = [c for c in review.changes(standings) if c.category.published
             and c.category.offered.offered_competency_id in visible]
    return render_template(
        "marking/draft.html", competition=competition, offered=offered, standings=standings,
        changes=found, summary=review.award_summary(found),
        can_publish=access.can_publish(current_user, competition.id),
        can_publish_competency={cat.offered.offered_competency_id for cat in standings.categories
                                if access.can_publish_competency(
                                    current_user, cat.offered.offered_competency_id)})
