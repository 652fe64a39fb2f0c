"""The forms of the duplicates pages: each names the two records by id (checked by the view)."""
from __future__ import annotations

from wtforms import IntegerField, SubmitField
from wtforms.validators import DataRequired

from ..fields import MAX_ID, NumberRange
from ..forms import RegistryForm
from ..i18n import lazy_gettext as _l

_ID = [DataRequired(), NumberRange(1, MAX_ID)]


class PairForm(RegistryForm):
    """Merge ``drop`` into ``keep``, or mark the two as not the same."""

    keep = IntegerField(validators=_ID)
    drop = IntegerField(validators=_ID)
    submit = SubmitField(_l("Merge"))


class DistinctForm(RegistryForm):
    keep = IntegerField(validators=_ID)
    drop = IntegerField(validators=_ID)
    submit = SubmitField(_l("Not the same"))


class UndoForm(RegistryForm):
    audit_id = IntegerField(validators=_ID)
    submit = SubmitField(_l("Undo"))

