from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Optional

from ..fields import (
    AtLeastOne,
    CommaDecimalField,
    DateField,
    MultiCheckboxField,
    NumberRange,
    choices,
    id_value,
)
from ..forms import RegistryForm
from ..i18n import lazy_gettext as _l
from ..labels import COMPETITION_STATUS_LABELS as STATUS_LABELS
from ..labels import STAGE_LABELS


def _optional_int(value):
    """Coerce a select value to int; the empty choice ("") becomes None."""
    if value in (None, "", "None"):
        return None
    return id_value(value)  # an id, else ValueError (an invalid choice)


class CompetitionForm(RegistryForm):
    """Choices of kind and region are filled in by the view from the reference data."""

    kind = SelectField(_l("Competition kind"), coerce=_optional_int,
                       validators=[InputRequired()])
    year = IntegerField(_l("Year"), validators=[InputRequired()])
    stage = SelectField(_l("Stage"), choices=choices(STAGE_LABELS.items()))
    host_region = SelectField(_l("Host region"), coerce=_optional_int,
                              description=_l("Required for a regional stage."))
    title = StringField(
        _l("Title"), validators=[Optional()],
        description=_l("Leave empty for the standard title: kind, year, stage, region."),
    )
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS.items()))
    medallion_threshold = CommaDecimalField(
        _l("Medallion threshold, points"), places=2, validators=[Optional()],
        description=_l("Points at or above which a non-medallist gets the medallion for "
                       "excellence (Professionals only)."),
    )
    medallion_scale = SelectField(
        _l("Medallion threshold is on"), default="points",
        choices=[("points", _l("the 100-point total")), ("cis", _l("the 700 scale"))])
    time_zone = StringField(
        _l("Time zone"), validators=[Optional()], filters=[lambda v: v.strip() if v else v],
        description=_l("A zone name such as Asia/Novosibirsk; leave empty for the registry's "
                       "zone (Europe/Moscow)."),
    )
    # Medal rules (services.medals.MedalRules); empty: 1, every medal as before.
    gold_min = IntegerField(
        _l("Least entries for gold"), default=1,
        validators=[Optional(), NumberRange(min=1, max=1000)],
        description=_l("Ranked in-competition entries (teams count once) in a competency and "
                       "category needed to award gold. The Moscow rule: 4, 5, 6 and 4."))
    silver_min = IntegerField(_l("Least entries for silver"), default=1,
                              validators=[Optional(), NumberRange(min=1, max=1000)])
    bronze_min = IntegerField(_l("Least entries for bronze"), default=1,
                              validators=[Optional(), NumberRange(min=1, max=1000)])
    min_entries = IntegerField(
        _l("Least entries to be held"), default=1,
        validators=[Optional(), NumberRange(min=1, max=1000)],
        description=_l("Below this the competency and category is «not held»: no awards."))
    cis_scale = BooleanField(
        _l("Show the WorldSkills 700 scale"),
        description=_l("Beside the points: within a competency and category the median "
                       "competitor is at 700 and one standard deviation is 100."))
    submit = SubmitField(_l("Save"))


class OfferForm(RegistryForm):
    # Which competencies and categories fit the competition is the service's rule
    # (services.offerings.check_offerable), so the fields do not check their choices.
    competency = SelectField(_l("Competency"), coerce=_optional_int, validate_choice=False,
                             validators=[DataRequired(message=_l("Choose a competency."))])
    categories = MultiCheckboxField(
        _l("Categories"), coerce=id_value, validate_choice=False,
        validators=[AtLeastOne(_l("Choose at least one category."))],
    )
    submit = SubmitField(_l("Offer"))


class FilterForm(RegistryForm):
    """The list's filters, read from the query string."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Competition kind"), coerce=_optional_int, validators=[Optional()])
    year = SelectField(_l("Year"), coerce=_optional_int, validators=[Optional()])
    stage = SelectField(_l("Stage"), validators=[Optional()],
                        choices=choices([("", _l("All stages")), *STAGE_LABELS.items()]))
    status = SelectField(_l("Status"), validators=[Optional()],
                         choices=choices([("", _l("All statuses")), *STATUS_LABELS.items()]))


class TeamRuleForm(RegistryForm):
    """Individual or team, and the team size bounds of one offered competency."""

    is_team = BooleanField(_l("Team competency"))
    team_min = IntegerField(_l("Smallest team"), validators=[Optional(), NumberRange(min=2, max=20)],
                            description=_l("Empty: 2."))
    team_max = IntegerField(_l("Largest team"), validators=[Optional(), NumberRange(min=2, max=20)],
                            description=_l("Empty: 4."))
    submit = SubmitField(_l("Save"))


class ConfirmForm(RegistryForm):
    """A confirmation step: the POST that does what the page announced."""

    submit = SubmitField(_l("Confirm"))
