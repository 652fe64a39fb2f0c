"""The dashboard: the first page after logging in."""
from flask import Blueprint, redirect, render_template, url_for

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
    return render_template("main/dashboard.html", counts=dashboard_service.counts())
