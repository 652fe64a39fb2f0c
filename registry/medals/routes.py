"""The medal-table page (blueprint ``medals``, ``/medals``): the medal table by region of the
«medals» export, with its filters, sortable, and its chart; the download one click away."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import get_locale

from ..exporters.base import EXPORTERS
from ..exporters.filters import COMPETITION_FILTERS
from ..exporters.forms import NO_CHOICE
from ..exporters.service import clean, resolve_filters
from ..exporters.winners import ORDER, MedalsExporter
from ..forms import RegistryForm
from ..i18n import lazy_gettext as _l
from ..security import requires
from ..services import ServiceError
from . import figures
from .queries import DEFAULT_SORT, POINTS_SORT, SORT_COLUMNS, medal_table, sort_rows

bp = Blueprint("medals", __name__)

PAGE_FILTERS = (*COMPETITION_FILTERS, ORDER)  # kind, year, stage, competition; the ranking
COLUMN_LABELS = {"region": _l("Region"), "gold": _l("Gold"), "silver": _l("Silver"),
                 "bronze": _l("Bronze"), "medallion": _l("Medallions"),
                 "total": _l("Total medals"), "points": _l("Points")}


class MedalFilterForm(RegistryForm):
    """The page's filters (a GET form: it changes nothing)."""

    class Meta:
        csrf = False


FilterForm = type("MedalTableFilterForm", (MedalFilterForm,),
                  {declared.name: declared.form_field() for declared in PAGE_FILTERS})


def _order() -> str:
    return "points" if request.args.get("order") == "points" else "medals"


def _sort() -> tuple[str, str]:
    column = request.args.get("sort")
    if column not in SORT_COLUMNS or (column == "points" and _order() != "points"):
        return POINTS_SORT if _order() == "points" else DEFAULT_SORT
    direction = request.args.get("dir")
    if direction not in ("asc", "desc"):
        direction = "asc" if column == "region" else "desc"
    return column, direction


@bp.route("/medals")
@requires(MedalsExporter.permission)  # the same as the «medals» export
def index():
    form = FilterForm(request.args)
    for declared in PAGE_FILTERS:
        if declared.choices is not None:
            form[declared.name].choices = [NO_CHOICE, *declared.choices()]
    raw = clean({declared.name: request.args.get(declared.name) for declared in PAGE_FILTERS})
    column, direction = _sort()
    error, rows = None, []
    if not form.validate():
        error = next(iter(m for messages in form.errors.values() for m in messages))
    else:
        try:
            filters = resolve_filters(EXPORTERS["medals"], raw)
        except ServiceError as refused:
            error = refused.message
            if refused.field in form:
                form[refused.field].errors = [error]
        else:
            rows = sort_rows(medal_table(filters), column, direction, _order())
    download = {"identifier": "medals", "lang": str(get_locale()), "delimiter": ";", **raw}
    return render_template(
        "medals/index.html", form=form, filters=PAGE_FILTERS, rows=rows, error=error,
        chart=figures.medal_chart(rows), sort=column, direction=direction, raw=raw,
        columns=SORT_COLUMNS if _order() == "points" else SORT_COLUMNS[:-1],
        labels=COLUMN_LABELS, download=download,
        default_sort=POINTS_SORT if _order() == "points" else DEFAULT_SORT,
        description=EXPORTERS["medals"].description,
    ), 400 if error else 200  # a filter that names nothing: the error, never every region
