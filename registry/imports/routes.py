"""Upload a spreadsheet of participants, see every row with its problems, then confirm.

Between the preview and the confirmation the uploaded bytes wait in ``instance/uploads``
(``IMPORT_UPLOAD_DIR``) under a random token that only the session knows; the confirmation
reads the file again and validates it again (the database may have changed), then writes it
in one transaction and deletes it. Files left behind by abandoned previews are swept after
a day.
"""
from __future__ import annotations

import io
import os
import re
import secrets
import time
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from ..extensions import db
from ..importers.participants import COLUMNS, ImportRefused, apply, build_plan
from ..importers.template import participants_template
from ..models import Competition
from ..security import requires
from ..transaction import refuse
from .forms import CancelForm, ConfirmForm, UploadForm

bp = Blueprint("imports", __name__)

SESSION_KEY = "participants_import"
RESULT_KEY = "participants_import_result"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
MAX_AGE_SECONDS = 24 * 3600
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _competition_or_404(competition_id: int) -> Competition:
    competition = db.session.get(Competition, competition_id)
    if competition is None:
        abort(404)
    return competition


# --- the waiting room for uploads ----------------------------------------------------------

def _upload_dir() -> Path:
    configured = current_app.config.get("IMPORT_UPLOAD_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def _path(token: str) -> Path | None:
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    return _upload_dir() / token


def _store(data: bytes) -> str:
    directory = _upload_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    _sweep(directory)
    token = secrets.token_urlsafe(24)
    fd = os.open(directory / token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return token


def _read(token: str) -> bytes | None:
    path = _path(token)
    if path is None or not path.is_file():
        return None
    return path.read_bytes()


def _discard(token: str | None) -> None:
    path = _path(token) if token else None
    if path is not None:
        path.unlink(missing_ok=True)


def _sweep(directory: Path) -> None:
    limit = time.time() - MAX_AGE_SECONDS
    for path in directory.iterdir():
        try:
            if path.is_file() and _TOKEN.match(path.name) and path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass


def _forget_upload() -> None:
    stored = session.pop(SESSION_KEY, None)
    if isinstance(stored, dict):
        _discard(stored.get("token"))


def _back_url(competition: Competition) -> str | None:
    try:
        return url_for("competitions.detail", competition_id=competition.id)
    except BuildError:
        return None


def _render_upload(competition: Competition, form: UploadForm, result=None):
    return render_template("imports/upload.html", competition=competition, form=form,
                           columns=COLUMNS, result=result, back_url=_back_url(competition))


def _render_preview(competition: Competition, plan, token: str | None, status: int = 200):
    confirm_form = ConfirmForm(formdata=None, token=token) if token else None
    return render_template(
        "imports/preview.html", competition=competition, plan=plan, confirm_form=confirm_form,
        cancel_form=CancelForm(), upload_form=UploadForm(formdata=None),
        back_url=_back_url(competition),
    ), status


# --- views ---------------------------------------------------------------------------------

@bp.route("/competitions/<int:competition_id>/import", methods=["GET", "POST"])
@requires("competitions.manage")
def participants(competition_id: int):
    competition = _competition_or_404(competition_id)
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        filename = os.path.basename(upload.filename or "")[:200] or None
        data = upload.read()
        _forget_upload()
        plan = build_plan(competition, data, filename=filename)
        token = None
        if plan.ok:
            token = _store(data)
            session[SESSION_KEY] = {"token": token, "competition_id": competition.id,
                                    "filename": filename}
        return _render_preview(competition, plan, token)
    result = session.pop(RESULT_KEY, None)
    if not isinstance(result, dict) or result.get("competition_id") != competition.id:
        result = None
    return _render_upload(competition, form, result)


@bp.route("/competitions/<int:competition_id>/import/confirm", methods=["POST"])
@requires("competitions.manage")
def confirm(competition_id: int):
    competition = _competition_or_404(competition_id)
    form = ConfirmForm()
    stored = session.get(SESSION_KEY)
    data = None
    if (form.validate_on_submit() and isinstance(stored, dict)
            and stored.get("competition_id") == competition.id
            and stored.get("token") == form.token.data):
        data = _read(stored["token"])
    if data is None:
        flash(_("The uploaded file is no longer available; upload it again."), "warning")
        return redirect(url_for("imports.participants", competition_id=competition.id))
    plan = build_plan(competition, data, filename=stored.get("filename"))
    if plan.ok:
        try:
            counts = apply(plan, actor=current_user)
        except ImportRefused as error:
            refuse()
            plan.file_problems.extend(error.problems)
        else:
            _forget_upload()
            session[RESULT_KEY] = {"competition_id": competition.id, **counts.as_dict()}
            flash(_("The participants were imported."), "success")
            return redirect(url_for("imports.participants", competition_id=competition.id))
    # The database changed since the preview: show what is wrong now; nothing was written.
    _forget_upload()
    return _render_preview(competition, plan, None, status=422)


@bp.route("/competitions/<int:competition_id>/import/cancel", methods=["POST"])
@requires("competitions.manage")
def cancel(competition_id: int):
    competition = _competition_or_404(competition_id)
    _forget_upload()
    return redirect(url_for("imports.participants", competition_id=competition.id))


@bp.route("/competitions/<int:competition_id>/import/template.xlsx")
@requires("competitions.manage")
def template(competition_id: int):
    competition = _competition_or_404(competition_id)
    return send_file(
        io.BytesIO(participants_template(competition)),
        mimetype=XLSX_MIMETYPE, as_attachment=True,
        download_name="participants_template.xlsx", max_age=0,
    )
