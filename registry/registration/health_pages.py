"""A person's health record, special-category data, on the registration blueprint: only
roles with ``health.manage`` reach these pages (``registry.security``)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..extensions import db
from ..i18n import gettext as _
from ..models import Person
from ..security import requires
from ..services import health as health_service
from ..views import refusals
from . import queries
from .forms import HealthDeleteForm, HealthForm
from .routes import _FIELD_ALIASES, bp


@bp.route("/persons/<int:person_id>/health", methods=["GET", "POST"])
@requires("health.manage")
def health_edit(person_id: int):
    """Special-category data: only roles with ``health.manage`` reach this page."""
    person = db.get_or_404(Person, person_id)
    health = queries.health_record(person)
    form = HealthForm(obj=health)
    if form.validate_on_submit():
        with refusals(form, _FIELD_ALIASES) as attempt:
            health_service.set_health_record(
                person, disability_group=form.disability_group.data, notes=form.notes.data,
                written_consent_date=form.written_consent_date.data, actor=current_user)
        if attempt.ok:
            flash(_("Health data saved."), "success")
            return redirect(url_for("registration.person_detail", person_id=person.id))
    return render_template("registration/health_form.html", form=form, person=person,
                           health=health, delete_form=HealthDeleteForm())


@bp.route("/persons/<int:person_id>/health/delete", methods=["POST"])
@requires("health.manage")
def health_delete(person_id: int):
    person = db.get_or_404(Person, person_id)
    if HealthDeleteForm().validate_on_submit():
        health_service.remove_health_record(person, actor=current_user)
        flash(_("Health data deleted."), "success")
    return redirect(url_for("registration.person_detail", person_id=person.id))
