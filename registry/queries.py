"""What many list queries share: paging (by offset, or by keys with their count), the joins
from an entry to its members and to the competition chain (category, competency,
competition), and statements built once per process (``prepared``)."""
from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TypeVar

from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import Select, bindparam, func, select

from .extensions import db
from .models import (
    Category,
    Competency,
    Competition,
    Entry,
    EntryMember,
    OfferedCategory,
    OfferedCompetency,
    Organisation,
    Person,
)

_Statement = TypeVar("_Statement")


def prepared(build: Callable[[], _Statement]) -> Callable[[], _Statement]:
    """``build()``'s statement, built on the first call and the same object after it: for
    the queries of the pages people open most, whose values are bound when they run
    (``bindparam``). Building a select with its joins and loader options costs 0.1-0.3 ms
    each time, and so does its cache key; a statement kept once has its cache key memoised
    on it, so SQLAlchemy finds its compiled form at once. A statement is immutable and
    holds no connection: one per process serves every thread."""
    return cache(build)


class RowPagination(SelectPagination):
    """``db.paginate`` for a select of several columns: each item is a row, not its first
    column."""

    def _query_items(self) -> list:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).all())


def paginate(stmt: Select, page: int, per_page: int, *, rows: bool = True):
    """One page of ``stmt`` (two queries: the page and the count); a page past the last
    shows the last. ``rows=False`` gives entities (``db.paginate``), else rows."""
    def run(number: int):
        if not rows:
            return db.paginate(stmt, page=number, per_page=per_page, max_per_page=None,
                               error_out=False)
        return RowPagination(select=stmt, session=db.session(), page=number,
                             per_page=per_page, max_per_page=None, error_out=False)

    result = run(max(1, page))
    if result.page > 1 and result.page > result.pages:
        result = run(max(1, result.pages))
    return result


class _Known(Pagination):
    """A page whose items and total are already known."""

    def _query_items(self) -> list:
        return self._query_args["items"]

    def _query_count(self) -> int:
        return self._query_args["total"]


def paginate_keys(keys: Select, load, page: int, per_page: int,
                  values: dict | None = None) -> Pagination:
    """One page of ``keys``, a select of (key, ``count(*) OVER ()``) in the list's order
    with its limit and offset bound (``paged``), whose rows ``load(keys)`` gives: one query
    for the page's keys and the total, one for its rows, in the keys' order. A page past the
    last shows the last (a count, then its page). ``values``: what ``keys`` binds besides;
    a statement kept once (``prepared``) is then the same statement whatever the page."""
    def page_of(number: int) -> tuple[list, int | None]:
        found = db.session.execute(keys, {**(values or {}), "page_limit": per_page,
                                          "page_offset": (number - 1) * per_page}).all()
        return [row[0] for row in found], (found[0][1] if found else None)

    number = max(1, page)
    ids, total = page_of(number)
    if total is None:
        everything = keys.limit(None).offset(None).order_by(None).subquery()
        total = db.session.scalar(select(func.count()).select_from(everything), values or {})
        if number > 1:
            number = max(1, -(-total // per_page))
            ids, _ = page_of(number) if total else ([], None)
    by_key = {row[0].id: row for row in load(ids)} if ids else {}
    return _Known(page=number, per_page=per_page, max_per_page=None, error_out=False,
                  items=[by_key[key] for key in ids if key in by_key], total=total or 0)


def paged(keys: Select) -> Select:
    """``keys`` with the limit and the offset of a page bound when it runs (``page_limit``,
    ``page_offset``): what ``paginate_keys`` pages, kept once with its statement."""
    return keys.limit(bindparam("page_limit")).offset(bindparam("page_offset"))


def join_members(query: Select, home) -> Select:
    """From a select that has ``Entry``: its members, their persons, their home region
    (``home``, an alias of Region) and their organisation (if any)."""
    return (query.join(EntryMember, EntryMember.entry_id == Entry.id)
            .join(Person, Person.id == EntryMember.person_id)
            .join(home, home.id == Person.region_id)
            .outerjoin(Organisation, Organisation.id == Person.organisation_id))


def join_contest(query: Select) -> Select:
    """From a select that has ``Entry``: its category, competency and competition."""
    return (query.join(OfferedCategory, OfferedCategory.id == Entry.offered_category_id)
            .join(Category, Category.id == OfferedCategory.category_id)
            .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
            .join(Competency, Competency.id == OfferedCompetency.competency_id)
            .join(Competition, Competition.id == OfferedCompetency.competition_id))
