"""Upload a spreadsheet (participants, or a results protocol), see its summary, its problems
and its rows, a page at a time, then confirm.

Both imports go the same way: the upload builds the plan and shows its summary, its problems
and the first page of its rows (``preview.py``; nothing is written); a plan without problems
waits in the ``uploads.WaitingRoom`` (in the database, so any instance can go on) under a
token bound to the session, its owner and the competition,
and its other pages are GETs of that upload (``preview``, ``results_preview``: the plan is
built again from the kept file); the confirmation takes the file back, builds the plan again
(the database may have changed) and writes it, once, through the importer's ``apply``. A
refusal calls ``refuse()`` so the request rolls back (``registry/transaction.py``).
"""
from __future__ import annotations

import io
import os

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_login import current_user
from werkzeug.routing import BuildError

from ..extensions import db
from ..i18n import gettext as _
from ..models import Competition
from ..security import requires
from ..transaction import refuse
from . import results as protocol
from .base import ImportRefused
from .forms import CancelForm, ConfirmForm, UploadForm
from .participants import COLUMNS, apply, build_plan
from .preview import page_number, preview_page
from .template import participants_template
from .uploads import WaitingRoom

bp = Blueprint("imports", __name__)

PARTICIPANTS = WaitingRoom("participants_import")
RESULTS = WaitingRoom("results_import")
RESULT_KEY = "participants_import_result"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _uploaded(form: UploadForm) -> tuple[bytes, str | None]:
    upload = form.file.data
    return upload.read(), os.path.basename(upload.filename or "")[:200] or None


def _back_url(competition: Competition) -> str | None:
    try:
        return url_for("competitions.detail", competition_id=competition.id)
    except BuildError:
        return None


# --- participants --------------------------------------------------------------------------

def _render_upload(competition: Competition, form: UploadForm, result=None):
    return render_template("imports/upload.html", competition=competition, form=form,
                           columns=COLUMNS, result=result, back_url=_back_url(competition))


def _page_args() -> tuple[int, bool]:
    return page_number(request.args.get("page")), request.args.get("only") == "problems"


def _render_preview(competition: Competition, plan, token: str | None, status: int = 200,
                    number: int = 1, only_problems: bool = False):
    confirm_form = ConfirmForm(formdata=None, token=token) if token and plan.ok else None
    return render_template(
        "imports/preview.html", competition=competition, plan=plan, confirm_form=confirm_form,
        cancel_form=CancelForm(), upload_form=UploadForm(formdata=None),
        back_url=_back_url(competition), token=token,
        preview=preview_page(plan, number, only_problems=only_problems),
    ), status


@bp.route("/competitions/<int:competition_id>/import", methods=["GET", "POST"])
@requires("competitions.manage")
def participants(competition_id: int):
    competition = db.get_or_404(Competition, competition_id)
    form = UploadForm()
    if form.validate_on_submit():
        data, filename = _uploaded(form)
        PARTICIPANTS.forget()
        plan = build_plan(competition, data, filename=filename)
        # kept with its problems too, so that the other pages of its rows can be read
        # (confirming it checks it again and writes nothing while it has any); a file with no
        # rows to page is not kept
        token = PARTICIPANTS.keep(data, competition.id, filename) if plan.rows else None
        return _render_preview(competition, plan, token)
    result = session.pop(RESULT_KEY, None)
    if not isinstance(result, dict) or result.get("competition_id") != competition.id:
        result = None
    return _render_upload(competition, form, result)


def _kept_upload(room, competition):
    """The upload of this session for ``competition`` named by ``?token=`` in the waiting
    ``room``: ``(token, (data, filename))``; ``(None, None)`` when no token is named; 404 for
    any other token (another session's, another competition's, an expired one)."""
    token = request.args.get("token")
    if not token:
        return None, None
    stored = room.take(competition.id, token)
    if stored is None:
        abort(404)
    return token, stored


@bp.route("/competitions/<int:competition_id>/import/preview")
@requires("competitions.manage")
def preview(competition_id: int):
    """Another page of the preview of the upload that waits for confirmation: the file is read
    and checked again (nothing is written). Only this session's upload for this competition;
    any other token is 404."""
    competition = db.get_or_404(Competition, competition_id)
    token, stored = _kept_upload(PARTICIPANTS, competition)
    if stored is None:  # no upload named: the upload page
        return redirect(url_for("imports.participants", competition_id=competition.id))
    data, filename = stored
    plan = build_plan(competition, data, filename=filename)
    return _render_preview(competition, plan, token, 200 if plan.ok else 422, *_page_args())


@bp.route("/competitions/<int:competition_id>/import/confirm", methods=["POST"])
@requires("competitions.manage")
def confirm(competition_id: int):
    competition = db.get_or_404(Competition, competition_id)
    form = ConfirmForm()
    stored = PARTICIPANTS.take(competition.id, form.token.data) if form.validate_on_submit() \
        else None
    if stored is None:
        flash(_("The uploaded file is no longer available; upload it again."), "warning")
        return redirect(url_for("imports.participants", competition_id=competition.id))
    data, filename = stored
    plan = build_plan(competition, data, filename=filename)
    if plan.ok:
        try:
            counts = apply(plan, actor=current_user)
        except ImportRefused as error:
            refuse()
            plan.file_problems.extend(error.problems)
        else:
            PARTICIPANTS.forget()
            session[RESULT_KEY] = {"competition_id": competition.id, **counts.as_dict()}
            flash(_("The participants were imported."), "success")
            return redirect(url_for("imports.participants", competition_id=competition.id))
    # The database changed since the preview: show what is wrong now; nothing was written.
    PARTICIPANTS.forget(now=True)
    return _render_preview(competition, plan, None, status=422)


@bp.route("/competitions/<int:competition_id>/import/cancel", methods=["POST"])
@requires("competitions.manage")
def cancel(competition_id: int):
    competition = db.get_or_404(Competition, competition_id)
    PARTICIPANTS.forget()
    return redirect(url_for("imports.participants", competition_id=competition.id))


@bp.route("/competitions/<int:competition_id>/import/template.xlsx")
@requires("competitions.manage")
def template(competition_id: int):
    competition = db.get_or_404(Competition, competition_id)
    return send_file(
        io.BytesIO(participants_template(competition)),
        mimetype=XLSX_MIMETYPE, as_attachment=True,
        download_name="participants_template.xlsx", max_age=0,
    )


# --- results (paper protocols) -------------------------------------------------------------

def _render_results(competition: Competition, form: UploadForm, plan=None,
                    token: str | None = None, number: int = 1, only_problems: bool = False):
    confirm_form = ConfirmForm(formdata=None, token=token) if token and plan.ok else None
    status = 422 if plan is not None and not plan.ok else 200
    return render_template(
        "imports/results_upload.html", competition=competition, form=form, plan=plan,
        confirm_form=confirm_form, cancel_form=CancelForm(), columns=protocol.SPEC.columns,
        token=token, preview=preview_page(plan, number, only_problems=only_problems)
        if plan is not None else None,
    ), status


@bp.route("/results/<int:competition_id>/import", methods=["GET", "POST"])
@requires("results.import")
def results(competition_id: int):
    competition = db.get_or_404(Competition, competition_id)
    form = UploadForm()
    if form.validate_on_submit():
        data, filename = _uploaded(form)
        RESULTS.forget()
        plan = protocol.build_plan(competition, data, filename=filename)
        token = RESULTS.keep(data, competition.id, filename) if plan.rows else None  # as above
        return _render_results(competition, UploadForm(formdata=None), plan, token)
    return _render_results(competition, form)


@bp.route("/results/<int:competition_id>/import/preview")
@requires("results.import")
def results_preview(competition_id: int):
    """Another page of the protocol preview that waits for confirmation (as ``preview``)."""
    competition = db.get_or_404(Competition, competition_id)
    token, stored = _kept_upload(RESULTS, competition)
    if stored is None:  # no upload named: the upload page
        return redirect(url_for("imports.results", competition_id=competition.id))
    data, filename = stored
    plan = protocol.build_plan(competition, data, filename=filename)
    return _render_results(competition, UploadForm(formdata=None), plan, token, *_page_args())


@bp.route("/results/<int:competition_id>/import/confirm", methods=["POST"])
@requires("results.import")
def results_confirm(competition_id: int):
    competition = db.get_or_404(Competition, competition_id)
    form = ConfirmForm()
    stored = RESULTS.take(competition.id, form.token.data) if form.validate_on_submit() \
        else None
    if stored is None:
        flash(_("The uploaded file is no longer available; upload it again."), "warning")
        return redirect(url_for("imports.results", competition_id=competition.id))
    data, filename = stored
    plan = protocol.build_plan(competition, data, filename=filename)
    if plan.ok:
        try:
            count = protocol.apply(plan, actor=current_user)
        except ImportRefused as error:
            refuse()
            plan.file_problems.extend(error.problems)
        else:
            RESULTS.forget()
            flash(_("Imported %(n)d results.", n=count), "success")
            return redirect(url_for("marking.standings", competition_id=competition.id))
    # The database changed since the preview: show what is wrong now; nothing was written.
    RESULTS.forget(now=True)
    return _render_results(competition, UploadForm(formdata=None), plan)


@bp.route("/results/<int:competition_id>/import/cancel", methods=["POST"])
@requires("results.import")
def results_cancel(competition_id: int):
    competition = db.get_or_404(Competition, competition_id)
    RESULTS.forget()
    return redirect(url_for("imports.results", competition_id=competition.id))
