"""The audit log, for organisers and administrators: filter by competition, action, user,
date."""
from flask import Blueprint, current_app, render_template, request

from ..marking.forms import AuditFilterForm
from ..security import requires
from . import queries
from .format import action_label, detail_items

bp = Blueprint("audit", __name__)
bp.add_app_template_filter(detail_items, "audit_details")
bp.add_app_template_filter(action_label, "audit_action")


@bp.route("/audit")
@requires("audit.view")
def log():
    form = AuditFilterForm(request.args)
    form.competition.choices = [("", "—")] + [(c.id, c.title) for c in queries.competitions()]
    form.action.choices = [("", "—")] + [(a, action_label(a)) for a in queries.actions()]
    form.user.choices = [("", "—")] + [(u.id, u.email) for u in queries.users()]
    form.validate()

    def value(field):
        return None if field.errors else (field.data or None)

    page = queries.search(
        competition_id=value(form.competition), action=value(form.action),
        user_id=value(form.user), date_from=value(form.date_from),
        date_to=value(form.date_to), page=value(form.page) or 1,
        per_page=current_app.config.get("PAGE_SIZE", 50))
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("audit/log.html", form=form, page=page, args=args)
