"""The dashboard: the first page after logging in."""
from flask import Blueprint, redirect, render_template, url_for
from sqlalchemy import func, select

from ..extensions import db
from ..models import Competency, Competition, Person, Region, User
from ..security import public, requires

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def index():
    return redirect(url_for("main.dashboard"))


@bp.route("/dashboard")
@requires("dashboard.view")
def dashboard():
    counts = {
        name: db.session.scalar(select(func.count()).select_from(model))
        for name, model in (
            ("competitions", Competition),
            ("persons", Person),
            ("regions", Region),
            ("competencies", Competency),
            ("users", User),
        )
    }
    return render_template("main/dashboard.html", counts=counts)
