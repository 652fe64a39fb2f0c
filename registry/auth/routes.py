"""Logging in and out, and switching the interface language."""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..i18n import gettext as _
from ..security import public, requires
from ..services import users as user_service
from ..views import refusals
from .forms import LanguageForm, LoginForm, PasswordChangeForm

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths: never redirect a login to another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = user_service.authenticate(form.email.data, form.password.data,
                                             ip=request.remote_addr or "")
        except user_service.LoginThrottled as error:
            flash(error.message, "danger")
            return render_template("auth/login.html", form=form), 429
        if user is None:
            flash(_("Wrong e-mail or password, or the account is deactivated."), "danger")
        else:
            _fresh_session()  # a new session and CSRF token for the new identity
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("main.dashboard"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@requires("dashboard.view")
def logout():
    user_service.log_out(current_user._get_current_object())
    logout_user()
    _fresh_session()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


def _fresh_session() -> None:
    """Drop everything the session held (the CSRF token included) but the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


@bp.route("/account/password", methods=["GET", "POST"])
@requires("dashboard.view")
def password():
    """Change one's own password; every other session of the account ends."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        with refusals(form) as attempt:
            user_service.change_password(user, form.old_password.data, form.password.data)
        if attempt.ok:
            login_user(user)  # this session goes on under the new version
            flash(_("Your password has been changed; your other sessions have ended."),
                  "success")
            return redirect(url_for("main.dashboard"))
    return render_template("auth/password.html", form=form)


@bp.route("/language/<lang>", methods=["POST"])
@public
def set_language(lang: str):
    form = LanguageForm()
    if form.validate_on_submit() and lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")) or url_for("main.dashboard"))
