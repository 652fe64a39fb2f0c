"""The ``/api/v1`` exports: the list of exports a user may run, and one export as JSON
(columns and rows), audited like a file."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import request

from ..exporters import service as export_service
from ..exporters.base import EXPORTERS
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..security import has_permission
from . import schemas
from .auth import current_api_user, operation
from .helpers import _json
from .problems import ApiProblem
from .routes import bp


@bp.route("/exports")
@operation(_l("The exports and the filters each takes"), permission="exports.run", scope="read",
           response=schemas.ExporterOut, many=True, tag="exports")
def exports():
    user = current_api_user()
    return _json({"items": [
        {"identifier": e.identifier, "label": str(e.label),
         "filters": [f.name for f in e.filters]}
        for e in EXPORTERS.values() if has_permission(user, e.permission)]})


@bp.route("/exports/<identifier>")
@operation(_l("An export as JSON: its columns and rows (filters as query parameters, as the "
           "export page and `flask export` take them); audited like a file"),
           permission="exports.run", scope="read", response=schemas.ExportOut,
           tag="exports")
def export(identifier: str):
    if identifier not in EXPORTERS:
        raise ApiProblem(404, _("Not found."))
    raw = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}
    exporter, filters = export_service.run_table(identifier, raw, actor=current_api_user())
    columns = [str(c.label) for c in exporter.columns()]
    rows = [[_cell(v) for v in row] for row in exporter.rows(filters)]
    return _json({"identifier": identifier, "columns": columns, "rows": rows})


def _cell(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value
