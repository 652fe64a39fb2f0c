"""The dashboard: the first page after logging in."""
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from ..labels import COMPETITION_STATUS_LABELS
from ..security import public, requires
from ..services import dashboard as dashboard_service

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def index():
    return redirect(url_for("main.dashboard"))


@bp.route("/dashboard")
@requires("dashboard.view")
def dashboard():
    template, home = dashboard_service.home(current_user)
    return render_template(template, home=home, status_labels=COMPETITION_STATUS_LABELS)
