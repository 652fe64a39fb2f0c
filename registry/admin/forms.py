from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from ..fields import AtLeastOne, MultiCheckboxField, id_or_none
from ..forms import RegistryForm
from ..i18n import lazy_gettext as _l
from ..services.users import MIN_PASSWORD_LENGTH

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "organiser": _l("Organiser"),
    "expert": _l("Expert"),
    "coordinator": _l("Coordinator"),
}


def role_choices():
    return [(role, label) for role, label in ROLE_LABELS.items()]


class UserCreateForm(RegistryForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=role_choices)
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=256)]
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Create"))


class UserEditForm(RegistryForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=role_choices)
    active = BooleanField(_l("Active (may log in)"))
    confirmed = HiddenField()  # set by the confirmation page of a deactivation
    submit = SubmitField(_l("Save"))


class PasswordResetForm(RegistryForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=256)]
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Set the password"))


class CompetencyForm(RegistryForm):
    """``kinds`` choices are filled in by the view."""

    name = StringField(_l("Name of the competency"),
                       validators=[DataRequired(), Length(max=300)])
    code = StringField(_l("Code"), validators=[Optional(), Length(max=20)],
                       description=_l("Optional, e.g. R11J."))
    kinds = MultiCheckboxField(
        _l("Competition kinds"), coerce=int,
        validators=[AtLeastOne(_l("Choose at least one competition kind."))],
    )
    is_team = BooleanField(_l("Team competency (one result for a team of 2–4)"))
    submit = SubmitField(_l("Add"))


class AliasForm(RegistryForm):
    """Another name or code of a competency; ``competency`` choices are filled in by the view."""

    competency = SelectField(_l("Competency"), coerce=id_or_none)
    alias = StringField(_l("Other name or code"), validators=[DataRequired(), Length(max=300)],
                        description=_l("A former name or code under which past protocols list "
                                       "it, e.g. «Веб-дизайн и разработка» or R11J."))
    submit = SubmitField(_l("Add"))


class CategoryForm(RegistryForm):
    """``kind`` choices are filled in by the view."""

    kind = SelectField(_l("Competition kind"), coerce=int)
    name = StringField(_l("Name of the category"),
                       validators=[DataRequired(), Length(max=100)])
    min_age = IntegerField(_l("Minimum age"), validators=[Optional()],
                           description=_l("On the competition's first day; empty for none."))
    submit = SubmitField(_l("Add"))
