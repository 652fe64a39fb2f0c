"""The export page: every registered exporter the user may run, with its filters."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Category, Competency, Competition, CompetitionKind, Region
from ..security import has_permission, requires
from ..services import ServiceError
from .base import EXPORTERS
from .forms import ExportForm
from .service import run_export

bp = Blueprint("exports", __name__)


def _form(with_choices: bool = True) -> ExportForm:
    """The filters form; its choices (every competition, region, competency) are loaded only
    to show the page, not to check a download's parameters."""
    form = ExportForm(request.args)
    if with_choices:
        form.kind.choices = [("", "—")] + [
            (k.slug, k.short_name)
            for k in db.session.scalars(select(CompetitionKind).order_by(CompetitionKind.id))]
        form.competition.choices = [("", "—")] + [
            (str(c.id), f"{c.title} ({c.year})")
            for c in db.session.scalars(
                select(Competition).order_by(Competition.year.desc(), Competition.title))]
        form.region.choices = [("", "—")] + [
            (r.name, r.name) for r in db.session.scalars(select(Region).order_by(Region.name))]
        form.competency.choices = [("", "—")] + [
            (c.name, c.name)
            for c in db.session.scalars(select(Competency).order_by(Competency.name))]
        form.category.choices = [("", "—")] + [
            (name, name) for name in db.session.scalars(
                select(Category.name).distinct().order_by(Category.name))]
    if not request.args.get("lang"):
        form.lang.data = str(get_locale())
    return form


def _available():
    return [e for e in EXPORTERS.values() if has_permission(current_user, e.permission)]


@bp.route("/")
@requires("exports.run")
def index():
    return render_template("exports/index.html", exporters=_available(), form=_form())


@bp.route("/<identifier>")
@requires("exports.run")
def download(identifier: str):
    exporter = EXPORTERS.get(identifier)
    if exporter is None:
        abort(404)
    if not has_permission(current_user, exporter.permission):
        abort(403)
    form = _form(with_choices=False)
    if not form.validate():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
        return redirect(url_for("exports.index"))
    raw = {name: request.args.get(name) for name in exporter.filters}
    try:
        export = run_export(identifier, raw, form.format.data, actor=current_user,
                            lang=form.lang.data, delimiter=form.delimiter.data)
    except ServiceError as error:
        flash(error.message, "danger")
        return redirect(url_for("exports.index", **request.args))
    response = Response(stream_with_context(export.chunks), mimetype=export.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
