"""Internship offers: a partner offers a person an internship, practice or training.

States: offered → accepted / declined; accepted → completed (or declined, if the person
withdraws). Every change records who and when, on the offer and in the audit log."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..labels import OFFER_STATE_LABELS, label
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
