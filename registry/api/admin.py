"""The administrator's pages of API tokens: issue one (its secret shown once, on the answer
to the form, never again), see them all, revoke one."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ..extensions import db
from ..fields import AtLeastOne, MultiCheckboxField, NumberRange
from ..forms import RegistryForm
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..models import ApiToken, User
from ..security import requires
from ..views import refusals
from . import tokens

bp = Blueprint("tokens", __name__)

SCOPE_LABELS = {
    "read": _l("read: competitions, persons, entries, results, awards, offers, exports"),
    "register": _l("register: competitions, offers, persons, entries, participants import"),
    "results": _l("results: results import"),
}


class TokenForm(RegistryForm):
    user_id = SelectField(_l("User"), coerce=int, validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)],
                       description=_l("What the token is for, e.g. «Портал Оренбургской "
                                      "области»; the audit log names it."))
    scopes = MultiCheckboxField(_l("Scopes"), choices=list(SCOPE_LABELS.items()),
                                validators=[AtLeastOne(_l("Choose at least one scope."))])
    days = IntegerField(_l("Valid for (days)"), default=tokens.DEFAULT_DAYS,
                        validators=[DataRequired(), NumberRange(min=1, max=tokens.MAX_DAYS)])
    submit = SubmitField(_l("Issue the token"))


class RevokeForm(RegistryForm):
    submit = SubmitField(_l("Revoke"))


def _form() -> TokenForm:
    form = TokenForm()
    form.user_id.choices = [(u.id, f"{u.email} ({u.role})") for u in db.session.scalars(
        select(User).where(User.active).order_by(User.email))]
    return form


@bp.route("/tokens", methods=["GET", "POST"])
@requires("users.manage")
def index():
    form = _form()
    secret = issued = None
    if form.validate_on_submit():
        user = db.session.get(User, form.user_id.data)
        with refusals(form) as attempt:
            issued, secret = tokens.issue_token(user, form.name.data, form.scopes.data,
                                                days=form.days.data, actor=current_user)
        if attempt.ok:
            form = _form()
            form.name.data = ""
    return render_template("api/tokens.html", form=form, tokens=tokens.list_tokens(),
                           state=tokens.state, secret=secret, issued=issued,
                           revoke_form=RevokeForm(), scope_labels=SCOPE_LABELS)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@requires("users.manage")
def revoke(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if RevokeForm().validate_on_submit():
        tokens.revoke_token(token, actor=current_user)
        flash(_("The token «%(name)s» is revoked.", name=token.name), "success")
    return redirect(url_for("tokens.index"))
