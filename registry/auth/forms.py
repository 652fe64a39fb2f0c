from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from ..forms import RegistryForm
from ..i18n import lazy_gettext as _l


class LoginForm(RegistryForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    remember = BooleanField(_l("Remember me"))
    submit = SubmitField(_l("Log in"))


class PasswordChangeForm(RegistryForm):
    old_password = PasswordField(_l("Current password"),
                                 validators=[DataRequired(), Length(max=256)])
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(_l("New password again"),
                            validators=[DataRequired(), EqualTo("password", _l(
                                "The two new passwords differ."))])
    submit = SubmitField(_l("Change the password"))


class LanguageForm(RegistryForm):
    pass
