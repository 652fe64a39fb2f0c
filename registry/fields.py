"""Form fields and helpers shared by the blueprints' forms."""
from __future__ import annotations

import re

import wtforms
from werkzeug.routing import IntegerConverter
from wtforms import DecimalField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from .text import NoSuchDate, calendar_date

# Ids are INTEGER columns (32 bits on PostgreSQL). A bigger number typed into a URL or a form
# can name no row, and beyond 64 bits the SQLite driver cannot even send it: it is refused
# here, before it reaches the database.
MAX_ID = 2**31 - 1


def parse_id(value) -> int | None:
    """An id sent by a browser: ASCII digits from 1 to ``MAX_ID``; anything else is None."""
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def id_or_none(value):
    """``coerce`` of a select of ids: blank → None; not an id → ValueError (an invalid
    choice), so that no view ever queries with it."""
    if value in (None, ""):
        return None
    return id_value(value)


def id_value(value) -> int:
    """``coerce`` of a choice of ids that is never blank: not an id → ValueError."""
    number = parse_id(value)
    if number is None:
        raise ValueError(value)
    return number


class IdConverter(IntegerConverter):
    """``<int:…>`` in URLs: a number beyond ``MAX_ID`` matches no route (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as the choices of a select field."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AtLeastOne:
    """At least one option chosen. Unlike DataRequired it does not mark every checkbox
    ``required`` (which would ask the browser for all of them)."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if not field.data:
            raise StopValidation(str(self.message))


class CommaDecimalField(DecimalField):
    """A decimal that may be written with a comma, as in Russian: «70,5»."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].replace(",", ".").strip()]
        super().process_formdata(valuelist)


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


class DateField(wtforms.DateField):
    """A date as a date input sends it («2024-02-29») or as people type it («29.02.2024»); a
    date the calendar does not have («31.02.2024») says that it does not exist."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%d", "%d.%m.%Y"])
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            written = " ".join(valuelist).strip()
            iso, dotted = _ISO_DATE.match(written), _DOTTED_DATE.match(written)
            parts = iso.groups() if iso else tuple(reversed(dotted.groups())) if dotted else None
            if parts is None:
                raise
            try:
                self.data = calendar_date(*(int(p) for p in parts))
            except NoSuchDate as error:
                self.data = None
                self.no_such_date = True
                raise ValueError(error.message) from None

    no_such_date = False

    def pre_validate(self, form):
        # A date the calendar does not have keeps its message: DataRequired would replace it
        # with «This field is required» (and Optional still clears an empty field's error).
        if self.no_such_date:
            raise StopValidation()


class NumberRange(wtforms.validators.NumberRange):
    """WTForms' NumberRange, for whole numbers of any size: WTForms asks ``math.isnan`` of the
    value, which turns a 30-digit integer into a float and fails with OverflowError (a 500).
    A whole number is compared as it is, with WTForms' own messages; anything else is
    WTForms' own check."""

    def __call__(self, form, field):
        data = field.data
        if not isinstance(data, int) or isinstance(data, bool):
            return super().__call__(form, field)
        low, high = self._resolve(self.min), self._resolve(self.max)
        if (low is None or data >= low) and (high is None or data <= high):
            return
        message = self.message
        if message is None:
            if high is None:
                message = field.gettext("Number must be at least %(min)s.")
            elif low is None:
                message = field.gettext("Number must be at most %(max)s.")
            else:
                message = field.gettext("Number must be between %(min)s and %(max)s.")
        raise wtforms.validators.ValidationError(message % {"min": low, "max": high})
