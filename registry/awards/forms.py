from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..fields import DateField
from ..forms import RegistryForm
from ..i18n import lazy_gettext as _l
from ..labels import OFFER_KIND_LABELS, OFFER_STATE_LABELS, PARTNER_KIND_LABELS


class SpecialAwardForm(RegistryForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)],
                        description=_l("For example «Лучший результат региона» or a sponsor's prize."))
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=1000)])
    granted_by = StringField(_l("Granted by"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Grant the award"))


class RevokeForm(RegistryForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Revoke"))


class OfferForm(RegistryForm):
    partner_name = StringField(_l("Partner"), validators=[DataRequired(), Length(max=300)],
                               description=_l("Employer, technopark, TV channel or foreign partner."))
    partner_kind = SelectField(_l("Partner kind"), choices=lambda: list(PARTNER_KIND_LABELS.items()))
    kind = SelectField(_l("Kind"), choices=lambda: list(OFFER_KIND_LABELS.items()))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    country = StringField(_l("Country"), validators=[DataRequired(), Length(max=100)],
                          default="Россия")
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    starts_on = DateField(_l("Starts"), validators=[Optional()])
    ends_on = DateField(_l("Ends"), validators=[Optional()])
    award = SelectField(_l("For the award"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Save"))


class OfferStateForm(RegistryForm):
    state = SelectField(_l("New state"), choices=lambda: list(OFFER_STATE_LABELS.items()))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Change the state"))


class OfferFilterForm(RegistryForm):
    class Meta:
        csrf = False

    q = StringField(_l("Person or partner"))
    state = SelectField(_l("State"), choices=lambda: [("", "—")] + list(OFFER_STATE_LABELS.items()))
    kind = SelectField(_l("Kind"), choices=lambda: [("", "—")] + list(OFFER_KIND_LABELS.items()))
