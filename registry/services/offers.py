"""Internship offers: a partner offers a person an internship, practice or training.

States: offered → accepted / declined; accepted → completed (or declined, if the person
withdraws). Every change records who and when, on the offer and in the audit log."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import false, or_, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..i18n import gettext as _
from ..labels import OFFER_KIND_LABELS, OFFER_STATE_LABELS, label
from ..models import OFFER_KINDS, PARTNER_KINDS, Award, InternshipOffer, Partner, Person, name_key, utcnow
from . import ServiceError
from .audit import record

TRANSITIONS = {
    "offered": ("accepted", "declined"),
    "accepted": ("completed", "declined"),
    "declined": (),
    "completed": (),
}


@dataclass
class OfferData:
    partner_name: str
    partner_kind: str
    kind: str
    description: str
    country: str
    city: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    award: Award | None = None


def get_or_create_partner(name: str, kind: str, country: str | None = None,
                          city: str | None = None) -> Partner:
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError(_("The partner needs a name."), field="partner_name")
    if kind not in PARTNER_KINDS:
        raise ServiceError(_("Unknown partner kind."), field="partner_kind")
    partner = db.session.scalar(select(Partner).where(Partner.name_key == name_key(name)))
    if partner is None:
        partner = Partner(name=name, name_key=name_key(name), kind=kind, country=country, city=city)
        db.session.add(partner)
        db.session.flush()
    return partner


def _validate(data: OfferData, person: Person) -> None:
    if data.kind not in OFFER_KINDS:
        raise ServiceError(_("Unknown offer kind."), field="kind")
    if not " ".join((data.country or "").split()):
        raise ServiceError(_("State the country."), field="country")
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        raise ServiceError(_("The offer ends before it starts."), field="ends_on")
    if data.award is not None:
        from .awards import awards_of_person

        if data.award.id not in {a.id for a in awards_of_person(person)}:
            raise ServiceError(_("This award is not one of this person's awards."), field="award")


def _apply(offer: InternshipOffer, data: OfferData) -> None:
    offer.partner = get_or_create_partner(data.partner_name, data.partner_kind, data.country,
                                          data.city)
    offer.kind = data.kind
    offer.description = (data.description or "").strip()
    offer.country = " ".join(data.country.split())
    offer.city = " ".join((data.city or "").split()) or None
    offer.starts_on, offer.ends_on = data.starts_on, data.ends_on
    offer.award_id = data.award.id if data.award else None


def create_offer(person: Person, data: OfferData, *, actor) -> InternshipOffer:
    _validate(data, person)
    offer = InternshipOffer(person=person, state="offered", created_by_id=getattr(actor, "id", None))
    _apply(offer, data)
    db.session.add(offer)
    db.session.flush()
    record("offer.create", offer, user=actor, person=person.id, partner=offer.partner.name,
           kind=offer.kind)
    db.session.flush()
    return offer


def update_offer(offer: InternshipOffer, data: OfferData, *, actor) -> InternshipOffer:
    _validate(data, offer.person)
    _apply(offer, data)
    record("offer.update", offer, user=actor, partner=offer.partner.name, kind=offer.kind)
    db.session.flush()
    return offer


def change_state(offer: InternshipOffer, state: str, *, actor, note: str | None = None) -> InternshipOffer:
    if state not in TRANSITIONS.get(offer.state, ()):
        raise ServiceError(_("An offer cannot go from «%(old)s» to «%(new)s».",
                             old=label(OFFER_STATE_LABELS, offer.state),
                             new=label(OFFER_STATE_LABELS, state)), field="state")
    old = offer.state
    offer.state = state
    offer.state_changed_at = utcnow()
    offer.state_changed_by_id = getattr(actor, "id", None)
    record("offer.state", offer, user=actor, old=old, new=state, reason=note)
    db.session.flush()
    return offer


# --- reads for pages -------------------------------------------------------------------------

MAX_PAGE = 10**6


def search_offers(*, text: str | None = None, state: str | None = None, kind: str | None = None,
                  page: int = 1, per_page: int = 50) -> Pagination:
    """Offers newest first, matching ``text`` (the person's or the partner's name), ``state``
    and ``kind`` (ignored when unknown); a page past the last is the last."""
    query = (select(InternshipOffer)
             .join(Person, Person.id == InternshipOffer.person_id)
             .join(Partner, Partner.id == InternshipOffer.partner_id)
             .options(joinedload(InternshipOffer.person).joinedload(Person.region),
                      joinedload(InternshipOffer.partner), joinedload(InternshipOffer.award),
                      joinedload(InternshipOffer.state_changed_by)))
    if text:
        text = name_key(text).replace("%", "").replace("_", "")
        if len(text) > Person.identity_key.type.length:
            query = query.where(false())  # longer than any stored name
        else:
            key = "%" + text + "%"
            query = query.where(or_(Person.identity_key.like(key), Partner.name_key.like(key)))
    if state in OFFER_STATE_LABELS:
        query = query.where(InternshipOffer.state == state)
    if kind in OFFER_KIND_LABELS:
        query = query.where(InternshipOffer.kind == kind)
    query = query.order_by(InternshipOffer.created_at.desc(), InternshipOffer.id.desc())
    # a page far past the end is asked for as one the database can count to, then the last
    found = db.paginate(query, page=min(max(1, page), MAX_PAGE), per_page=per_page,
                        error_out=False)
    if found.pages and found.page > found.pages:
        found = db.paginate(query, page=found.pages, per_page=per_page, error_out=False)
    return found
