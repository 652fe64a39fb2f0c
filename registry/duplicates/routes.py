"""Likely duplicate persons and organisations (blueprint ``duplicates``, under /duplicates):
the pairs side by side, a merge with its preview, "not the same", and undo of a merge from
its audit entry. Organisers and administrators (``persons.manage``).

The two kinds of record have pages of the same shape: each is a ``Records`` (what finds and
merges its pairs, its templates and its messages), and its four pages are the same four
views given it (``_add_pages``: the URLs and endpoint names of both kinds)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from types import ModuleType

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..fields import parse_id
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
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


@dataclass(frozen=True)
class Records:
    """One kind of record whose likely duplicates the pages offer."""

    model: type
    endpoint: str  # the list, where every page of the kind leads back to
    list_template: str
    merge_template: str
    pairs: Callable[[], list]  # the likely pairs (``services.duplicates``)
    pair_views: Callable[[list], list]  # the records of the pairs shown (``queries``)
    merging: ModuleType  # merge_plan, merge, mark_distinct, undo_merge, merges, MERGE
    merge_context: Callable[[object, object], dict]  # more for the merge page
    gone: Callable[[], str]
    merged: Callable[[object], str]  # of the kept record, read before the merge
    undone: Callable[[object], str]  # of the record restored
    distinct: Callable[[], str]


PERSONS = Records(
    model=Person, endpoint="duplicates.persons", list_template="duplicates/persons.html",
    merge_template="duplicates/person_merge.html", pairs=duplicates.person_pairs,
    pair_views=queries.person_pairs, merging=person_merge,
    merge_context=lambda keep, drop: {"lines": queries.person_lines([keep, drop]),
                                      "filled_labels": FILLED_LABELS},
    gone=lambda: _("One of the two persons no longer exists (merged already?)."),
    merged=lambda keep: _("Merged into %(name)s (%(number)s); the merge can be undone below.",
                          name=keep.full_name, number=format_number(keep.number)),
    undone=lambda restored: _("The merge is undone: %(name)s (%(number)s) is back.",
                              name=restored.full_name, number=format_number(restored.number)),
    distinct=lambda: _("Marked as two different people; the pair is not offered again."),
)

ORGANISATIONS = Records(
    model=Organisation, endpoint="duplicates.organisations",
    list_template="duplicates/organisations.html",
    merge_template="duplicates/organisation_merge.html", pairs=duplicates.organisation_pairs,
    pair_views=queries.organisation_pairs, merging=organisation_merge,
    merge_context=lambda keep, drop: {},
    gone=lambda: _("One of the two organisations no longer exists (merged already?)."),
    merged=lambda keep: _("Merged into «%(name)s»; the merge can be undone below.",
                          name=keep.name),
    undone=lambda restored: _("The merge is undone: «%(name)s» is back.", name=restored.name),
    distinct=lambda: _("Marked as two different organisations; the pair is not offered again."),
)


def _page() -> int:
    return parse_id(request.args.get("page")) or 1


def _two(model, keep_id, drop_id):
    """Both records, or None when either is missing (merged away, or a bad id)."""
    keep = db.session.get(model, keep_id) if keep_id else None
    drop = db.session.get(model, drop_id) if drop_id else None
    return (keep, drop) if keep is not None and drop is not None else None


# --- the four pages of a kind ----------------------------------------------------------------

def _pairs_page(records: Records):
    pairs = records.pairs()
    page = _page()
    shown = pairs[(page - 1) * PER_PAGE:page * PER_PAGE]
    return render_template(
        records.list_template, pairs=records.pair_views(shown), total=len(pairs), page=page,
        pages=max(1, -(-len(pairs) // PER_PAGE)), distinct_form=DistinctForm(),
        merges=records.merging.merges(), undo_form=UndoForm())


def _merge_page(records: Records):
    form = PairForm(request.form if request.method == "POST" else request.args)
    both = _two(records.model, parse_id(form.keep.raw_data[0] if form.keep.raw_data else None),
                parse_id(form.drop.raw_data[0] if form.drop.raw_data else None))
    if both is None:
        flash(records.gone(), "warning")
        return redirect(url_for(records.endpoint))
    keep, drop = both
    if request.method == "POST" and form.validate_on_submit():
        message = records.merged(keep)
        with refusals(form) as attempt:
            records.merging.merge(keep, drop, actor=current_user)
        if attempt.ok:
            flash(message, "success")
            return redirect(url_for(records.endpoint))
        both = _two(records.model, keep.id, drop.id)
        if both is None:
            return redirect(url_for(records.endpoint))
        keep, drop = both
    plan = records.merging.merge_plan(keep, drop)
    return render_template(records.merge_template, plan=plan, form=form,
                           **records.merge_context(keep, drop))


def _distinct(records: Records):
    form = DistinctForm()
    both = (_two(records.model, form.keep.data, form.drop.data)
            if form.validate_on_submit() else None)
    if both is None:
        flash(records.gone(), "warning")
    else:
        with refusals(form) as attempt:
            records.merging.mark_distinct(*both, actor=current_user)
        if attempt.ok:
            flash(records.distinct(), "success")
    return redirect(url_for(records.endpoint))


def _undo(records: Records):
    form = UndoForm()
    entry = db.session.get(AuditEntry, form.audit_id.data) if form.validate_on_submit() else None
    if entry is None or entry.action != records.merging.MERGE:
        flash(_("No such merge."), "warning")
        return redirect(url_for(records.endpoint))
    with refusals(form) as attempt:
        restored = records.merging.undo_merge(entry, actor=current_user)
    if attempt.ok:
        flash(records.undone(restored), "success")
    return redirect(url_for(records.endpoint))


# --- the routes ------------------------------------------------------------------------------

def _add_pages(records: Records, plural: str, singular: str) -> None:
    """The four pages of a kind on the blueprint: ``/<plural>`` (endpoint ``<plural>``) and
    its ``merge``, ``distinct`` and ``undo`` (``<singular>_merge_view``, …)."""
    for path, endpoint, view, methods in (
            ("", plural, _pairs_page, ["GET"]),
            ("/merge", f"{singular}_merge_view", _merge_page, ["GET", "POST"]),
            ("/distinct", f"{singular}_distinct", _distinct, ["POST"]),
            ("/undo", f"{singular}_undo", _undo, ["POST"])):
        bp.add_url_rule(f"/{plural}{path}", endpoint,
                        requires("persons.manage")(partial(view, records)), methods=methods)


_add_pages(PERSONS, "persons", "person")
_add_pages(ORGANISATIONS, "organisations", "organisation")
