"""Export filters, declared once (after pretix's ``export_form_fields``).

An exporter lists the ``Filter`` objects it accepts in its ``filters`` attribute. From each
declaration come: the export page's field (``registry.exporters.forms``), the ``--NAME`` option
of ``flask export EXPORTER`` (``registry.exporters.cli``), and the check that turns the value
as typed into what ``Exporter.rows`` receives (``registry.exporters.service``). The filters
several exporters share are declared here; a filter of one exporter only may be declared in
that exporter's module. Adding a filter touches one file.

A value that matches nothing is an error, never silently ignored: an export filtered by a
misspelt region must not quietly become an export of every region.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from wtforms import Field, IntegerField, SelectField, StringField
from wtforms.validators import Optional

from ..fields import NumberRange
from ..i18n import lazy_gettext as _l
from ..labels import AWARD_LABELS, STAGE_LABELS
from ..models import AWARD_KINDS, STAGES, name_key
from ..services import reference
from . import queries


@dataclass(frozen=True, eq=False)
class Filter:
    """One filter an exporter accepts.

    ``resolve`` turns the text as typed (form or command line, stripped, never empty) into the
    value ``rows`` receives, or None when it names nothing; ``error`` is the message then
    (a lazy gettext string; ``%(value)s`` is the text as typed). ``choices`` gives the page's
    options as (value, label) pairs; without it the page shows a ``field`` to type in, with
    ``validators`` (WTForms) checking it before the export runs. ``help`` is the command-line
    option's help (English, like the rest of the command line)."""

    name: str
    label: object
    resolve: Callable[[str], object | None]
    error: object
    choices: Callable[[], Iterable[tuple[str, object]]] | None = None
    field: type[Field] = StringField
    validators: tuple = ()
    help: str = ""

    def form_field(self) -> Field:
        """An unbound WTForms field for the page's form; select options are set per page."""
        validators = [Optional(), *self.validators] if self.validators else []
        if self.choices is not None:
            return SelectField(self.label, choices=[], validate_choice=False,
                               validators=validators)
        return self.field(self.label, validators=validators)

    def error_message(self, text: str) -> str:
        return str(self.error) % {"value": text}


def _year(text: str) -> int | None:
    try:
        year = int(text)
    except ValueError:
        return None
    return year if 1 <= year <= 9999 else None


def _region(text: str):
    from ..services.regions import match_region

    return match_region(text)


def _award(text: str) -> str | None:
    from ..importers.cells import AWARD_WORDS

    kind = AWARD_WORDS.get(name_key(text), text)
    return kind if kind in AWARD_KINDS else None


KIND = Filter(
    "kind", _l("Competition kind"), reference.find_kind,
    _l("Unknown competition kind: %(value)s."), choices=queries.kind_choices,
    help="Competition kind: its slug or short name.")
YEAR = Filter(
    "year", _l("Year"), _year, _l("The year must be a number."), field=IntegerField,
    validators=(NumberRange(2000, 2100),), help="Year of the competition.")
STAGE = Filter(
    "stage", _l("Stage"), lambda text: text if text in STAGES else None,
    _l("Unknown stage: %(value)s."), choices=lambda: [(s, STAGE_LABELS[s]) for s in STAGES],
    help=f"Stage: {', '.join(STAGES)}.")
COMPETITION = Filter(
    "competition", _l("Competition"), queries.find_competition,
    _l("No competition with id %(value)s."), choices=queries.competition_choices,
    help="The competition's id.")
REGION = Filter(
    "region", _l("Region"), _region, _l("Unknown region: %(value)s."),
    choices=queries.region_choices, help="The participants' region: its name, as typed.")
COMPETENCY = Filter(
    "competency", _l("Competency"), reference.find_competency,
    _l("Unknown competency: %(value)s."), choices=queries.competency_choices,
    help="A competency: its name, code or a former name (an alias).")
CATEGORY = Filter(
    "category", _l("Category"), queries.find_categories, _l("Unknown category: %(value)s."),
    choices=queries.category_choices, help="A category: its name (of every kind).")
AWARD = Filter(
    "award", _l("Award"), _award, _l("Unknown award: %(value)s."),
    choices=lambda: list(AWARD_LABELS.items()), help="An award: its code or its Russian name.")

# The filters of an export of competitions' data, in the order the page shows them.
COMPETITION_FILTERS = (KIND, YEAR, STAGE, COMPETITION)
