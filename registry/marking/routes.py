"""Marking pages: assignments, schemes, score sheets and their sign-off (the standings and
publication pages of the same blueprint are in ``publication.py``). Each view loads its
objects (``db.get_or_404``), checks the object-level rule with ``access.require`` (404 for
an expert not assigned there, else 403), calls one service function and renders or
redirects. Reads come from ``services.marking.queries`` (re-exported by
``services.marking``)."""
from __future__ import annotations

import re

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from .. import access
from ..extensions import db
from ..fields import parse_id
from ..i18n import gettext as _
from ..models import (
    Aspect,
    Competition,
    Criterion,
    ExpertAssignment,
    OfferedCategory,
    OfferedCompetency,
)
from ..security import requires
from ..services import ServiceError
from ..services import dashboard as dashboard_service
from ..services import marking as marking_service
from ..services import results as results_service
from ..transaction import refuse
from ..views import refusals
from .forms import (
    ASPECT_KIND_LABELS,
    ASSIGNMENT_ROLE_LABELS,
    AWARD_LABELS,
    SHEET_STATUS_LABELS,
    VERSION_ACTION_LABELS,
    AspectForm,
    AssignmentForm,
    ConfirmForm,
    CriterionForm,
    OverrideForm,
    SheetActionForm,
    SheetForm,
    UnlockForm,
    UploadForm,
)

bp = Blueprint("marking", __name__)


@bp.app_context_processor
def _labels():
    return {"award_labels": AWARD_LABELS, "aspect_kind_labels": ASPECT_KIND_LABELS,
            "sheet_status_labels": SHEET_STATUS_LABELS,
            "assignment_role_labels": ASSIGNMENT_ROLE_LABELS,
            "version_action_labels": VERSION_ACTION_LABELS}


# The name ``results_import`` uses (that view is moving to the importers' blueprint).
_get_or_404 = db.get_or_404


def _version(text) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


# --- overview --------------------------------------------------------------------------------

@bp.route("/marking")
@requires("results.view")
def index():
    competitions = marking_service.visible_competitions(current_user)
    overview = (marking_service.expert_overview(current_user)
                if access.is_marker(current_user) else [])
    ready = request.args.get("ready") == "1"
    if ready:  # the chief expert's competencies that may be published now (the home page's)
        chosen = set(dashboard_service.ready_to_publish(current_user))
        overview = [item for item in overview if item.offered_competency.id in chosen]
    return render_template("marking/index.html", competitions=competitions, overview=overview,
                           ready=ready)


def _int_arg(name: str) -> int | None:
    return parse_id(request.args.get(name, ""))


@bp.route("/marking/sheets")
@requires("marking.sheets")
def sheets():
    """The score sheets the user may open, filtered by state, competition, competency, and
    (``signoff=1``) to the competencies where the user confirms; filters stay in the URL."""
    status = request.args.get("status", "")
    filters = marking_service.SheetFilters(
        status=status if status in marking_service.SHEET_STATUSES else None,
        competition_id=_int_arg("competition"),
        offered_competency_id=_int_arg("competency"),
        signoff=request.args.get("signoff") == "1",
    )
    page = marking_service.sheet_list(current_user, filters, page=_int_arg("page") or 1,
                                      per_page=int(current_app.config.get("PAGE_SIZE", 50)))
    args = {k: v for k, v in (("status", filters.status),
                              ("competition", filters.competition_id),
                              ("competency", filters.offered_competency_id),
                              ("signoff", "1" if filters.signoff else None)) if v}
    return render_template("marking/sheets.html", page=page, filters=filters, args=args,
                           statuses=marking_service.SHEET_STATUSES)


# --- expert assignments ----------------------------------------------------------------------

@bp.route("/marking/competitions/<int:competition_id>/experts", methods=["GET", "POST"])
@requires("marking.assign")
def assignments(competition_id: int):
    competition = db.get_or_404(Competition, competition_id)
    offered = {oc.id: oc for oc in marking_service.offered_competencies(competition.id)}
    experts = {u.id: u for u in marking_service.assignable_experts()}
    organisations = {o.id: o for o in marking_service.organisations_for_choice()}
    regions = {r.id: r for r in marking_service.regions_for_choice()}
    form = AssignmentForm()
    form.offered_competency.choices = [(oc.id, str(oc.competency)) for oc in offered.values()]
    form.user.choices = [(u.id, f"{u.display_name} ({u.email})") for u in experts.values()]
    form.organisation.choices = [("", "—")] + [
        (o.id, f"{o.name} ({o.region.name})") for o in organisations.values()]
    form.region.choices = [("", "—")] + [(r.id, r.name) for r in regions.values()]
    if form.validate_on_submit():
        # the choices were loaded above: a chosen id names one of them
        oc, user = offered.get(form.offered_competency.data), experts.get(form.user.data)
        if oc is None or user is None:
            abort(400)
        organisation = organisations.get(form.organisation.data) if form.organisation.data else None
        region = regions.get(form.region.data) if form.region.data else None
        with refusals(form) as attempt:
            marking_service.assign_expert(oc, user, role=form.role.data,
                                          organisation=organisation, region=region,
                                          actor=current_user)
        if attempt.ok:
            flash(_("Expert assigned."), "success")
            return redirect(url_for("marking.assignments", competition_id=competition.id))
    return render_template("marking/assignments.html", competition=competition,
                           offered=list(offered.values()),
                           assignments=marking_service.competition_assignments(competition.id),
                           stuck=marking_service.stuck_sheets(competition.id), form=form)


@bp.route("/marking/assignments/<int:assignment_id>/remove", methods=["GET", "POST"])
@requires("marking.assign")
def assignment_remove(assignment_id: int):
    """GET: what removing the assignment does, and a button; POST: remove it."""
    assignment = db.get_or_404(ExpertAssignment, assignment_id)
    competition_id = assignment.offered_competency.competition_id
    form = ConfirmForm()
    if form.validate_on_submit():
        with refusals() as attempt:
            marking_service.remove_assignment(assignment, actor=current_user)
        if attempt.ok:
            flash(_("Assignment removed."), "success")
        return redirect(url_for("marking.assignments", competition_id=competition_id))
    return render_template("marking/assignment_remove.html", assignment=assignment, form=form)


# --- marking scheme --------------------------------------------------------------------------

def _scheme_access(offered_competency_id: int) -> OfferedCompetency:
    oc = db.get_or_404(OfferedCompetency, offered_competency_id)
    access.require(access.can_manage_scheme, current_user, oc.id)
    return oc


@bp.route("/marking/competencies/<int:offered_competency_id>/scheme", methods=["GET", "POST"])
@requires("marking.scheme")
def scheme(offered_competency_id: int):
    oc = _scheme_access(offered_competency_id)
    criteria = marking_service.scheme(oc.id)
    criterion_form = CriterionForm(prefix="c")
    aspect_form = AspectForm(prefix="a")
    aspect_form.criterion.choices = [(c.id, str(c)) for c in criteria]
    with refusals():
        if criterion_form.add_criterion.data and criterion_form.validate_on_submit():
            marking_service.add_criterion(oc, criterion_form.code.data,
                                          criterion_form.title.data, actor=current_user)
            flash(_("Criterion added."), "success")
            return redirect(url_for("marking.scheme", offered_competency_id=oc.id))
        if aspect_form.add_aspect.data and aspect_form.validate_on_submit():
            criterion = {c.id: c for c in criteria}.get(aspect_form.criterion.data)
            if criterion is None:  # not a criterion of this scheme
                abort(400)
            marking_service.add_aspect(criterion, aspect_form.title.data,
                                       aspect_form.max_marks.data, aspect_form.kind.data,
                                       actor=current_user)
            flash(_("Aspect added."), "success")
            return redirect(url_for("marking.scheme", offered_competency_id=oc.id))
    return render_template(
        "marking/scheme.html", oc=oc, criteria=criteria,
        total=results_service.scheme_total(oc.id),
        frozen=marking_service.scheme_frozen(oc.id), criterion_form=criterion_form,
        aspect_form=aspect_form, upload_form=UploadForm(), delete_form=ConfirmForm())


@bp.route("/marking/competencies/<int:offered_competency_id>/scheme/import", methods=["POST"])
@requires("marking.scheme")
def scheme_import(offered_competency_id: int):
    oc = _scheme_access(offered_competency_id)
    form = UploadForm()
    if form.validate_on_submit():
        from ..importers.scheme import SchemeFileError, read_scheme

        try:
            rows = read_scheme(form.file.data.read())
            n_criteria, n_aspects = marking_service.import_scheme(oc, rows, actor=current_user)
        except SchemeFileError as error:
            refuse()
            flash(error.message, "danger")
        except ServiceError as error:
            refuse()
            flash(error.message, "danger")
        else:
            flash(_("Imported %(c)d criteria with %(a)d aspects.", c=n_criteria, a=n_aspects),
                  "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
    return redirect(url_for("marking.scheme", offered_competency_id=oc.id))


@bp.route("/marking/criteria/<int:criterion_id>/delete", methods=["POST"])
@requires("marking.scheme")
def criterion_delete(criterion_id: int):
    criterion = db.get_or_404(Criterion, criterion_id)
    oc = _scheme_access(criterion.offered_competency_id)
    if ConfirmForm().validate_on_submit():
        with refusals():
            marking_service.delete_criterion(criterion, actor=current_user)
    return redirect(url_for("marking.scheme", offered_competency_id=oc.id))


@bp.route("/marking/aspects/<int:aspect_id>/delete", methods=["POST"])
@requires("marking.scheme")
def aspect_delete(aspect_id: int):
    aspect = db.get_or_404(Aspect, aspect_id)
    oc = _scheme_access(aspect.criterion.offered_competency_id)
    if ConfirmForm().validate_on_submit():
        with refusals():
            marking_service.delete_aspect(aspect, actor=current_user)
    return redirect(url_for("marking.scheme", offered_competency_id=oc.id))


# --- score sheets ----------------------------------------------------------------------------

def _sheet_target(offered_category_id: int, criterion_id: int):
    offered = db.get_or_404(OfferedCategory, offered_category_id)
    criterion = db.get_or_404(Criterion, criterion_id)
    if criterion.offered_competency_id != offered.offered_competency_id:
        abort(404)
    access.require(access.can_mark, current_user, offered.offered_competency_id)
    return offered, criterion


_MARK_FIELD = re.compile(r"^m-(\d+)-(\d+)$")
_JUDGE_FIELD = re.compile(r"^j-(\d+)-(\d+)-(\d+)$")


def _marks_from_request() -> dict:
    """``m-<entry>-<aspect>`` → the mark; ``j-<entry>-<aspect>-<judge>`` → judges' scores."""
    values: dict = {}
    judges: dict = {}
    for name, value in request.form.items():
        if match := _MARK_FIELD.match(name):
            values[(int(match[1]), int(match[2]))] = value
        elif match := _JUDGE_FIELD.match(name):
            judges.setdefault((int(match[1]), int(match[2])), {})[int(match[3])] = value
    for key, by_judge in judges.items():
        values[key] = [by_judge[k] for k in sorted(by_judge)]
    return values


def _render_sheet(offered, criterion, form=None, status=200, problems=None, ask_withdraw=False):
    """``problems``: ``(entry_id, aspect_id)`` → why that cell was refused, shown beside it;
    ``ask_withdraw``: the save would return a submitted sheet to draft, ask first."""
    data = marking_service.load_sheet(offered, criterion, current_user)
    form = form or SheetForm(formdata=None, version=str(data.version))
    submitted = data.sheet is not None and data.status == "submitted"
    return render_template(
        "marking/sheet.html", data=data, form=form,
        action_form=SheetActionForm(formdata=None, version=str(data.version)),
        is_chief=access.is_chief(current_user, offered.offered_competency_id),
        can_confirm=access.can_confirm(current_user, offered.offered_competency_id),
        signoff=marking_service.signoff(data.sheet) if submitted else None,
        withdrawal=marking_service.withdrawal(data.sheet),
        ask_withdraw=ask_withdraw,
        judges=range(marking_service.JUDGES_ON_FORM),
        max_judge_score=marking_service.MAX_JUDGE_SCORE, problems=problems or {},
        posted=request.form if request.method == "POST" else None), status


@bp.route("/marking/sheets/<int:offered_category_id>/<int:criterion_id>",
          methods=["GET", "POST"])
@requires("marking.mark")
def sheet(offered_category_id: int, criterion_id: int):
    offered, criterion = _sheet_target(offered_category_id, criterion_id)
    form = SheetForm()
    if form.validate_on_submit():
        base = _version(form.version.data)
        try:
            marking_service.save_marks(offered, criterion, _marks_from_request(), base or 0,
                                       actor=current_user, withdraw=bool(form.withdraw.data))
        except marking_service.WithdrawalNeeded:
            refuse()  # the page asks (the withdraw step says what the refusal says)
            return _render_sheet(offered, criterion, form, status=409, ask_withdraw=True)
        except marking_service.SheetConflict as error:
            refuse()
            flash(error.message, "danger")
            return _render_sheet(offered, criterion, form, status=409)
        except ServiceError as error:
            refuse()
            flash(error.message, "danger")
            return _render_sheet(offered, criterion, form, status=422,
                                 problems=getattr(error, "cells", None))
        flash(_("Marks saved."), "success")
        return redirect(url_for("marking.sheet", offered_category_id=offered.id,
                                criterion_id=criterion.id))
    return _render_sheet(offered, criterion)


def _sheet_action(offered_category_id: int, criterion_id: int, action, message):
    offered, criterion = _sheet_target(offered_category_id, criterion_id)
    form = UnlockForm() if action is marking_service.unlock_sheet else SheetActionForm()
    if form.validate_on_submit():
        base = _version(form.version.data)
        with refusals() as attempt:
            if action is marking_service.unlock_sheet:
                action(offered, criterion, form.reason.data, base, actor=current_user)
            else:
                action(offered, criterion, base, actor=current_user)
        if attempt.ok:
            flash(message, "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
    return redirect(url_for("marking.sheet", offered_category_id=offered.id,
                            criterion_id=criterion.id))


@bp.route("/marking/sheets/<int:offered_category_id>/<int:criterion_id>/submit",
          methods=["POST"])
@requires("marking.mark")
def sheet_submit(offered_category_id: int, criterion_id: int):
    return _sheet_action(offered_category_id, criterion_id, marking_service.submit_sheet,
                         _("Sheet submitted to the chief expert."))


@bp.route("/marking/sheets/<int:offered_category_id>/<int:criterion_id>/confirm",
          methods=["POST"])
@requires("marking.mark")
def sheet_confirm(offered_category_id: int, criterion_id: int):
    return _sheet_action(offered_category_id, criterion_id, marking_service.confirm_sheet,
                         _("Sheet confirmed and locked."))


@bp.route("/marking/sheets/<int:offered_category_id>/<int:criterion_id>/unlock",
          methods=["GET", "POST"])
@requires("marking.mark")
def sheet_unlock(offered_category_id: int, criterion_id: int):
    """GET: what unlocking does, with the reason to give (the chief expert); POST: unlock."""
    if request.method == "POST":
        return _sheet_action(offered_category_id, criterion_id, marking_service.unlock_sheet,
                             _("Sheet unlocked."))
    offered, criterion = _sheet_target(offered_category_id, criterion_id)
    access.require(access.is_chief, current_user, offered.offered_competency_id)
    sheet = marking_service.find_sheet(offered.id, criterion.id)
    return render_template("marking/unlock.html", offered=offered, criterion=criterion,
                           sheet=sheet, form=UnlockForm(
                               formdata=None, version=str(sheet.version if sheet else "")))


@bp.route("/marking/competitions/<int:competition_id>/sheets/<int:offered_category_id>/"
          "<int:criterion_id>/override", methods=["GET", "POST"])
@requires("marking.override")
def sheet_override(competition_id: int, offered_category_id: int, criterion_id: int):
    """An organiser confirms a submitted sheet of a competition that no chief or deputy may
    confirm, with a reason: the page says why it is needed and who else could be assigned
    instead (the organiser comes from the competition's experts page)."""
    offered = db.get_or_404(OfferedCategory, offered_category_id)
    criterion = db.get_or_404(Criterion, criterion_id)
    if (criterion.offered_competency_id != offered.offered_competency_id
            or offered.offered_competency.competition_id != competition_id):
        abort(404)
    access.require(access.can_override_signoff, current_user, offered.offered_competency_id)
    sheet = marking_service.find_sheet(offered.id, criterion.id)
    form = OverrideForm(version=str(sheet.version) if sheet else "")
    if form.validate_on_submit():
        with refusals(form) as attempt:
            marking_service.override_confirmation(offered, criterion, form.reason.data,
                                                  _version(form.version.data),
                                                  actor=current_user)
        if attempt.ok:
            flash(_("Sheet confirmed by override and locked."), "success")
            return redirect(url_for("marking.assignments",
                                    competition_id=offered.offered_competency.competition_id))
    submitted = sheet is not None and sheet.status == "submitted"
    return render_template("marking/override.html", offered=offered, criterion=criterion,
                           sheet=sheet, form=form,
                           signoff=marking_service.signoff(sheet) if submitted else None)


@bp.route("/marking/sheets/<int:offered_category_id>/<int:criterion_id>/history")
@requires("marking.mark")
def sheet_history(offered_category_id: int, criterion_id: int):
    offered, criterion = _sheet_target(offered_category_id, criterion_id)
    sheet = marking_service.find_sheet(offered.id, criterion.id)
    rows = marking_service.sheet_history_changes(sheet) if sheet else []
    return render_template("marking/history.html", offered=offered, criterion=criterion,
                           sheet=sheet, rows=rows, action_labels=VERSION_ACTION_LABELS)


# The standings and publication pages register on the same blueprint.
from . import publication  # noqa: E402,F401
