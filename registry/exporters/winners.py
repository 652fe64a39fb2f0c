"""``winners``: one row per awarded person, for ceremonies and diplomas; and ``medals``:
the medal table by region, one medal per team (not per member)."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from .. import kinds
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..labels import AWARD_LABELS, STAGE_LABELS, label
from ..models import (
    Award,
    Category,
    Competency,
    CompetencyNotHeld,
    Competition,
    CompetitionKind,
    Entry,
    OfferedCategory,
    OfferedCompetency,
    Organisation,
    Person,
    Region,
)
from ..queries import join_contest, join_members
from ..services.person_numbers import format_number
from .base import DECIMAL, INTEGER, Column, Exporter, register
from .filters import AWARD, CATEGORY, COMPETENCY, COMPETITION_FILTERS, REGION, Filter
from .queries import apply_competition_filters

NOT_HELD = _l("not held")  # a competency declared not held (не состоялась)
MEDAL_KINDS = (*kinds.MEDALS, kinds.MEDALLION)  # the columns of the medal table
# Filters that choose contests: a personal special award belongs to none.
CONTEST_FILTERS = (*COMPETITION_FILTERS, COMPETENCY, CATEGORY)
# The medal table's ranking: gold first (the default), or by points, 4 per gold, 3 silver,
# 2 bronze, 1 medallion (the WorldSkills member ranking).
MEDAL_POINTS = {kinds.GOLD: 4, kinds.SILVER: 3, kinds.BRONZE: 2, kinds.MEDALLION: 1}
ORDERS = {"medals": _l("gold first"), "points": _l("by points (4, 3, 2, 1)")}
ORDER = Filter(
    "order", _l("Ranking"), lambda text: text if text in ORDERS else None,
    _l("Unknown ranking: %(value)s."), choices=lambda: list(ORDERS.items()),
    help="medals (gold first, the default) or points (4 gold, 3 silver, 2 bronze, "
         "1 medallion).")


def medal_points(row) -> int:
    """The points of a medal table row (region, gold, silver, bronze, medallion, …)."""
    return sum(MEDAL_POINTS[kind] * count for kind, count in zip(MEDAL_KINDS, row[1:5],
                                                                  strict=True))


def gold_first(row):
    """Gold, then silver, bronze, medallions; then the name."""
    return (-row[1], -row[2], -row[3], -row[4], row[0])


def by_points(row):
    """Points (4, 3, 2, 1), then gold first."""
    return (-medal_points(row), *gold_first(row))


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
    description = _l("One row per awarded person, from published results and special awards; "
                     "a competency not held has one row saying so.")
    filters = (*COMPETITION_FILTERS, REGION, COMPETENCY, CATEGORY, AWARD)

    def columns(self):
        return [
            Column(_l("Contest"), width=18), Column(_l("Year"), INTEGER, 8),
            Column(_l("Stage"), width=16), Column(_l("Host region"), width=26),
            Column(_l("Competency"), width=36), Column(_l("Category"), width=16),
            Column(_l("Place"), INTEGER, 8), Column(_l("Award"), width=18),
            Column(_l("Surname"), width=18), Column(_l("Given name"), width=14),
            Column(_l("Patronymic"), width=18), Column(_l("Region"), width=28),
            Column(_l("Organisation"), width=40), Column(_l("Points"), DECIMAL, 10),
            Column(_l("Team"), width=20), Column(_l("Participant number"), width=12),
        ]

    def query(self, filters: dict):
        """The rows of awarded entries' members (benchmarks run it bare as a floor)."""
        host = aliased(Region)
        home = aliased(Region)
        query = (
            select(CompetitionKind.short_name, Competition.year, Competition.stage, host.name,
                   Competency.name, Category.name, Award.place, Award.kind, Award.title,
                   Person.last_name, Person.first_name, Person.middle_name, home.name,
                   Organisation.name, Award.points, Entry.team_name, Person.number)
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

    def not_held_query(self, filters: dict):
        host = aliased(Region)
        query = (
            select(CompetitionKind.short_name, Competition.year, Competition.stage, host.name,
                   Competency.name, Category.name)
            .select_from(CompetencyNotHeld)
            .join(OfferedCompetency,
                  OfferedCompetency.id == CompetencyNotHeld.offered_competency_id)
            .join(Competition, Competition.id == OfferedCompetency.competition_id)
            .join(Competency, Competency.id == OfferedCompetency.competency_id)
            .join(OfferedCategory, OfferedCategory.offered_competency_id == OfferedCompetency.id)
            .join(Category, Category.id == OfferedCategory.category_id)
            .join(CompetitionKind, CompetitionKind.id == Competition.kind_id)
            .outerjoin(host, host.id == Competition.host_region_id)
            .order_by(Competition.year, Competition.id, Competency.name, Category.position))
        return apply_competition_filters(query, filters)

    def rows(self, filters: dict):
        home = aliased(Region)
        # words translated once per export, not once per row
        stages = {code: label(STAGE_LABELS, code) for code in STAGE_LABELS}
        awards = {code: label(AWARD_LABELS, code) for code in AWARD_LABELS}
        # statement-level options: Connection.execution_options() would change the session's
        # connection for the rest of its transaction (a server-side cursor for every statement)
        result = db.session.connection().execute(
            self.query(filters).execution_options(yield_per=2000))
        for (kind, year, stage, host_name, competency, category, place, award, title, last,
             first, middle, region, organisation, points, team, number) in result:
            yield (kind, year, stages.get(stage, stage), host_name, competency, category, place,
                   title if award == "special" and title else awards.get(award, award), last,
                   first, middle, region, organisation, points, team, format_number(number))
        # Competencies declared not held: one row per category, «не состоялась» as the award.
        if "award" not in filters and "region" not in filters:
            not_held = str(NOT_HELD)
            for kind, year, stage, host_name, competency, category in db.session.execute(
                    self.not_held_query(filters)):
                yield (kind, year, stages.get(stage, stage), host_name, competency, category,
                       None, not_held, None, None, None, None, None, None, None, None)
        # Special awards granted to a person rather than to an entry come last.
        if any(f.name in filters for f in CONTEST_FILTERS):
            return
        personal = (
            select(Award.kind, Award.title, Person.last_name, Person.first_name,
                   Person.middle_name, home.name, Organisation.name, Person.number)
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
        for (kind, title, last, first, middle, region, organisation,
             number) in db.session.execute(personal):
            yield (None, None, None, None, None, None, None, _award_words(kind, title), last,
                   first, middle, region, organisation, None, None, format_number(number))


@register
class MedalsExporter(Exporter):
    identifier = "medals"
    label = _l("Medal table by region")
    description = _l("Gold, silver, bronze and medallions by region from published results; "
                     "a team's medal counts once, for its members' region; ranked gold first "
                     "or by points (4 gold, 3 silver, 2 bronze, 1 medallion).")
    filters = (*CONTEST_FILTERS, ORDER)

    def columns(self):
        return [Column(_l("Region"), width=36), Column(_l("Gold"), INTEGER, 10),
                Column(_l("Silver"), INTEGER, 10), Column(_l("Bronze"), INTEGER, 10),
                Column(_l("Medallions"), INTEGER, 12), Column(_l("Total medals"), INTEGER, 10)]

    def columns_for(self, filters: dict) -> list[Column]:
        """Ranked by points, the table has the points as its last column."""
        points = [Column(_l("Points"), INTEGER, 10)] if filters.get("order") == "points" else []
        return [*self.columns(), *points]

    def table(self, filters: dict) -> list[tuple]:
        """One GROUP BY over the awards: each records the region it counts for
        (``services.awards.medal_region``: a team's medal counts once). Rows: region, gold,
        silver, bronze, medallion, total, and ranked by points (``filters["order"]``) the
        points."""
        filters = dict(filters)
        order = filters.pop("order", None) or "medals"
        query = (
            select(Region.name, Award.kind, func.count())
            .select_from(Award)
            .join(Region, Region.id == Award.region_id)
            .where(Award.source == "results", Award.kind.in_(MEDAL_KINDS))
            .group_by(Region.name, Award.kind))
        if filters:  # the competition chain, only when a filter needs it
            query = apply_competition_filters(
                join_contest(query.join(Entry, Entry.id == Award.entry_id)), filters)
        counts = db.session.execute(query)
        tally: dict[str, Counter] = {}
        for region, kind, number in counts:
            tally.setdefault(region, Counter())[kind] += number
        rows = []
        for region, counter in tally.items():
            row = [counter[k] for k in MEDAL_KINDS]
            points = (medal_points((region, *row)),) if order == "points" else ()
            rows.append((region, *row, sum(row), *points))
        rows.sort(key=by_points if order == "points" else gold_first)
        return rows

    def rows(self, filters: dict):
        yield from self.table(filters)
