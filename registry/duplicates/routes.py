"""Likely duplicate persons and organisations (blueprint ``duplicates``, under /duplicates):
the pairs side by side, a merge with its preview, "not the same", and undo of a merge from
its audit entry. Organisers and administrators (``persons.manage``)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db
from ..fields import parse_id
from ..models import AuditEntry, Organisation, Person
from ..security import requires
from ..services import duplicates, organisation_merge, person_merge
from ..services.person_numbers import format_number
from ..views import refusals
from . import queries
from .forms import DistinctForm, PairForm, UndoForm

bp = Blueprint("duplicates", __name__, url_prefix="/duplicates")

# What the kept record takes from the merged one when it has none (person_merge.FILLED).
FILLED_LABELS = {
    "organisation_id": _l("Organisation"), "email": _l("E-mail"), "phone": _l("Phone"),
    "consent_date": _l("Consent to personal data processing"),
    "guardian_name": _l("Parent or guardian"),
    "guardian_consent_date": _l("Consent of the parent or guardian"),
}

PER_PAGE = 25


def _page() -> int:
    return parse_id(request.args.get("page")) or 1


def _two(model, keep_id, drop_id):
    """Both records, or None when either is missing (merged away, or a bad id)."""
    keep = db.session.get(model, keep_id) if keep_id else None
    drop = db.session.get(model, drop_id) if drop_id else None
    return (keep, drop) if keep is not None and drop is not None else None


# --- persons --------------------------------------------------------------------------------

@bp.route("/persons")
@requires("persons.manage")
def persons():
    pairs = duplicates.person_pairs()
    page = _page()
    shown = pairs[(page - 1) * PER_PAGE:page * PER_PAGE]
    return render_template(
        "duplicates/persons.html", pairs=queries.person_pairs(shown), total=len(pairs),
        page=page, pages=max(1, -(-len(pairs) // PER_PAGE)), distinct_form=DistinctForm(),
        merges=person_merge.merges(), undo_form=UndoForm())


@bp.route("/persons/merge", methods=["GET", "POST"])
@requires("persons.manage")
def person_merge_view():
    form = PairForm(request.form if request.method == "POST" else request.args)
    both = _two(Person, parse_id(form.keep.raw_data[0] if form.keep.raw_data else None),
                parse_id(form.drop.raw_data[0] if form.drop.raw_data else None))
    if both is None:
        flash(_("One of the two persons no longer exists (merged already?)."), "warning")
        return redirect(url_for("duplicates.persons"))
    keep, drop = both
    if request.method == "POST" and form.validate_on_submit():
        name, number = keep.full_name, format_number(keep.number)
        with refusals(form) as attempt:
            person_merge.merge(keep, drop, actor=current_user)
        if attempt.ok:
            flash(_("Merged into %(name)s (%(number)s); the merge can be undone below.",
                    name=name, number=number), "success")
            return redirect(url_for("duplicates.persons"))
        both = _two(Person, keep.id, drop.id)
        if both is None:
            return redirect(url_for("duplicates.persons"))
        keep, drop = both
    plan = person_merge.merge_plan(keep, drop)
    return render_template("duplicates/person_merge.html", plan=plan, form=form,
                           lines=queries.person_lines([keep, drop]), filled_labels=FILLED_LABELS)


@bp.route("/persons/distinct", methods=["POST"])
@requires("persons.manage")
def person_distinct():
    form = DistinctForm()
    both = _two(Person, form.keep.data, form.drop.data) if form.validate_on_submit() else None
    if both is None:
        flash(_("One of the two persons no longer exists (merged already?)."), "warning")
    else:
        with refusals(form) as attempt:
            person_merge.mark_distinct(*both, actor=current_user)
        if attempt.ok:
            flash(_("Marked as two different people; the pair is not offered again."), "success")
    return redirect(url_for("duplicates.persons"))


@bp.route("/persons/undo", methods=["POST"])
@requires("persons.manage")
def person_undo():
    form = UndoForm()
    entry = db.session.get(AuditEntry, form.audit_id.data) if form.validate_on_submit() else None
    if entry is None or entry.action != person_merge.MERGE:
        flash(_("No such merge."), "warning")
        return redirect(url_for("duplicates.persons"))
    with refusals(form) as attempt:
        restored = person_merge.undo_merge(entry, actor=current_user)
    if attempt.ok:
        flash(_("The merge is undone: %(name)s (%(number)s) is back.", name=restored.full_name,
                number=format_number(restored.number)), "success")
    return redirect(url_for("duplicates.persons"))


# --- organisations --------------------------------------------------------------------------

@bp.route("/organisations")
@requires("persons.manage")
def organisations():
    pairs = duplicates.organisation_pairs()
    page = _page()
    shown = pairs[(page - 1) * PER_PAGE:page * PER_PAGE]
    return render_template(
        "duplicates/organisations.html", pairs=queries.organisation_pairs(shown),
        total=len(pairs), page=page, pages=max(1, -(-len(pairs) // PER_PAGE)),
        distinct_form=DistinctForm(), merges=organisation_merge.merges(), undo_form=UndoForm())


@bp.route("/organisations/merge", methods=["GET", "POST"])
@requires("persons.manage")
def organisation_merge_view():
    form = PairForm(request.form if request.method == "POST" else request.args)
    both = _two(Organisation, parse_id(form.keep.raw_data[0] if form.keep.raw_data else None),
                parse_id(form.drop.raw_data[0] if form.drop.raw_data else None))
    if both is None:
        flash(_("One of the two organisations no longer exists (merged already?)."), "warning")
        return redirect(url_for("duplicates.organisations"))
    keep, drop = both
    if request.method == "POST" and form.validate_on_submit():
        name = keep.name
        with refusals(form) as attempt:
            organisation_merge.merge(keep, drop, actor=current_user)
        if attempt.ok:
            flash(_("Merged into «%(name)s»; the merge can be undone below.", name=name),
                  "success")
            return redirect(url_for("duplicates.organisations"))
        both = _two(Organisation, keep.id, drop.id)
        if both is None:
            return redirect(url_for("duplicates.organisations"))
        keep, drop = both
    plan = organisation_merge.merge_plan(keep, drop)
    return render_template("duplicates/organisation_merge.html", plan=plan, form=form)


@bp.route("/organisations/distinct", methods=["POST"])
@requires("persons.manage")
def organisation_distinct():
    form = DistinctForm()
    both = (_two(Organisation, form.keep.data, form.drop.data)
            if form.validate_on_submit() else None)
    if both is None:
        flash(_("One of the two organisations no longer exists (merged already?)."), "warning")
    else:
        with refusals(form) as attempt:
            organisation_merge.mark_distinct(*both, actor=current_user)
        if attempt.ok:
            flash(_("Marked as two different organisations; the pair is not offered again."),
                  "success")
    return redirect(url_for("duplicates.organisations"))


@bp.route("/organisations/undo", methods=["POST"])
@requires("persons.manage")
def organisation_undo():
    form = UndoForm()
    entry = db.session.get(AuditEntry, form.audit_id.data) if form.validate_on_submit() else None
    if entry is None or entry.action != organisation_merge.MERGE:
        flash(_("No such merge."), "warning")
        return redirect(url_for("duplicates.organisations"))
    with refusals(form) as attempt:
        restored = organisation_merge.undo_merge(entry, actor=current_user)
    if attempt.ok:
        flash(_("The merge is undone: «%(name)s» is back.", name=restored.name), "success")
    return redirect(url_for("duplicates.organisations"))
