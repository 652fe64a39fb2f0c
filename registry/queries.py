"""What many list queries share: paging, and the joins from an entry to its members and to
the competition chain (category, competency, competition)."""
from __future__ import annotations

from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Select

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
