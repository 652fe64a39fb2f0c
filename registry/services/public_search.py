"""Search by name on the public pages: participants of released competitions whose name,
as the public pages show it (``services.public_names``), matches the words searched, and only
results a publication holds. Never a way to enumerate people: the words must begin the name
shown, and a search lists at most ``SEARCH_MAX_RESULTS``."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (
    Category,
    Competency,
    Competition,
    Entry,
    EntryMember,
    OfferedCategory,
    OfferedCompetency,
    Person,
    name_key,
)
from . import public_snapshots as snapshots
from .public_names import public_name

SEARCH_PAGE_SIZE = 20
SEARCH_MAX_RESULTS = 200  # a search never lists more: it is no way to enumerate people
SEARCH_MIN_LENGTH = 3
SEARCH_MAX_LENGTH = 100


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
    published = snapshots.published_rows({row[3] for row, _name in candidates})
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
