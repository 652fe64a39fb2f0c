"""``history``: a person's career — one row per person per entry, across stages and seasons,
with the place and award as published; sorted by person, then by date (year, start date,
stage). Filters: the competition filters, and the region and organisation of the person."""
from __future__ import annotations

from sqlalchemy import case, select

from ..extensions import db
from ..fields import parse_id
from ..i18n import lazy_gettext as _l
from ..labels import AWARD_LABELS, STAGE_LABELS, label
from ..models import (
    STAGES,
    Category,
    Competency,
    Competition,
    Entry,
    EntryMember,
    OfferedCategory,
    OfferedCompetency,
    Organisation,
    Person,
    Publication,
    organisation_key,
)
from ..services.person_numbers import format_number
from ..services.published import latest_published_rows
from .base import DATE, INTEGER, Column, Exporter, register
from .filters import CATEGORY, COMPETENCY, COMPETITION_FILTERS, REGION, Filter
from .queries import apply_competition_filters


def find_organisations(text: str) -> list[Organisation] | None:
    """Organisations by id or by name as people write it (every region's of that name)."""
    organisation_id = parse_id(text)
    if organisation_id is not None:
        found = db.session.get(Organisation, organisation_id)
        if found is not None:
            return [found]
    key = organisation_key(text)
    if not key or len(key) > Organisation.name_key.type.length:
        return None
    return list(db.session.scalars(
        select(Organisation).where(Organisation.name_key == key).order_by(Organisation.id))) or None


ORGANISATION = Filter(
    "organisation", _l("Organisation"), find_organisations, _l("Unknown organisation: %(value)s."),
    help="The participants' organisation: its name (as typed, quotes and case do not matter) "
         "or its id.")

# Stages in the order a season runs them (regional → selection → final).
STAGE_ORDER = case({stage: position for position, stage in enumerate(STAGES)},
                   value=Competition.stage, else_=len(STAGES))


def published_places(filters: dict) -> dict[int, tuple[int | None, str | None]]:
    """``{entry_id: (place, award)}`` as last published, for the competitions the filters
    choose: one query over their publications (a later publication holding a category
    replaces the earlier one's rows)."""
    where = []
    for name, column in (("kind", Competition.kind_id), ("competition", Competition.id)):
        if name in filters:
            where.append(column == filters[name].id)
    if "year" in filters:
        where.append(Competition.year == filters["year"])
    if "stage" in filters:
        where.append(Competition.stage == filters["stage"])
    by_category = latest_published_rows(
        *where, joins=[(Competition, Competition.id == Publication.competition_id)])
    places: dict[int, tuple[int | None, str | None]] = {}
    for rows in by_category.values():
        for row in rows:  # [entry id, total, rank, award, …]
            places[row[0]] = (row[2], row[3])
    return places


@register
class HistoryExporter(Exporter):
    identifier = "history"
    label = _l("Participants' history")
    description = _l("One row per person per entry across stages and seasons, with the place "
                     "and award as published; sorted by person, then date.")
    filters = (*COMPETITION_FILTERS, REGION, ORGANISATION, COMPETENCY, CATEGORY)

    def columns(self) -> list[Column]:
        return [
            Column(_l("Participant number"), width=12), Column(_l("Surname"), width=18),
            Column(_l("Given name"), width=14), Column(_l("Patronymic"), width=18),
            Column(_l("Birth date"), DATE, 14), Column(_l("Contest"), width=40),
            Column(_l("Year"), INTEGER, 8), Column(_l("Stage"), width=16),
            Column(_l("Competency"), width=36), Column(_l("Category"), width=16),
            Column(_l("Place"), INTEGER, 8), Column(_l("Award"), width=18),
        ]

    def query(self, filters: dict):
        query = (
            select(Person.number, Person.last_name, Person.first_name, Person.middle_name,
                   Person.birth_date, Competition.title, Competition.year, Competition.stage,
                   Competency.name, Category.name, Entry.id)
            .select_from(Entry)
            .join(EntryMember, EntryMember.entry_id == Entry.id)
            .join(Person, Person.id == EntryMember.person_id)
            .join(OfferedCategory, OfferedCategory.id == Entry.offered_category_id)
            .join(Category, Category.id == OfferedCategory.category_id)
            .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
            .join(Competency, Competency.id == OfferedCompetency.competency_id)
            .join(Competition, Competition.id == OfferedCompetency.competition_id)
            .where(Entry.status != "withdrawn")
            # the identity key is surname|name|patronymic|birth date, case- and ё-folded: the
            # same order on every backend (no NULL patronymics to place)
            .order_by(Person.identity_key, Person.id,
                      Competition.year, Competition.starts_on.is_(None), Competition.starts_on,
                      STAGE_ORDER, Competition.id, Competency.name, Category.position, Entry.id)
        )
        query = apply_competition_filters(query, filters)
        if "region" in filters:
            query = query.where(Person.region_id == filters["region"].id)
        if "organisation" in filters:
            query = query.where(Person.organisation_id.in_([o.id for o in filters["organisation"]]))
        return query

    def rows(self, filters: dict):
        stages = {code: label(STAGE_LABELS, code) for code in STAGE_LABELS}
        awards = {code: label(AWARD_LABELS, code) for code in AWARD_LABELS}
        places = published_places(filters)
        result = db.session.connection().execute(
            self.query(filters).execution_options(yield_per=2000))
        for (number, last, first, middle, born, title, year, stage, competency, category,
             entry_id) in result:
            place, award = places.get(entry_id, (None, None))
            yield (format_number(number), last, first, middle, born, title, year,
                   stages.get(stage, stage), competency, category, place,
                   awards.get(award, award) if award else None)
