"""``participants``: the registration list in the participants import format, so that an
export opens in the importer unchanged (headers from the importer's own column table)."""
from __future__ import annotations

from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..importers.participants import COLUMNS
from ..models import (
    Category,
    Competency,
    Competition,
    Entry,
    Organisation,
    Person,
    Region,
)
from ..queries import join_contest, join_members
from ..services.person_numbers import format_number
from .base import DATE, TEXT, Column, Exporter, register
from .filters import CATEGORY, COMPETENCY, COMPETITION_FILTERS, REGION
from .queries import apply_competition_filters

WIDTHS = {"number": 12, "last_name": 18, "first_name": 14, "middle_name": 18, "birth_date": 14, "region": 28,
          "organisation": 40, "competency": 36, "category": 16, "team": 20, "email": 26,
          "phone": 18, "consent_date": 16, "guardian_name": 30, "guardian_consent_date": 16,
          "publication_consent": 16, "guardian_publication_consent": 16,
          "out_of_competition": 12}
YES_NO = {"ru": ("да", "нет"), "en": ("yes", "no")}  # words the importer reads back


class ImportHeader:
    """The importer's header for a field: Russian, or the English field name under ``en``."""

    def __init__(self, column):
        self.column = column

    def __str__(self) -> str:
        return self.column.key if str(get_locale()) == "en" else self.column.header


@register
class ParticipantsExporter(Exporter):
    identifier = "participants"
    label = _l("Participants (import format)")
    description = _l("The registration list; it opens in the participants import unchanged.")
    filters = (*COMPETITION_FILTERS, REGION, COMPETENCY, CATEGORY)

    def columns(self) -> list[Column]:
        return [Column(ImportHeader(c), DATE if c.key.endswith("date") else TEXT,
                       WIDTHS.get(c.key, 16)) for c in COLUMNS]

    def query(self, filters: dict):
        """The rows' statement (also counted, to send a big export to a worker)."""
        person_region = aliased(Region)
        columns = select(
            Person.number, Person.last_name, Person.first_name, Person.middle_name, Person.birth_date,
            person_region.name, Organisation.name, Competency.name, Category.name,
            Entry.team_name, Person.email, Person.phone, Person.consent_date,
            Person.guardian_name, Person.guardian_consent_date,
            Person.publication_consent, Person.guardian_publication_consent,
            Entry.out_of_competition,
        ).select_from(Entry)
        query = (
            join_contest(join_members(columns, person_region))
            .where(Entry.status == "registered")
            .order_by(Competition.id, Competency.name, Category.position, Entry.team_name,
                      Person.last_name, Person.first_name, Person.id)
        )
        query = apply_competition_filters(query, filters)
        if "region" in filters:
            query = query.where(Person.region_id == filters["region"].id)
        return query

    def rows(self, filters: dict):
        query = self.query(filters)
        fields = [c.key for c in COLUMNS]
        order = ["number", "last_name", "first_name", "middle_name", "birth_date", "region", "organisation",
                 "competency", "category", "team", "email", "phone", "consent_date",
                 "guardian_name", "guardian_consent_date", "publication_consent",
                 "guardian_publication_consent", "out_of_competition"]
        index = [order.index(f) for f in fields]
        yes, no = YES_NO.get(str(get_locale()), YES_NO["ru"])
        flags = {order.index(f) for f in ("publication_consent", "guardian_publication_consent",
                                          "out_of_competition")}
        number = order.index("number")
        for row in db.session.execute(query.execution_options(yield_per=1000)):
            yield tuple((yes if row[i] else no) if i in flags
                        else format_number(row[i]) if i == number else row[i] for i in index)
