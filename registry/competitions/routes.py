"""Competitions: the list, creating and editing, and the competencies and categories offered."""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..fields import choices
from ..i18n import gettext as _
from ..models import Competition, CompetitionKind, OfferedCategory, OfferedCompetency, Region
from ..security import requires
from ..services import competitions as competition_service
from ..services import offerings as offering_service
from ..services import reference as reference_service
from ..services import regions as region_service
from ..text import quoted
from ..views import refusals, show_refusal
from .forms import (
    STAGE_LABELS,
    STATUS_LABELS,
    CompetitionForm,
    ConfirmForm,
    FilterForm,
    OfferForm,
    TeamRuleForm,
)

bp = Blueprint("competitions", __name__)


# Service field names that a form spells differently.
_FIELD_ALIASES = {"category": "categories"}


def _fill_choices(form: CompetitionForm) -> None:
    form.kind.choices = choices([("", "—")] + [
        (k.id, k.short_name) for k in reference_service.competition_kinds()])
    form.host_region.choices = choices([("", "—")] + [
        (r.id, r.name) for r in region_service.regions_by_name()
    ])


def _checked(form: CompetitionForm) -> competition_service.CompetitionData | None:
    """On a POST, the form's data if the form and the rules accept it; else None, with every
    problem on its field, those of the form and those of the rules at once."""
    if request.method != "POST":
        return None
    valid = form.validate_on_submit()
    if form.kind.errors or form.host_region.errors or (form.csrf_token.errors
                                                        if hasattr(form, "csrf_token") else []):
        return None  # the choices name no object to check the rules with
    data = _form_data(form)
    problems = [p for p in competition_service.competition_problems(data)
                if not getattr(form, _FIELD_ALIASES.get(p.field, p.field or ""), None)
                or not getattr(form, _FIELD_ALIASES.get(p.field, p.field)).errors]
    for problem in problems:
        show_refusal(form, problem, _FIELD_ALIASES)
    return data if valid and not problems else None


def _form_data(form: CompetitionForm) -> competition_service.CompetitionData:
    def get(model, object_id):  # a choice of the form: it exists
        return db.get_or_404(model, object_id) if object_id is not None else None

    return competition_service.CompetitionData(
        kind=get(CompetitionKind, form.kind.data),
        year=form.year.data,
        stage=form.stage.data,
        host_region=get(Region, form.host_region.data),
        title=form.title.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        status=form.status.data,
        medallion_threshold=form.medallion_threshold.data,
        time_zone=form.time_zone.data or None,
        gold_min=form.gold_min.data or 1, silver_min=form.silver_min.data or 1,
        bronze_min=form.bronze_min.data or 1, min_entries=form.min_entries.data or 1,
        cis_scale=bool(form.cis_scale.data), medallion_scale=form.medallion_scale.data,
    )


@bp.route("/")
@requires("competitions.view")
def index():
    filters = FilterForm(request.args)
    filters.kind.choices = choices([("", _("All kinds"))] + [
        (k.id, k.short_name) for k in reference_service.competition_kinds()
    ])
    filters.year.choices = choices([("", _("All years"))] + [
        (year, str(year)) for year in competition_service.competition_years()
    ])
    valid = filters.validate()
    rows = competition_service.list_competitions(
        kind_id=filters.kind.data if valid else None,
        year=filters.year.data if valid else None,
        stage=(filters.stage.data or None) if valid else None,
        status=(filters.status.data or None) if valid else None,
    )
    return render_template("competitions/index.html", rows=rows, filters=filters,
                           stage_labels=STAGE_LABELS, status_labels=STATUS_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@requires("competitions.manage")
def create():
    form = CompetitionForm()
    _fill_choices(form)
    if request.method == "GET":
        form.status.data = "draft"
        form.year.data = date.today().year
    if (data := _checked(form)) is not None:
        with refusals(form, _FIELD_ALIASES) as attempt:
            competition = competition_service.create_competition(data, actor=current_user)
        if attempt.ok:
            flash(_("Competition %(title)s created.", title=quoted(competition.title)), "success")
            return redirect(url_for("competitions.detail", competition_id=competition.id))
    return render_template("competitions/form.html", form=form, competition=None)


@bp.route("/<int:competition_id>")
@requires("competitions.view")
def detail(competition_id: int):
    competition = db.get_or_404(Competition, competition_id)
    return _render_detail(competition, OfferForm())


def _render_detail(competition: Competition, offer_form: OfferForm):
    offer_form.competency.choices = choices([("", "—")] + [
        (c.id, str(c)) for c in offering_service.offerable_competencies(competition)
    ])
    offer_form.categories.choices = choices(
        (c.id, c.name) for c in competition.kind.categories)
    return render_template(
        "competitions/detail.html", competition=competition, offer_form=offer_form,
        offerings=offering_service.offerings(competition),
        stage_labels=STAGE_LABELS, status_labels=STATUS_LABELS, reopen_form=ConfirmForm(),
        closed=competition_service.registration_closed(competition),
    )


@bp.route("/<int:competition_id>/edit", methods=["GET", "POST"])
@requires("competitions.manage")
def edit(competition_id: int):
    competition = db.get_or_404(Competition, competition_id)
    form = CompetitionForm(obj=competition)
    _fill_choices(form)
    if request.method == "GET":
        form.kind.data = competition.kind_id
        form.host_region.data = competition.host_region_id
    if (data := _checked(form)) is not None:
        with refusals(form, _FIELD_ALIASES) as attempt:
            competition_service.update_competition(competition, data, actor=current_user)
        if attempt.ok:
            flash(_("Changes saved."), "success")
            return redirect(url_for("competitions.detail", competition_id=competition.id))
    return render_template("competitions/form.html", form=form, competition=competition)


@bp.route("/<int:competition_id>/offer", methods=["POST"])
@requires("competitions.manage")
def offer(competition_id: int):
    competition = db.get_or_404(Competition, competition_id)
    form = OfferForm()
    if form.validate_on_submit():
        competency = reference_service.competency(form.competency.data)
        categories = reference_service.categories(form.categories.data)
        if competency is None:
            form.competency.errors = [_("Choose a competency.")]
        elif None in categories:
            form.categories.errors = [_("Choose at least one category.")]
        else:
            with refusals(form, _FIELD_ALIASES) as attempt:
                offering_service.offer_categories(competition, competency, categories,
                                                  actor=current_user)
            if attempt.ok:
                flash(_("«%(competency)s» offered in: %(categories)s.",
                        competency=competency.name,
                        categories=", ".join(c.name for c in categories)), "success")
                return redirect(url_for("competitions.detail", competition_id=competition.id))
    return _render_detail(competition, form)


@bp.route("/<int:competition_id>/offerings/<int:offered_category_id>/withdraw",
          methods=["GET", "POST"])
@requires("competitions.manage")
def withdraw(competition_id: int, offered_category_id: int):
    """GET: what withdrawing will do, and the button that does it; POST: withdraw."""
    competition = db.get_or_404(Competition, competition_id)
    offered = db.get_or_404(OfferedCategory, offered_category_id)
    if offered.offered_competency.competition_id != competition.id:
        abort(404)
    name = f"{offered.offered_competency.competency.name} · {offered.category.name}"
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template(
            "competitions/withdraw_confirm.html", competition=competition, offered=offered,
            form=form, entries=offering_service.entry_count(offered),
            last=len(offered.offered_competency.categories) == 1)
    with refusals() as attempt:
        offering_service.withdraw_offering(offered, actor=current_user)
    if attempt.ok:
        flash(_("Withdrawn: %(name)s.", name=name), "success")
    return redirect(url_for("competitions.detail", competition_id=competition.id))


@bp.route("/<int:competition_id>/competencies/<int:offered_competency_id>/team",
          methods=["GET", "POST"])
@requires("competitions.manage")
def team_rule(competition_id: int, offered_competency_id: int):
    """Individual or team, and the team size bounds of one offered competency."""
    competition = db.get_or_404(Competition, competition_id)
    offered = db.get_or_404(OfferedCompetency, offered_competency_id)
    if offered.competition_id != competition.id:
        abort(404)
    form = TeamRuleForm(obj=offered)
    if form.validate_on_submit():
        with refusals(form) as attempt:
            offering_service.set_team_rule(
                offered, is_team=form.is_team.data, team_min=form.team_min.data,
                team_max=form.team_max.data, actor=current_user)
        if attempt.ok:
            flash(_("Changes saved."), "success")
            return redirect(url_for("competitions.detail", competition_id=competition.id))
    return render_template("competitions/team_rule.html", competition=competition,
                           offered=offered, form=form)


@bp.route("/<int:competition_id>/reopen", methods=["POST"])
@requires("competitions.manage")
def reopen(competition_id: int):
    """Reopen registration of a competition whose results are published or that is
    archived."""
    competition = db.get_or_404(Competition, competition_id)
    if ConfirmForm().validate_on_submit():
        with refusals() as attempt:
            competition_service.set_status(competition, "registration", actor=current_user)
        if attempt.ok:
            flash(_("Registration is open again."), "success")
    return redirect(url_for("competitions.detail", competition_id=competition.id))


# --- the public pages: release, withdraw, points (services.release) ---------------------------

@bp.route("/<int:competition_id>/release", methods=["POST"])
@requires("competitions.manage")
def release(competition_id: int):
    """Release the published results to the public pages (``withdraw=1``: take them off)."""
    from ..access import can_publish, require
    from ..services import release as release_service

    competition = db.get_or_404(Competition, competition_id)
    require(can_publish, current_user, competition.id)
    if ConfirmForm().validate_on_submit():
        with refusals() as attempt:
            if request.form.get("withdraw"):
                release_service.withdraw(competition, actor=current_user)
            else:
                release_service.release(competition, actor=current_user)
        if attempt.ok:
            flash(_("The results are public now.") if competition.released_at
                  else _("The results are no longer public."), "success")
    return redirect(url_for("competitions.detail", competition_id=competition.id))


@bp.route("/<int:competition_id>/public-points", methods=["POST"])
@requires("competitions.manage")
def public_points(competition_id: int):
    """Whether the public pages show the points (``show=1``) or not."""
    from ..access import can_publish, require
    from ..services import release as release_service

    competition = db.get_or_404(Competition, competition_id)
    require(can_publish, current_user, competition.id)
    if ConfirmForm().validate_on_submit():
        with refusals() as attempt:
            release_service.set_show_points(competition, bool(request.form.get("show")),
                                            actor=current_user)
        if attempt.ok:
            flash(_("Changes saved."), "success")
    return redirect(url_for("competitions.detail", competition_id=competition.id))
