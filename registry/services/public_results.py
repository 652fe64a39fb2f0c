"""What the public pages (``/public``, no login) read: released competitions and their
published results only — the snapshot a publication stored (``services.results``), never the
live marks or a draft change. The public blueprint and the JSON API (issue 15) call these.

Every function runs a fixed number of queries, however many competencies and entries a
competition has (``tests/test_public_results.py`` counts them). What a person may be shown
as is ``services.public_names``; nothing here reads contacts, birth dates (other than to know
whether the person is a minor) or health records.

``validators`` give the ETag and Last-Modified of a page: from the release, the publications
and the last change of the persons shown (a consent given or withdrawn changes the page).
"""
from __future__ import annotations

import hashlib
import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, null, or_, select
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
from ..queries import paginate
from .public_names import public_name

MEDAL_KINDS = ("gold", "silver", "bronze", "medallion")
PAGE_SIZE = 25  # released competitions per page
SEARCH_PAGE_SIZE = 20
SEARCH_MAX_RESULTS = 200  # a search never lists more: it is no way to enumerate people
SEARCH_MIN_LENGTH = 3
SEARCH_MAX_LENGTH = 100
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


@dataclass(frozen=True)
class SearchHit:
    name: str
    region: str
    organisation: str | None
    competition_id: int
    competition: str
    year: int
    offered_competency_id: int
    competency: str
    category: str
    place: int | None
    award: str | None


@dataclass
class SearchResult:
    query: str
    hits: list[SearchHit]
    page: int
    pages: int
    total: int
    truncated: bool  # more matched than a search lists (``SEARCH_MAX_RESULTS``)


# --- released competitions -------------------------------------------------------------------

def released():
    """The select of released competitions (to be filtered further)."""
    return select(Competition).where(Competition.released_at.is_not(None))


def released_competition(competition_id: int) -> Competition | None:
    """The competition if it is released, else None (the page answers 404)."""
    return db.session.scalar(
        released().where(Competition.id == competition_id)
        .options(joinedload(Competition.kind), joinedload(Competition.host_region)))


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


# --- the published snapshot ------------------------------------------------------------------

# A publication's snapshot never changes once written (a correction is a new publication), so
# its parsed content may be kept, keyed by the row's id *and* time (an id reused after a
# restored or emptied database is another key): the JSON of a whole final is most of what its
# public page would otherwise spend. Bounded; shared by the threads of one process.
SNAPSHOT_CACHE_SIZE = 16
_snapshots: OrderedDict[tuple, dict] = OrderedDict()
_snapshots_lock = threading.Lock()


def _contents(query) -> list[tuple[int, datetime, dict]]:
    """``[(competition_id, published_at, content)]`` of the publications ``query`` selects
    (``Publication.id``, ``competition_id``, ``published_at``): one query, and one more for
    the snapshots not kept yet."""
    rows = db.session.execute(query).all()
    found: dict[tuple, dict] = {}
    with _snapshots_lock:
        for publication_id, _competition, published_at in rows:
            key = (publication_id, published_at)
            if key in _snapshots:
                _snapshots.move_to_end(key)
                found[key] = _snapshots[key]
    missing = [r[0] for r in rows if (r[0], r[2]) not in found]
    if missing:
        for publication_id, published_at, content in db.session.execute(
                select(Publication.id, Publication.published_at, Publication.snapshot)
                .where(Publication.id.in_(missing))):
            found[(publication_id, published_at)] = content or {}
        with _snapshots_lock:
            for key in ((m, at) for m, _c, at in rows if m in set(missing)):
                _snapshots[key] = found[key]
                _snapshots.move_to_end(key)
            while len(_snapshots) > SNAPSHOT_CACHE_SIZE:
                _snapshots.popitem(last=False)
    return [(competition, at, found[(pid, at)]) for pid, competition, at in rows]


def _published(competition_id: int, offered_competency_id: int | None = None):
    """``({offered_category_id: (published_at, rows)}, {offered_competency_id: reason})`` from
    the competition's publications, the latest holding each category winning."""
    query = (select(Publication.id, Publication.competition_id, Publication.published_at)
             .where(Publication.competition_id == competition_id)
             .order_by(Publication.number))
    if offered_competency_id is not None:  # whole-competition ones hold it too
        query = query.where(or_(Publication.offered_competency_id.is_(None),
                                Publication.offered_competency_id == offered_competency_id))
    categories: dict[int, tuple[datetime, list]] = {}
    not_held: dict[int, str] = {}
    for _competition, published_at, content in _contents(query):
        for key, rows in content.get("standings", {}).items():
            categories[int(key)] = (published_at, rows)
        for key, reason in content.get("not_held", {}).items():
            not_held[int(key)] = reason
    return categories, not_held


def _shown(rows: list) -> list:
    """The snapshot rows the public sees: placed or awarded (not withdrawn, not unmarked)."""
    return [r for r in rows if r[2] is not None or r[3] is not None]


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
    published, not_held = _published(competition.id)
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
            CategorySummary(oc_id, category, len(_shown(rows)), not_held.get(oco_id)))
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
    published, not_held = _published(competition.id, offered_competency_id)
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
        for entry_id, total, rank, award in _shown(rows):
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


# --- search by name --------------------------------------------------------------------------

_NOT_IN_NAMES = re.compile(r"[^\w\s'-]|_")


def _words(query: str | None) -> list[str]:
    """The words of a search as names are compared (``name_key``), without the characters no
    name has (so that ``%`` or ``_`` never reach a LIKE pattern)."""
    return _NOT_IN_NAMES.sub(" ", name_key(query)).split()


def search_problem(query: str | None) -> str | None:
    """Why ``query`` is not searched, as a code the page words: ``short``, ``long``."""
    words = _words(query)
    if not words or max(len(w) for w in words) < SEARCH_MIN_LENGTH:
        return "short"
    if len(query) > SEARCH_MAX_LENGTH or len(words) > 5:
        return "long"
    return None


def _matches(words: list[str], shown_name: str) -> bool:
    """Every word of the query begins a word of the name as shown (so that a search never
    confirms a given name or patronymic the page does not show)."""
    shown = _words(shown_name.replace(".", " "))
    return all(any(s.startswith(w) for s in shown) for w in words)


def search(query: str, page: int = 1) -> SearchResult:
    """Participants of released competitions whose name, as the public pages show it,
    matches ``query`` (each word the beginning of a word of the name; one word at least
    ``SEARCH_MIN_LENGTH`` letters, beginning the surname): at most ``SEARCH_MAX_RESULTS``,
    ``SEARCH_PAGE_SIZE`` a page, only results a publication holds (two queries)."""
    words = _words(query)
    surnames = [w for w in words if len(w) >= SEARCH_MIN_LENGTH]
    if not surnames:
        return SearchResult(query, [], 1, 1, 0, False)
    # identity_key begins with the surname's name_key and a «|»
    like = [Person.identity_key.like(w + "%") for w in surnames]
    rows = db.session.execute(
        select(Person, Entry.id, Entry.offered_category_id, Competition.id, Competition.title,
               Competition.year, OfferedCompetency.id, Competency.name, Category.name)
        .join(EntryMember, EntryMember.person_id == Person.id)
        .join(Entry, Entry.id == EntryMember.entry_id)
        .join(OfferedCategory, OfferedCategory.id == Entry.offered_category_id)
        .join(Category, Category.id == OfferedCategory.category_id)
        .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
        .join(Competency, Competency.id == OfferedCompetency.competency_id)
        .join(Competition, Competition.id == OfferedCompetency.competition_id)
        .where(Competition.released_at.is_not(None), or_(*like))
        .options(joinedload(Person.region), joinedload(Person.organisation))
        .order_by(Person.last_name, Person.first_name, Person.id, Competition.year.desc(),
                  Competition.id, Entry.id)
        .limit(SEARCH_MAX_RESULTS * 4)
    ).all()
    today = date.today()
    candidates = [(row, public_name(row[0], today)) for row in rows]
    candidates = [(row, name) for row, name in candidates if _matches(words, name)]
    published = _published_rows({row[3] for row, _name in candidates})
    hits = []
    for (person, entry_id, oc_id, comp_id, title, year, oco_id, competency, category), name \
            in candidates:
        found = published.get(oc_id, {}).get(entry_id)
        if found is None:  # not in what was published
            continue
        hits.append(SearchHit(name, person.region.name,
                              person.organisation.name if person.organisation else None,
                              comp_id, title, year, oco_id, competency, category,
                              found[0], found[1]))
    truncated = len(hits) > SEARCH_MAX_RESULTS
    hits = hits[:SEARCH_MAX_RESULTS]
    pages = max(1, -(-len(hits) // SEARCH_PAGE_SIZE))
    page = min(max(1, page), pages)
    start = (page - 1) * SEARCH_PAGE_SIZE
    return SearchResult(query, hits[start:start + SEARCH_PAGE_SIZE], page, pages, len(hits),
                        truncated)


def _published_rows(competition_ids) -> dict[int, dict[int, tuple]]:
    """``{offered_category_id: {entry_id: (place, award)}}`` of the shown rows of the latest
    publication of each category of these competitions."""
    if not competition_ids:
        return {}
    found: dict[int, dict[int, tuple]] = {}
    for _competition, _at, content in _contents(
            select(Publication.id, Publication.competition_id, Publication.published_at)
            .where(Publication.competition_id.in_(competition_ids))
            .order_by(Publication.competition_id, Publication.number)):
        for key, rows in content.get("standings", {}).items():
            found[int(key)] = {r[0]: (r[2], r[3]) for r in _shown(rows)}
    return found


# --- validators ------------------------------------------------------------------------------

def _etag(*parts) -> str:
    text = "|".join(str(p) for p in (PAGES_VERSION, date.today().isoformat(), *parts))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def competition_validators(competition: Competition, *extra,
                           offered_competency_id: int | None = None) -> tuple[str, datetime]:
    """ETag and Last-Modified of the pages of a released competition: its release (and
    points choice), its publications, and — for a competency's page, which names people —
    the last change of a person entered there (a consent given or withdrawn): one query."""
    of_competition = Publication.competition_id == competition.id
    persons = null()
    if offered_competency_id is not None:
        persons = (select(func.max(Person.updated_at))
                   .select_from(EntryMember)
                   .join(Person, Person.id == EntryMember.person_id)
                   .join(OfferedCategory, OfferedCategory.id == EntryMember.offered_category_id)
                   .where(OfferedCategory.offered_competency_id == offered_competency_id)
                   .scalar_subquery())
    count, published_at, updated_at = db.session.execute(select(
        select(func.count(Publication.id)).where(of_competition).scalar_subquery(),
        select(func.max(Publication.published_at)).where(of_competition).scalar_subquery(),
        persons)).one()
    last = max(m for m in (competition.released_at, published_at, updated_at) if m)
    return (_etag("competition", competition.id, competition.released_at,
                  competition.show_points, count, published_at, updated_at,
                  offered_competency_id, *extra), last)


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
