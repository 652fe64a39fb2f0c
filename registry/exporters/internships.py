"""``internships``: internship, practice and training offers, for partners and reports."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..labels import (
    AWARD_LABELS,
    OFFER_KIND_LABELS,
    OFFER_STATE_LABELS,
    PARTNER_KIND_LABELS,
    label,
)
from ..models import Award, InternshipOffer, Partner, Person, Region
from ..services.person_numbers import format_number
from .base import DATE, Column, Exporter, register
from .filters import AWARD, COMPETITION, REGION


@register
class InternshipsExporter(Exporter):
    identifier = "internships"
    label = _l("Internship offers")
    description = _l("Offers with the person, award, partner, kind, place, dates and state.")
    filters = (COMPETITION, REGION, AWARD)

    def columns(self):
        return [
            Column(_l("Surname"), width=18), Column(_l("Given name"), width=14),
            Column(_l("Patronymic"), width=18), Column(_l("Region"), width=28),
            Column(_l("Award"), width=18), Column(_l("Partner"), width=36),
            Column(_l("Partner kind"), width=16), Column(_l("Kind"), width=14),
            Column(_l("Description"), width=50), Column(_l("Country"), width=14),
            Column(_l("City"), width=16), Column(_l("Starts"), DATE, 12),
            Column(_l("Ends"), DATE, 12), Column(_l("State"), width=12),
            Column(_l("Participant number"), width=12),
        ]

    def rows(self, filters: dict):
        home = aliased(Region)
        query = (
            select(Person.last_name, Person.first_name, Person.middle_name, home.name, Award.kind,
                   Award.title, Partner.name, Partner.kind, InternshipOffer.kind,
                   InternshipOffer.description, InternshipOffer.country, InternshipOffer.city,
                   InternshipOffer.starts_on, InternshipOffer.ends_on, InternshipOffer.state,
                   Person.number)
            .select_from(InternshipOffer)
            .join(Person, Person.id == InternshipOffer.person_id)
            .join(home, home.id == Person.region_id)
            .join(Partner, Partner.id == InternshipOffer.partner_id)
            .outerjoin(Award, Award.id == InternshipOffer.award_id)
            .order_by(Person.last_name, Person.first_name, InternshipOffer.id)
        )
        if "region" in filters:
            query = query.where(Person.region_id == filters["region"].id)
        if "competition" in filters:
            query = query.where(Award.competition_id == filters["competition"].id)
        if "award" in filters:
            query = query.where(Award.kind == filters["award"])
        for row in db.session.execute(query.execution_options(yield_per=1000)):
            (last, first, middle, region, award_kind, award_title, partner, partner_kind, kind,
             description, country, city, starts, ends, state, number) = row
            award = (award_title if award_kind == "special" and award_title
                     else label(AWARD_LABELS, award_kind))
            yield (last, first, middle, region, award or None, partner,
                   label(PARTNER_KIND_LABELS, partner_kind), label(OFFER_KIND_LABELS, kind),
                   description, country, city, starts, ends, label(OFFER_STATE_LABELS, state),
                   format_number(number))
