"""Advancing the award holders of a published competition into a later one: choose, preview,
confirm (all or nothing). The rules and the plan are ``services.advancement``."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..fields import choices
from ..i18n import gettext as _
from ..models import Competition
from ..security import requires
from ..services import advancement
from ..services.awards import award_label
from ..views import refusals
from .forms import AdvanceForm

bp = Blueprint("advancement", __name__)


def _form(source: Competition) -> AdvanceForm:
    form = AdvanceForm()
    form.target.choices = choices([("", "—")] + [(c.id, c.title)
                                                 for c in advancement.targets(source)])
    form.awards.choices = choices((a, award_label(a)) for a in advancement.award_choices(source))
    form.competency.choices = choices(
        [("", _("all"))] + sorted(((oc.competency.id, oc.competency.name)
                                   for oc in source.competencies), key=lambda pair: pair[1]))
    form.category.choices = choices([("", _("all"))] + [(c.id, c.name)
                                                        for c in source.kind.categories])
    if request.method == "GET":
        form.awards.data = list(advancement.default_awards(source))
    return form


@bp.route("/competitions/<int:competition_id>/advance", methods=["GET", "POST"])
@requires("competitions.advance")
def advance(competition_id: int):
    source = db.get_or_404(Competition, competition_id)
    form = _form(source)
    plan = None
    if form.validate_on_submit():
        with refusals(form) as attempt:
            plan = advancement.plan(
                source, db.session.get(Competition, form.target.data) if form.target.data else None,
                advancement.Selection(tuple(form.awards.data), form.competency.data,
                                      form.category.data))
        if attempt.ok and form.confirm.data:
            if form.fingerprint.data != plan.fingerprint:
                flash(_("The list has changed since the preview: check it again."), "warning")
            else:
                with refusals(form) as attempt:
                    entries = advancement.apply(plan, actor=current_user)
                if attempt.ok:
                    flash(_("Registered in «%(title)s»: %(n)d.", n=len(entries),
                            title=plan.target.title), "success")
                    return redirect(url_for("registration.participants",
                                            competition_id=plan.target.id))
        if plan is not None:
            form.fingerprint.data = plan.fingerprint
    return render_template("advancement/advance.html", source=source, form=form, plan=plan,
                           statuses=advancement, unpublished=advancement.source_problem(source))
