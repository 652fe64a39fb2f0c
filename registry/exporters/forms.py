"""The export page's form of each exporter: its declared filters, then format and language."""
from __future__ import annotations

from collections.abc import Callable

from wtforms import SelectField

from ..forms import RegistryForm
from ..i18n import lazy_gettext as _l
from .base import OUTPUT_FORMATS, Exporter
from .filters import Filter

NO_CHOICE = ("", "—")


class ExportForm(RegistryForm):
    """Format and language of an export (a GET form: exporting changes nothing); the form of
    an exporter adds one field per declared filter (``export_form``)."""

    class Meta:
        csrf = False

    format = SelectField(_l("Format"), choices=[])
    delimiter = SelectField(_l("CSV delimiter"), choices=[(";", ";"), (",", ",")], default=";")
    lang = SelectField(_l("Language"), choices=[("ru", "Русский"), ("en", "English")],
                       default="ru")


def form_class(exporter: Exporter) -> type[ExportForm]:
    fields = {declared.name: declared.form_field() for declared in exporter.filters}
    return type(f"{exporter.__class__.__name__}Form", (ExportForm,), fields)


def export_form(exporter: Exporter, formdata,
                choices: Callable[[Filter], list] | None = None) -> ExportForm:
    """The form of ``exporter`` filled from ``formdata``. ``choices`` gives a select filter's
    options (``page_choices``); without it the options (every competition, region,
    competency…) are not loaded: they are shown on the page, not needed to check a download."""
    form = form_class(exporter)(formdata)
    # The page has one form per exporter: ids carry the exporter's, names stay the filters'.
    for field in form:
        field.id = f"{exporter.identifier}-{field.name}"
        field.label.field_id = field.id
    form.format.choices = [(f, OUTPUT_FORMATS[f].label) for f in exporter.formats]
    if choices is not None:
        for declared in exporter.filters:
            if declared.choices is not None:
                form[declared.name].choices = choices(declared)
    return form


def page_choices() -> Callable[[Filter], list]:
    """Options of select filters, each read once per page however many exporters share it."""
    loaded: dict[Filter, list] = {}

    def choices(declared: Filter) -> list:
        if declared not in loaded:
            loaded[declared] = [NO_CHOICE, *declared.choices()]
        return loaded[declared]

    return choices
