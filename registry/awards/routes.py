"""Special awards, and internship offers with their states."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..fields import parse_id
from ..i18n import gettext as _
from ..labels import (
    OFFER_KIND_LABELS,
    OFFER_STATE_LABELS,
    PARTNER_KIND_LABELS,
)
from ..models import Award, Entry, InternshipOffer, Person
from ..security import requires
from ..services import awards as award_service
from ..services import offers as offer_service
from ..views import refusals
from .forms import OfferFilterForm, OfferForm, OfferStateForm, RevokeForm, SpecialAwardForm

bp = Blueprint("awards", __name__)


@bp.app_context_processor
def labels():
    return {"offer_kind_labels": OFFER_KIND_LABELS,
            "offer_state_labels": OFFER_STATE_LABELS, "partner_kind_labels": PARTNER_KIND_LABELS,
            "award_label": award_service.award_label}


# --- special awards --------------------------------------------------------------------------

def _grant(entry: Entry | None, person: Person | None):
    form = SpecialAwardForm()
    if form.validate_on_submit():
        with refusals(form) as attempt:
            award_service.grant_special(title=form.title.data, reason=form.reason.data,
                                        granted_by=form.granted_by.data, entry=entry,
                                        person=person, actor=current_user)
        if attempt.ok:
            flash(_("The special award has been granted."), "success")
            return redirect(_person_url(person or entry.members[0].person))
    return render_template("awards/special_form.html", form=form, entry=entry, person=person)


@bp.route("/entries/<int:entry_id>/awards/new", methods=["GET", "POST"])
@requires("awards.manage")
def special_for_entry(entry_id: int):
    return _grant(db.get_or_404(Entry, entry_id), None)


@bp.route("/persons/<int:person_id>/awards/new", methods=["GET", "POST"])
@requires("awards.manage")
def special_for_person(person_id: int):
    return _grant(None, db.get_or_404(Person, person_id))


def _person_url(person: Person) -> str:
    if "registration.person_detail" in current_app.view_functions:
        return url_for("registration.person_detail", person_id=person.id)
    return url_for("awards.offers")


@bp.route("/awards/<int:award_id>/revoke", methods=["POST"])
@requires("awards.manage")
def special_revoke(award_id: int):
    award = db.get_or_404(Award, award_id)
    form = RevokeForm()
    holder = award.person or (award.entry.members[0].person if award.entry else None)
    if form.validate_on_submit():
        with refusals() as attempt:
            award_service.revoke_special(award, reason=form.reason.data, actor=current_user)
        if attempt.ok:
            flash(_("The award has been revoked."), "success")
    return redirect(_person_url(holder) if holder else url_for("awards.offers"))


# --- offers ----------------------------------------------------------------------------------

@bp.route("/offers/")
@requires("offers.view")
def offers():
    form = OfferFilterForm(request.args)
    found = offer_service.search_offers(
        text=form.q.data, state=form.state.data, kind=form.kind.data,
        page=request.args.get("page", 1, type=int), per_page=current_app.config["PAGE_SIZE"])
    return render_template("awards/offers.html", form=form, offers=found.items,
                           total=found.total, page=found.page, pages=max(1, found.pages),
                           state_form=OfferStateForm())


def _offer_data(form: OfferForm):
    award_id = parse_id(form.award.data)  # «99999999999999999999999» is no id at all
    award = award_service.find_award(award_id) if award_id else None  # the service checks whose
    return offer_service.OfferData(
        partner_name=form.partner_name.data, partner_kind=form.partner_kind.data,
        kind=form.kind.data, description=form.description.data or "", country=form.country.data,
        city=form.city.data, starts_on=form.starts_on.data, ends_on=form.ends_on.data, award=award)


def _award_choices(form: OfferForm, person: Person) -> None:
    form.award.choices = [("", "—")] + [
        (str(a.id), award_service.award_label(a)
         + (f" — {a.competition.title}" if a.competition else ""))
        for a in award_service.awards_of_person(person)
    ]


@bp.route("/persons/<int:person_id>/offers/new", methods=["GET", "POST"])
@requires("offers.manage")
def offer_new(person_id: int):
    person = db.get_or_404(Person, person_id)
    form = OfferForm()
    _award_choices(form, person)
    if form.validate_on_submit():
        with refusals(form) as attempt:
            offer_service.create_offer(person, _offer_data(form), actor=current_user)
        if attempt.ok:
            flash(_("The offer has been recorded."), "success")
            return redirect(url_for("awards.offers"))
    return render_template("awards/offer_form.html", form=form, person=person, offer=None)


@bp.route("/offers/<int:offer_id>", methods=["GET", "POST"])
@requires("offers.manage")
def offer_edit(offer_id: int):
    offer = db.get_or_404(InternshipOffer, offer_id)
    form = OfferForm(obj=offer)
    if request.method == "GET":
        form.partner_name.data = offer.partner.name
        form.partner_kind.data = offer.partner.kind
        form.award.data = str(offer.award_id or "")
    _award_choices(form, offer.person)
    if form.validate_on_submit():
        with refusals(form) as attempt:
            offer_service.update_offer(offer, _offer_data(form), actor=current_user)
        if attempt.ok:
            flash(_("Changes saved."), "success")
            return redirect(url_for("awards.offers"))
    return render_template("awards/offer_form.html", form=form, person=offer.person, offer=offer,
                           state_form=OfferStateForm())


@bp.route("/offers/<int:offer_id>/state", methods=["POST"])
@requires("offers.manage")
def offer_state(offer_id: int):
    offer = db.get_or_404(InternshipOffer, offer_id)
    form = OfferStateForm()
    if form.validate_on_submit():
        with refusals() as attempt:
            offer_service.change_state(offer, form.state.data, actor=current_user,
                                       note=form.note.data)
        if attempt.ok:
            flash(_("The state of the offer is now «%(state)s».",
                    state=OFFER_STATE_LABELS[offer.state]), "success")
    else:
        flash(_("Choose a valid state."), "danger")
    return redirect(request.form.get("back") == "list" and url_for("awards.offers")
                    or url_for("awards.offer_edit", offer_id=offer.id))
