"""Competitions: their data and its rules (kind, year, stage, dates, title, medallion
threshold and medal minimums, time zone, status), creating and changing one, reopening it,
and the list of competitions. What a competition offers (competencies in categories, team
rules) is ``offerings.py``."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from .. import kinds, timezones
from ..extensions import db
from ..i18n import gettext as _
from ..models import (
    STAGES,
    STATUSES,
    Competition,
    CompetitionKind,
    Entry,
    OfferedCategory,
    OfferedCompetency,
    Region,
    name_key,
)
from ..text import quoted, squashed
from . import ServiceError
from .audit import record
from .registration import CLOSED_STATUSES

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_POINTS = Decimal(100)
MAX_TITLE_LENGTH = 300

# Words of a default title. A title is stored data, written as the competition's own documents
# write it (in Russian), so it does not change with the interface language.
STAGE_TITLE_WORDS = {
    "regional": "региональный этап",
    "selection": "отборочный этап",
    "final": "финал",
}


@dataclass
class CompetitionData:
    """What a person enters about a competition (plain values and model objects)."""

    kind: CompetitionKind | None
    year: int | None
    stage: str
    host_region: Region | None = None
    title: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    status: str = "draft"
    medallion_threshold: Decimal | None = None
    time_zone: str | None = None  # a zoneinfo name; None: the registry's zone
    # Medal rules (services.medals.MedalRules): least ranked in-competition entries of a
    # category for gold, silver, bronze and to be held; the 700 scale; the threshold's scale.
    gold_min: int = 1
    silver_min: int = 1
    bronze_min: int = 1
    min_entries: int = 1
    cis_scale: bool = False
    medallion_scale: str = "points"


MAX_MINIMUM = 1000  # the least number of entries for a medal or to be held: at most this
MAX_CIS_THRESHOLD = 1000  # a medallion threshold on the 700 scale: at most this
MEDALLION_SCALES = ("points", "cis")


def parse_medal_minimums(text: str) -> tuple[int, int, int]:
    """«G,S,B» (the command line's ``--medal-minimums``) as three integers of at least 1;
    else ServiceError."""
    parts = [part.strip() for part in (text or "").split(",")]
    try:
        values = tuple(int(part) for part in parts)
    except ValueError:
        values = ()
    if len(values) != 3 or not all(1 <= v <= MAX_MINIMUM for v in values):
        raise ServiceError(_("Give three whole numbers from 1 to %(high)d separated by commas "
                             "(gold, silver, bronze), e.g. 4,5,6; got %(value)s.",
                             high=MAX_MINIMUM, value=quoted(text or "")),
                           field="gold_min")
    return values


def default_title(kind: CompetitionKind, year: int, stage: str, region: Region | None) -> str:
    """E.g. «Профессионалы 2024, региональный этап, Оренбургская область»."""
    parts = [f"{kind.short_name} {year}", STAGE_TITLE_WORDS.get(stage, stage)]
    if region is not None:
        parts.append(region.name)
    return ", ".join(parts)


def competition_problems(data: CompetitionData) -> list[ServiceError]:
    """Everything wrong with ``data``, each on its field (a form shows them all at once)."""
    problems: list[ServiceError] = []

    def problem(message: str, field: str) -> None:
        problems.append(ServiceError(message, field=field))

    if data.kind is None:
        problem(_("Choose the competition kind."), "kind")
    if data.year is None or not MIN_YEAR <= data.year <= MAX_YEAR:
        problem(_("The year must be between %(low)d and %(high)d.",
                  low=MIN_YEAR, high=MAX_YEAR), "year")
    if data.stage not in STAGES:
        problem(_("Unknown stage: %(stage)s.", stage=data.stage), "stage")
    if data.status not in STATUSES:
        problem(_("Unknown status: %(status)s.", status=data.status), "status")
    if data.stage == "regional" and data.host_region is None:
        problem(_("A regional stage needs its host region."), "host_region")
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        problem(_("The competition cannot end before it starts."), "ends_on")
    for day, field in ((data.starts_on, "starts_on"), (data.ends_on, "ends_on")):
        if day is not None and data.year is not None and abs(day.year - data.year) > 1:
            problem(_("The dates must be close to the competition year %(year)d.",
                      year=data.year), field)
    threshold = data.medallion_threshold
    if data.medallion_scale not in MEDALLION_SCALES:
        problem(_("The medallion threshold is on the points or on the 700 scale."),
                "medallion_scale")
    elif threshold is not None:
        if data.kind is not None and not kinds.rules(data.kind.slug).has_medallion:
            problem(_("The medallion for excellence is awarded only at %(kind)s.",
                      kind=", ".join(k.short_name for k in kinds.medallion_kinds())),
                    "medallion_threshold")
        elif data.medallion_scale == "cis":
            if not threshold.is_finite() or not Decimal(0) < threshold <= MAX_CIS_THRESHOLD:
                problem(_("A medallion threshold on the 700 scale must be above 0 and at most "
                          "%(high)d.", high=MAX_CIS_THRESHOLD), "medallion_threshold")
        elif not threshold.is_finite() or not Decimal(0) < threshold <= MAX_POINTS:
            problem(_("The medallion threshold must be above 0 and at most 100 points."),
                    "medallion_threshold")
    for field_name in ("gold_min", "silver_min", "bronze_min", "min_entries"):
        value = getattr(data, field_name)
        if not isinstance(value, int) or isinstance(value, bool) \
                or not 1 <= value <= MAX_MINIMUM:
            problem(_("A least number of entries is a whole number from 1 to %(high)d.",
                      high=MAX_MINIMUM), field_name)
    if data.time_zone is not None and not timezones.is_zone_name(data.time_zone):
        problem(_("«%(zone)s» is not a time zone name (e.g. Asia/Novosibirsk).",
                  zone=data.time_zone), "time_zone")
    title = squashed(data.title)
    if title is not None and len(title) > MAX_TITLE_LENGTH:
        problem(_("The title is too long (at most %(n)d characters).", n=MAX_TITLE_LENGTH),
                "title")
    return problems


def _validate(data: CompetitionData) -> None:
    problems = competition_problems(data)
    if problems:
        raise problems[0]


def _title_taken(title: str, exclude_id: int | None = None) -> bool:
    key = name_key(title)
    query = select(Competition.id, Competition.title)
    if exclude_id is not None:
        query = query.where(Competition.id != exclude_id)
    return any(name_key(other) == key for _id, other in db.session.execute(query))


def _apply(competition: Competition, data: CompetitionData) -> None:
    competition.kind = data.kind
    competition.year = data.year
    competition.stage = data.stage
    competition.host_region = data.host_region
    competition.title = squashed(data.title) or default_title(
        data.kind, data.year, data.stage, data.host_region)
    competition.starts_on, competition.ends_on = data.starts_on, data.ends_on
    competition.status = data.status
    competition.medallion_threshold = data.medallion_threshold
    competition.time_zone = data.time_zone or None
    competition.gold_min, competition.silver_min = data.gold_min, data.silver_min
    competition.bronze_min, competition.min_entries = data.bronze_min, data.min_entries
    competition.cis_scale = bool(data.cis_scale)
    competition.medallion_scale = data.medallion_scale


def _snapshot(competition: Competition) -> dict:
    return {
        "kind": competition.kind.slug if competition.kind else None,
        "title": competition.title,
        "year": competition.year,
        "stage": competition.stage,
        "host_region": competition.host_region.name if competition.host_region else None,
        "starts_on": competition.starts_on.isoformat() if competition.starts_on else None,
        "ends_on": competition.ends_on.isoformat() if competition.ends_on else None,
        "status": competition.status,
        "medallion_threshold": (str(competition.medallion_threshold)
                                if competition.medallion_threshold is not None else None),
        "time_zone": competition.time_zone,
        "medal_minimums": [competition.gold_min, competition.silver_min, competition.bronze_min],
        "min_entries": competition.min_entries,
        "cis_scale": bool(competition.cis_scale),
        "medallion_scale": competition.medallion_scale,
    }


def create_competition(data: CompetitionData, *, actor=None) -> Competition:
    _validate(data)
    competition = Competition()
    _apply(competition, data)
    if _title_taken(competition.title):
        raise ServiceError(_("A competition titled %(title)s already exists.",
                             title=quoted(competition.title)), field="title")
    db.session.add(competition)
    db.session.flush()
    record("competition.create", competition, user=actor, competition_id=competition.id,
           **_snapshot(competition))
    return competition


def update_competition(competition: Competition, data: CompetitionData, *,
                       actor=None) -> Competition:
    _validate(data)
    if data.kind.id != competition.kind_id and competition.competencies:
        raise ServiceError(
            _("The kind cannot change while competencies are offered; withdraw them first."),
            field="kind",
        )
    before = _snapshot(competition)
    title = squashed(data.title) or default_title(data.kind, data.year, data.stage, data.host_region)
    if _title_taken(title, exclude_id=competition.id):
        raise ServiceError(_("A competition titled %(title)s already exists.",
                             title=quoted(title)),
                           field="title")
    _apply(competition, data)
    after = _snapshot(competition)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changes:
        record("competition.update", competition, user=actor, competition_id=competition.id,
               changes=changes)
    db.session.flush()
    return competition


def set_status(competition: Competition, status: str, *, actor=None) -> Competition:
    """Change the status alone, e.g. reopen registration of a published or archived
    competition."""
    if status not in STATUSES:
        raise ServiceError(_("Unknown status: %(status)s.", status=status), field="status")
    old = competition.status
    if old != status:
        competition.status = status
        db.session.flush()
        record("competition.status", competition, user=actor, competition_id=competition.id,
               old=old, new=status)
    return competition


def registration_closed(competition: Competition) -> bool:
    """Does ``competition`` refuse new entries (``registration.closed_problem``)?"""
    return competition.status in CLOSED_STATUSES


# --- reading -------------------------------------------------------------------------------

@dataclass
class CompetitionRow:
    competition: Competition
    competencies: int
    entries: int


def list_competitions(*, kind_id: int | None = None, year: int | None = None,
                      stage: str | None = None, status: str | None = None
                      ) -> list[CompetitionRow]:
    """Competitions, newest first, with counts of offered competencies and entries.

    A fixed number of queries however many rows there are."""
    competencies = (
        select(OfferedCompetency.competition_id, func.count().label("n"))
        .group_by(OfferedCompetency.competition_id).subquery()
    )
    entries = (
        select(OfferedCompetency.competition_id, func.count(Entry.id).label("n"))
        .join(OfferedCategory, OfferedCategory.offered_competency_id == OfferedCompetency.id)
        .join(Entry, Entry.offered_category_id == OfferedCategory.id)
        .group_by(OfferedCompetency.competition_id).subquery()
    )
    query = (
        select(Competition, func.coalesce(competencies.c.n, 0), func.coalesce(entries.c.n, 0))
        .outerjoin(competencies, competencies.c.competition_id == Competition.id)
        .outerjoin(entries, entries.c.competition_id == Competition.id)
        .options(joinedload(Competition.kind), joinedload(Competition.host_region))
        .order_by(Competition.year.desc(), Competition.kind_id, Competition.stage,
                  Competition.title)
    )
    if kind_id:
        query = query.where(Competition.kind_id == kind_id)
    if year:
        query = query.where(Competition.year == year)
    if stage:
        query = query.where(Competition.stage == stage)
    if status:
        query = query.where(Competition.status == status)
    return [CompetitionRow(c, n_competencies, n_entries)
            for c, n_competencies, n_entries in db.session.execute(query)]


def competition_years() -> list[int]:
    return list(db.session.scalars(
        select(Competition.year).distinct().order_by(Competition.year.desc())))
