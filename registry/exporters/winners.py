"""``winners``: one row per awarded person, for ceremonies and diplomas; and ``medals``:
the medal table by region, one medal per team (not per member)."""
from __future__ import annotations

from collections import Counter

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..labels import AWARD_LABELS, STAGE_LABELS, label
from ..models import (
    Award,
    Category,
    Competency,
    Competition,
    CompetitionKind,
    Entry,
    EntryMember,
    OfferedCategory,
    OfferedCompetency,
    Organisation,
    Person,
    Region,
)
from .base import DECIMAL, INTEGER, Column, Exporter, register
from .queries import apply_competition_filters, join_contest, join_members

MEDAL_KINDS = ("gold", "silver", "bronze", "medallion")


def _award_words(kind: str, title: str | None) -> str:
    return title if kind == "special" and title else label(AWARD_LABELS, kind)


def _award_filter(query, filters):
    if "award" in filters:
        query = query.where(Award.kind == filters["award"])
    return query


@register
class WinnersExporter(Exporter):
    identifier = "winners"
    label = _l("Winners and prize-winners")
    description = _l("One row per awarded person, from published results and special awards.")
    filters = ("kind", "year", "stage", "competition", "region", "competency", "category", "award")

    def columns(self):
        return [
            Column(_l("Contest"), width=18), Column(_l("Year"), INTEGER, 8),
            Column(_l("Stage"), width=16), Column(_l("Host region"), width=26),
            Column(_l("Competency"), width=36), Column(_l("Category"), width=16),
            Column(_l("Place"), INTEGER, 8), Column(_l("Award"), width=18),
            Column(_l("Surname"), width=18), Column(_l("Given name"), width=14),
            Column(_l("Patronymic"), width=18), Column(_l("Region"), width=28),
            Column(_l("Organisation"), width=40), Column(_l("Points"), DECIMAL, 10),
            Column(_l("Team"), width=20),
        ]

    def query(self, filters: dict):
        """The rows of awarded entries' members (benchmarks run it bare as a floor)."""
        host = aliased(Region)
        home = aliased(Region)
        query = (
            select(CompetitionKind.short_name, Competition.year, Competition.stage, host.name,
                   Competency.name, Category.name, Award.place, Award.kind, Award.title,
                   Person.last_name, Person.first_name, Person.middle_name, home.name,
                   Organisation.name, Award.points, Entry.team_name)
            .select_from(Award)
            .join(Entry, Entry.id == Award.entry_id)
        )
        query = (
            join_contest(join_members(query, home))
            .join(CompetitionKind, CompetitionKind.id == Competition.kind_id)
            .outerjoin(host, host.id == Competition.host_region_id)
            .order_by(Competition.year, Competition.id, Competency.name, Category.position,
                      Award.place.is_(None), Award.place, Person.last_name, Person.first_name,
                      Person.id, Award.id)
        )
        query = _award_filter(apply_competition_filters(query, filters), filters)
        if "region" in filters:
            query = query.where(Person.region_id == filters["region"].id)
        return query

    def rows(self, filters: dict):
        home = aliased(Region)
        for row in db.session.execute(self.query(filters).execution_options(yield_per=1000)):
            (kind, year, stage, host_name, competency, category, place, award, title,
             last, first, middle, region, organisation, points, team) = row
            yield (kind, year, label(STAGE_LABELS, stage), host_name, competency, category, place,
                   _award_words(award, title), last, first, middle, region, organisation,
                   points, team)
        # Special awards granted to a person rather than to an entry come last.
        if any(k in filters for k in ("kind", "year", "stage", "competition", "competency",
                                      "category")):
            return
        personal = (
            select(Award.kind, Award.title, Person.last_name, Person.first_name,
                   Person.middle_name, home.name, Organisation.name)
            .select_from(Award)
            .join(Person, Person.id == Award.person_id)
            .join(home, home.id == Person.region_id)
            .outerjoin(Organisation, Organisation.id == Person.organisation_id)
            .where(Award.entry_id.is_(None))
            .order_by(Person.last_name, Person.first_name, Person.id, Award.id)
        )
        personal = _award_filter(personal, filters)
        if "region" in filters:
            personal = personal.where(Person.region_id == filters["region"].id)
        for kind, title, last, first, middle, region, organisation in db.session.execute(personal):
            yield (None, None, None, None, None, None, None, _award_words(kind, title), last,
                   first, middle, region, organisation, None, None)


def team_region(region_ids: list[int]) -> int:
    """The region a team's medal counts for: most of its members' region (the first member's
    on a tie)."""
    counts = Counter(region_ids)
    best = max(counts.values())
    return next(r for r in region_ids if counts[r] == best)


@register
class MedalsExporter(Exporter):
    identifier = "medals"
    label = _l("Medal table by region")
    description = _l("Gold, silver, bronze and medallions by region from published results; "
                     "a team's medal counts once, for its members' region.")
    filters = ("kind", "year", "stage", "competition", "competency", "category")

    def columns(self):
        return [Column(_l("Region"), width=36), Column(_l("Gold"), INTEGER, 10),
                Column(_l("Silver"), INTEGER, 10), Column(_l("Bronze"), INTEGER, 10),
                Column(_l("Medallions"), INTEGER, 12), Column(_l("Total medals"), INTEGER, 10)]

    def table(self, filters: dict) -> list[tuple]:
        query = (
            select(Award.id, Award.kind, Person.region_id)
            .select_from(Award)
            .join(Entry, Entry.id == Award.entry_id)
            .join(EntryMember, EntryMember.entry_id == Entry.id)
            .join(Person, Person.id == EntryMember.person_id)
            .join(OfferedCategory, OfferedCategory.id == Entry.offered_category_id)
            .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
            .join(Competition, Competition.id == OfferedCompetency.competition_id)
            .where(Award.source == "results", Award.kind.in_(MEDAL_KINDS))
            .order_by(Award.id, EntryMember.id)
        )
        query = apply_competition_filters(query, filters)
        members: dict[int, tuple[str, list[int]]] = {}
        for award_id, kind, region_id in db.session.execute(query):
            members.setdefault(award_id, (kind, []))[1].append(region_id)
        tally: dict[int, Counter] = {}
        for kind, region_ids in members.values():
            tally.setdefault(team_region(region_ids), Counter())[kind] += 1
        names = dict(db.session.execute(select(Region.id, Region.name)).all())
        rows = []
        for region_id, counts in tally.items():
            row = [counts[k] for k in MEDAL_KINDS]
            rows.append((names[region_id], *row, sum(row)))
        rows.sort(key=lambda r: (-r[1], -r[2], -r[3], -r[4], r[0]))
        return rows

    def rows(self, filters: dict):
        yield from self.table(filters)
