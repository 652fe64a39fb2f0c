"""What the public pages (``/public``, no login) read: released competitions and their
published results only — the snapshot a publication stored (``services.results``), never the
live marks or a draft change. The public blueprint and the JSON API (issue 15) call these.

Every function runs a fixed number of queries, however many competencies and entries a
competition has (``tests/test_public_results.py`` counts them). What a person may be shown
as is ``services.public_names``; nothing here reads contacts, birth dates (other than to know
whether the person is a minor) or health records. The snapshots themselves are read through
``services.public_snapshots``; the search by name is ``services.public_search``.

``validators`` give the ETag and Last-Modified of a page: from the release, the publications
and the last change of the persons shown (a consent given or withdrawn changes the page).
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import bindparam, func, null, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (
    Award,
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
    Region,
    name_key,
)
from ..queries import paginate, prepared
from . import public_snapshots as snapshots
from .public_names import public_name
from .standing_entries import scope_values

MEDAL_KINDS = ("gold", "silver", "bronze", "medallion")
PAGE_SIZE = 25  # released competitions per page
PAGES_VERSION = "1"  # raise when the public pages change shape: new validators


# --- what the pages show ---------------------------------------------------------------------

@dataclass(frozen=True)
class PublicPerson:
    name: str  # ``public_name``: full only with consent
    region: str
    organisation: str | None


@dataclass(frozen=True)
class PublicRow:
    entry_id: int
    place: int | None
    team: str | None
    members: tuple[PublicPerson, ...]
    award: str | None
    points: Decimal | None  # None unless the competition shows points

    @property
    def regions(self) -> list[str]:
        return list(dict.fromkeys(m.region for m in self.members))

    @property
    def organisations(self) -> list[str]:
        return list(dict.fromkeys(m.organisation for m in self.members if m.organisation))


@dataclass
class PublicCategory:
    offered_category_id: int
    category: str
    rows: list[PublicRow] = field(default_factory=list)
    not_held: str | None = None
    published_at: datetime | None = None


@dataclass
class PublicCompetency:
    offered_competency_id: int
    name: str
    code: str | None
    categories: list[PublicCategory] = field(default_factory=list)
    not_held: str | None = None


@dataclass(frozen=True)
class CategorySummary:
    offered_category_id: int
    category: str
    size: int  # results shown
    not_held: str | None


@dataclass
class Overview:
    competition: Competition
    competencies: list[PublicCompetency]
    published_at: datetime | None

    @property
    def results(self) -> int:
        return sum(c.size for oc in self.competencies for c in oc.categories)


# --- released competitions -------------------------------------------------------------------

def released():
    """The select of released competitions (to be filtered further)."""
    return select(Competition).where(Competition.released_at.is_not(None))


def _filtered(query, *, kind_id=None, year=None, stage=None, region_id=None):
    if kind_id is not None:
        query = query.where(Competition.kind_id == kind_id)
    if year is not None:
        query = query.where(Competition.year == year)
    if stage is not None:
        query = query.where(Competition.stage == stage)
    if region_id is not None:
        query = query.where(Competition.host_region_id == region_id)
    return query


def released_competitions(*, kind_id: int | None = None, year: int | None = None,
                          stage: str | None = None, region_id: int | None = None,
                          page: int = 1, per_page: int = PAGE_SIZE):
    """One page of released competitions, latest year first (two queries)."""
    query = (_filtered(released(), kind_id=kind_id, year=year, stage=stage, region_id=region_id)
             .options(joinedload(Competition.kind), joinedload(Competition.host_region))
             .order_by(Competition.year.desc(), Competition.starts_on.desc(),
                       Competition.title, Competition.id))
    return paginate(query, page, per_page, rows=False)


def released_years() -> list[int]:
    return list(db.session.scalars(
        select(Competition.year).where(Competition.released_at.is_not(None))
        .distinct().order_by(Competition.year.desc())))


# --- published results ----------------------------------------------------------------------

def _offered(competition_id: int, offered_competency_id: int | None = None):
    query = (select(OfferedCategory.id, OfferedCategory.offered_competency_id, Category.name,
                    Category.position, Competency.name, Competency.code)
             .join(Category, Category.id == OfferedCategory.category_id)
             .join(OfferedCompetency,
                   OfferedCompetency.id == OfferedCategory.offered_competency_id)
             .join(Competency, Competency.id == OfferedCompetency.competency_id)
             .where(OfferedCompetency.competition_id == competition_id))
    if offered_competency_id is not None:
        query = query.where(OfferedCompetency.id == offered_competency_id)
    return db.session.execute(query.order_by(Competency.name, Category.position)).all()


def overview(competition: Competition) -> Overview:
    """The competencies and categories of a released competition that are published, with
    the number of results each shows (two queries; no entry is loaded)."""
    published, not_held = snapshots.published(competition.id)
    competencies: dict[int, PublicCompetency] = {}
    latest = None
    for oc_id, oco_id, category, _position, name, code in _offered(competition.id):
        if oc_id not in published:
            continue
        published_at, rows = published[oc_id]
        latest = max(latest or published_at, published_at)
        competency = competencies.setdefault(
            oco_id, PublicCompetency(oco_id, name, code, not_held=not_held.get(oco_id)))
        competency.categories.append(
            CategorySummary(oc_id, category, len(snapshots.shown(rows)), not_held.get(oco_id)))
    return Overview(competition, list(competencies.values()), latest)


class _Named:
    """What naming a person needs, read as plain columns (no ORM objects: a final's
    competency page stays fast); ``full_name`` and ``age_on`` are the ``Person``'s own."""

    __slots__ = ("last_name", "first_name", "middle_name", "birth_date", "publication_consent",
                 "guardian_publication_consent")
    full_name = Person.full_name
    age_on = Person.age_on

    def __init__(self, *values):
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)


def _members(offered_category_ids: list[int]) -> dict[int, tuple[str | None, list]]:
    """``{entry_id: (team name, [(person, region, organisation)])}`` of the entries of these
    categories, members in registration order: one query of plain columns."""
    found: dict[int, tuple[str | None, list]] = {}
    if not offered_category_ids:
        return found
    rows = db.session.execute(
        select(Entry.id, Entry.team_name, Person.last_name, Person.first_name,
               Person.middle_name, Person.birth_date, Person.publication_consent,
               Person.guardian_publication_consent, Region.name, Organisation.name)
        .select_from(Entry)
        .join(EntryMember, EntryMember.entry_id == Entry.id)
        .join(Person, Person.id == EntryMember.person_id)
        .join(Region, Region.id == Person.region_id)
        .outerjoin(Organisation, Organisation.id == Person.organisation_id)
        .where(Entry.offered_category_id.in_(offered_category_ids))
        .order_by(Entry.id, EntryMember.id))
    for entry_id, team, *person, region, organisation in rows:
        found.setdefault(entry_id, (team, []))[1].append((_Named(*person), region, organisation))
    return found


def public_people(members, today: date | None = None) -> tuple[PublicPerson, ...]:
    """``members``: ``[(person, region name, organisation name)]``."""
    today = today or date.today()
    return tuple(PublicPerson(public_name(person, today), region, organisation)
                 for person, region, organisation in members)


def competency_results(competition: Competition,
                       offered_competency_id: int) -> PublicCompetency | None:
    """The published results of one competency of a released competition, per category
    (three queries); None when it is not offered there or nothing of it is published."""
    offered = _offered(competition.id, offered_competency_id)
    if not offered:
        return None
    published, not_held = snapshots.published(competition.id, offered_competency_id)
    offered = [row for row in offered if row[0] in published]
    if not offered:
        return None
    entries = _members([row[0] for row in offered])
    today = date.today()
    _oc, oco_id, _category, _position, name, code = offered[0]
    competency = PublicCompetency(oco_id, name, code, not_held=not_held.get(oco_id))
    for oc_id, _oco, category, _position, _name, _code in offered:
        published_at, rows = published[oc_id]
        shown = PublicCategory(oc_id, category, not_held=not_held.get(oco_id),
                               published_at=published_at)
        for entry_id, total, rank, award in snapshots.shown(rows):
            entry = entries.get(entry_id)
            if entry is None:  # deleted since
                continue
            team, members = entry
            points = (Decimal(total) if total is not None and competition.show_points
                      else None)
            shown.rows.append(PublicRow(entry_id, rank, team, public_people(members, today),
                                        award, points))
        competency.categories.append(shown)
    return competency


# --- medal tables ----------------------------------------------------------------------------

def _tally(counts) -> list[tuple]:
    """``[(region, gold, silver, bronze, medallion, total)]`` from ``(region, kind, n)``,
    ranked: gold, silver, bronze, medallions, then the name."""
    tally: dict[str, Counter] = {}
    for region, kind, number in counts:
        tally.setdefault(region, Counter())[kind] += number
    rows = []
    for region, counter in tally.items():
        row = [counter[k] for k in MEDAL_KINDS]
        rows.append((region, *row, sum(row)))
    rows.sort(key=lambda r: (-r[1], -r[2], -r[3], -r[4], name_key(r[0])))
    return rows


def medal_table(*, competition_id: int | None = None, kind_id: int | None = None,
                year: int | None = None, stage: str | None = None) -> list[tuple]:
    """The medal table by region of released competitions (one of them, or those the filters
    give): one GROUP BY over their results awards, which mirror the latest publication (a
    team's medal counts once, for ``services.awards.medal_region``)."""
    query = (select(Region.name, Award.kind, func.count())
             .select_from(Award)
             .join(Region, Region.id == Award.region_id)
             .join(Competition, Competition.id == Award.competition_id)
             .where(Award.source == "results", Award.kind.in_(MEDAL_KINDS),
                    Competition.released_at.is_not(None))
             .group_by(Region.name, Award.kind))
    if competition_id is not None:
        query = query.where(Competition.id == competition_id)
    query = _filtered(query, kind_id=kind_id, year=year, stage=stage)
    return _tally(db.session.execute(query))


# --- validators ------------------------------------------------------------------------------

def _etag(*parts) -> str:
    text = "|".join(str(p) for p in (PAGES_VERSION, date.today().isoformat(), *parts))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def released_with_validators(competition_id: int, *extra,
                             offered_competency_id: int | None = None
                             ) -> tuple[Competition | None, tuple[str, datetime] | None]:
    """The competition if it is released (with its kind and host region), and the ETag and
    Last-Modified of its pages, in one query; (None, None) when it is not released (the
    page answers 404). What changes the pages: the release (and points choice), the
    publications, and — for a competency's page (``offered_competency_id``), which names
    people — the last change of a person entered there (a consent given or withdrawn)."""
    found = db.session.execute(
        _released_with_changes(offered_competency_id is not None),
        scope_values(competition_id, offered_competency_id)).first()
    if found is None:
        return None, None
    competition, count, published_at, updated_at = found
    return competition, _validators(competition, count, published_at, updated_at,
                                    offered_competency_id, extra)


def _validators(competition, count, published_at, updated_at, offered_competency_id, extra):
    last = max(m for m in (competition.released_at, published_at, updated_at) if m)
    return (_etag("competition", competition.id, competition.released_at,
                  competition.show_points, count, published_at, updated_at,
                  offered_competency_id, *extra), last)


def _change_columns(of_persons: bool) -> tuple:
    """What changes a released competition's pages: the number of its publications, the
    last one's moment, and (``of_persons``: a competency's page) the last change of a person
    entered in the competency; values bound as ``_change_values`` gives them."""
    of_competition = Publication.competition_id == bindparam("competition_id")
    persons = null()
    if of_persons:
        persons = (select(func.max(Person.updated_at))
                   .select_from(EntryMember)
                   .join(Person, Person.id == EntryMember.person_id)
                   .join(OfferedCategory, OfferedCategory.id == EntryMember.offered_category_id)
                   .where(OfferedCategory.offered_competency_id
                          == bindparam("offered_competency_id"))
                   .scalar_subquery())
    return (select(func.count(Publication.id)).where(of_competition).scalar_subquery(),
            select(func.max(Publication.published_at)).where(of_competition).scalar_subquery(),
            persons)


@prepared
def _released_with_changes(of_persons: bool):
    return (select(Competition, *_change_columns(of_persons))
            .where(Competition.released_at.is_not(None),
                   Competition.id == bindparam("competition_id"))
            .options(joinedload(Competition.kind), joinedload(Competition.host_region)))


def list_validators(*extra, persons: bool = False) -> tuple[str, datetime | None]:
    """ETag and Last-Modified of the pages over all released competitions (the list, the
    medal table; the search with ``persons``: the last change of any person too): the
    releases and their publications (one query)."""
    released_at = select(func.max(Competition.released_at)).scalar_subquery()
    query = select(
        select(func.count(Competition.id)).where(Competition.released_at.is_not(None))
        .scalar_subquery(),
        released_at,
        select(func.max(Publication.published_at))
        .join(Competition, Competition.id == Publication.competition_id)
        .where(Competition.released_at.is_not(None)).scalar_subquery(),
        select(func.max(Person.updated_at)).scalar_subquery() if persons else null())
    count, released_at, published_at, updated_at = db.session.execute(query).one()
    moments = [m for m in (released_at, published_at, updated_at) if m]
    return (_etag("list", count, released_at, published_at, updated_at, *extra),
            max(moments) if moments else None)
