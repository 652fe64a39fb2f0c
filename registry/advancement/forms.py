from wtforms import HiddenField, SelectField, SubmitField

from ..fields import AtLeastOne, MultiCheckboxField, id_or_none
from ..forms import RegistryForm
from ..i18n import lazy_gettext as _l


class AdvanceForm(RegistryForm):
    """The choices are filled in by the view from the source competition."""

    target = SelectField(_l("Into the competition"), coerce=id_or_none,
                         description=_l("A later stage of the same kind, or a next season."))
    awards = MultiCheckboxField(_l("Awards"),
                                validators=[AtLeastOne(_l("Choose at least one award."))])
    competency = SelectField(_l("Competency"), coerce=id_or_none)
    category = SelectField(_l("Category"), coerce=id_or_none)
    fingerprint = HiddenField()  # the preview's (``Plan.fingerprint``), sent with the confirmation
    preview = SubmitField(_l("Show the preview"))
    confirm = SubmitField(_l("Register them"))
