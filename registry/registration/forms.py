"""Forms of the registration area. Choices that come from the database are set by the view."""
from __future__ import annotations

from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..fields import DateField, id_or_none
from ..forms import RegistryForm
from ..i18n import lazy_gettext as _l
from ..labels import ENTRY_STATUS_LABELS as STATUS_LABELS  # noqa: F401
from ..labels import ORGANISATION_KIND_LABELS, STAGE_LABELS  # noqa: F401


def int_or_none(value):
    """Blank → None; an id → int; anything else is an invalid choice (ValueError)."""
    return id_or_none(value)


def _blank_choice():
    return [("", "—")]


class OrganisationForm(RegistryForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=500)])
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k, v) for k, v in ORGANISATION_KIND_LABELS.items()]
    )
    region_id = SelectField(_l("Region"), coerce=int_or_none, validators=[DataRequired()])
    submit = SubmitField(_l("Save"))


class PersonForm(RegistryForm):
    last_name = StringField(_l("Surname"), validators=[DataRequired(), Length(max=100)])
    first_name = StringField(_l("Given name"), validators=[DataRequired(), Length(max=100)])
    middle_name = StringField(_l("Patronymic"), validators=[Optional(), Length(max=100)])
    birth_date = DateField(_l("Birth date"), validators=[DataRequired()])
    region_id = SelectField(_l("Region"), coerce=int_or_none, validators=[DataRequired()])
    organisation = StringField(
        _l("Organisation"), validators=[Optional(), Length(max=500)],
        description=_l("Educational organisation or employer in the person's region; "
                       "a new name creates the organisation."),
    )
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    consent_date = DateField(
        _l("Consent to personal data processing, date"), validators=[Optional()]
    )
    guardian_name = StringField(
        _l("Parent or guardian (for minors)"), validators=[Optional(), Length(max=300)]
    )
    guardian_consent_date = DateField(
        _l("Consent of the parent or guardian, date"), validators=[Optional()]
    )
    publication_consent = BooleanField(
        _l("Consent to the publication of results"),
        description=_l("The full name on the public results pages; without it, the surname "
                       "and initials."))
    guardian_publication_consent = BooleanField(
        _l("Parent's or guardian's consent to the publication of results (for minors)"))
    submit = SubmitField(_l("Save"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if ((self.guardian_consent_date.data or self.guardian_publication_consent.data)
                and not (self.guardian_name.data or "").strip()):
            self.guardian_name.errors = [
                *self.guardian_name.errors,
                _l("Name the parent or guardian who gave the consent."),
            ]
            valid = False
        return valid


class PersonEntryForm(PersonForm):
    """Create a person and register them in one go."""

    offered_category_id = SelectField(
        _l("Competency and category"), coerce=int_or_none, validators=[DataRequired()]
    )
    submit = SubmitField(_l("Create and register"))


OUT_OF_COMPETITION_HELP = _l("Marked and shown with the points, but no place and no award; "
                              "not counted for the medal minimums (guests, foreign or "
                              "over-age competitors).")


class EntryForm(RegistryForm):
    person_id = HiddenField(validators=[DataRequired()])
    offered_category_id = SelectField(
        _l("Competency and category"), coerce=int_or_none, validators=[DataRequired()]
    )
    out_of_competition = BooleanField(_l("Out of competition"),
                                      description=OUT_OF_COMPETITION_HELP)
    submit = SubmitField(_l("Register"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TeamForm(RegistryForm):
    team_name = StringField(_l("Team name"), validators=[DataRequired(), Length(max=200)])
    offered_category_id = SelectField(
        _l("Competency and category"), coerce=int_or_none, validators=[DataRequired()]
    )
    members = MultiCheckboxField(_l("Members"), coerce=int)
    out_of_competition = BooleanField(_l("Out of competition"),
                                      description=OUT_OF_COMPETITION_HELP)
    find = SubmitField(_l("Find members"))
    submit = SubmitField(_l("Register the team"))


class EntryStatusForm(RegistryForm):
    status = HiddenField(validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
    confirmed = HiddenField()  # set by the confirmation page of a withdrawal or disqualification


class OutOfCompetitionForm(RegistryForm):
    out_of_competition = HiddenField(validators=[DataRequired()])  # "1" or "0"


class AddMemberForm(RegistryForm):
    person_id = HiddenField(validators=[DataRequired()])


class RemoveMemberForm(RegistryForm):
    submit = SubmitField(_l("Remove"))


class HealthForm(RegistryForm):
    disability_group = StringField(_l("Disability group"), validators=[Optional(), Length(max=50)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=1000)])
    written_consent_date = DateField(
        _l("Written consent to process health data"), validators=[Optional()],
        description=_l("Required: health data is kept only with the person's written consent."))
    submit = SubmitField(_l("Save"))


class HealthDeleteForm(RegistryForm):
    submit = SubmitField(_l("Delete the health data"))
