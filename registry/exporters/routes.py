"""The export page: every registered exporter the user may run, with the form its filters
declare (blueprint ``exports``, under ``/exports``)."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import get_locale
from flask_login import current_user

from ..jobs import exports as jobs_exports
from ..security import has_permission, requires
from ..services import ServiceError
from ..transaction import refuse
from .base import EXPORTERS, Exporter
from .forms import export_form, page_choices
from .service import content_disposition, resolve_filters, run_export

bp = Blueprint("exports", __name__)


def _form(exporter: Exporter, choices=None):
    form = export_form(exporter, request.args, choices)
    if not request.args.get("lang"):
        form.lang.data = str(get_locale())
    return form


def _available():
    return [e for e in EXPORTERS.values() if has_permission(current_user, e.permission)]


@bp.route("/")
@requires("exports.run")
def index():
    exporters = _available()
    choices = page_choices()
    forms = {e.identifier: _form(e, choices) for e in exporters}
    return render_template("exports/index.html", exporters=exporters, forms=forms)


@bp.route("/<identifier>")
@requires("exports.run")
def download(identifier: str):
    exporter = EXPORTERS.get(identifier)
    if exporter is None:
        abort(404)
    if not has_permission(current_user, exporter.permission):
        abort(403)
    form = _form(exporter)
    if not form.validate():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
        # back to the page with what was chosen, so that it can be corrected, not retyped
        return redirect(url_for("exports.index", **request.args))
    raw = {declared.name: request.args.get(declared.name) for declared in exporter.filters}
    try:
        export = run_export(identifier, raw, form.format.data, actor=current_user,
                            lang=form.lang.data, delimiter=form.delimiter.data)
    except ServiceError as error:
        refuse()
        flash(error.message, "danger")
        return redirect(url_for("exports.index", **request.args))
    # A big export is written by a worker (registry.jobs): its page shows the progress, then
    # the file, kept for its owner for a day. The run is in the audit log either way.
    total = jobs_exports.count_rows(exporter, resolve_filters(exporter, raw))
    if total is not None and total > jobs_exports.threshold():
        job = jobs_exports.start_export(identifier, raw, form.format.data, owner=current_user,
                                        lang=form.lang.data, delimiter=form.delimiter.data,
                                        total=total, label=f"{exporter.label}: {export.filename}")
        return redirect(url_for("jobs.status", job_id=job.id))
    response = Response(stream_with_context(export.chunks), mimetype=export.mimetype)
    response.headers["Content-Disposition"] = content_disposition(export.filename)
    # Personal data: never kept by a browser or a proxy cache.
    response.headers["Cache-Control"] = "no-store"
    return response
