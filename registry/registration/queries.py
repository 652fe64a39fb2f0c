"""Read-only queries of the registration pages: each page loads its rows in a fixed number of
queries, whatever the number of rows (no lazy loading inside loops)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Select, and_, bindparam, false, func, literal, select, union_all
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (
    Category,
    Competency,
    Competition,
    CompetitionKind,
    Entry,
    EntryMember,
    HealthRecord,
    OfferedCategory,
    OfferedCompetency,
    Organisation,
    Person,
    Region,
    User,
    name_key,
    organisation_key,
)
from ..queries import join_contest, paged, paginate, paginate_keys, prepared
from ..services import person_numbers


def name_tokens(text: str | None) -> list[str]:
    """Search words normalised as ``Person.identity_key`` is (case-, ё-insensitive)."""
    return [t for t in name_key(text).split(" ") if t]


def name_patterns(text: str | None) -> list[str] | None:
    """The LIKE patterns (escaped by «/») that a person's ``identity_key`` must all match to
    contain every word of ``text``: one per word, [] for no word, None when a word is longer
    than any stored name (no one matches; and too long a pattern for SQLite).

    ``identity_key`` is already case-folded with ё→е, so this works the same on SQLite, whose
    lower() leaves Cyrillic alone, and on PostgreSQL."""
    tokens = name_tokens(text)
    if any(len(t) > Person.identity_key.type.length for t in tokens):
        return None
    return ["%" + t.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"
            for t in tokens]


def name_condition(patterns, bound: bool = False):
    """The condition of ``name_patterns``' result: the patterns themselves, or (``bound``)
    parameters ``word_0``, ``word_1``… for a statement kept once."""
    if patterns is None:
        return false()
    return and_(*(Person.identity_key.like(bindparam(f"word_{i}") if bound else pattern,
                                           escape="/")
                  for i, pattern in enumerate(patterns)))


def person_name_filter(text: str | None):
    """A condition matching persons whose name contains every word of ``text``; None when
    ``text`` has no word."""
    patterns = name_patterns(text)
    return None if patterns == [] else name_condition(patterns)


# --- reference choices ---------------------------------------------------------------------

def region_choices() -> list[tuple[int, str]]:
    return [(r.id, r.name) for r in db.session.scalars(select(Region).order_by(Region.name))]


def offered_choices(competition: Competition) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(OfferedCategory.id, Competency, Category)
        .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
        .join(Competency, Competency.id == OfferedCompetency.competency_id)
        .join(Category, Category.id == OfferedCategory.category_id)
        .where(OfferedCompetency.competition_id == competition.id)
        .order_by(Competency.name, Category.position)
    ).all()
    return [(oc_id, f"{competency} — {category.name}") for oc_id, competency, category in rows]


# --- organisations -------------------------------------------------------------------------

def organisations(*, q: str | None, region_id: int | None, page: int, per_page: int):
    persons = (
        select(func.count(Person.id)).where(Person.organisation_id == Organisation.id)
        .correlate(Organisation).scalar_subquery()
    )
    stmt = (
        select(Organisation, Region, persons.label("persons"))
        .join(Region, Region.id == Organisation.region_id)
    )
    key = organisation_key(q)
    if key and len(key) > Organisation.name_key.type.length:
        stmt = stmt.where(false())  # longer than any stored name
    elif key:
        stmt = stmt.where(Organisation.name_key.contains(key, autoescape=True))
    if region_id:
        stmt = stmt.where(Organisation.region_id == region_id)
    stmt = stmt.order_by(Organisation.name_key, Organisation.id)
    return paginate(stmt, page, per_page)


def organisation_names(region_id: int | None, limit: int = 500) -> list[str]:
    if not region_id:
        return []
    return list(db.session.scalars(
        select(Organisation.name).where(Organisation.region_id == region_id)
        .order_by(Organisation.name_key).limit(limit)
    ))


# --- persons -------------------------------------------------------------------------------

def persons(*, q: str | None, region_id: int | None, organisation_id: int | None,
            page: int, per_page: int):
    stmt = (
        select(Person, Region, Organisation)
        .join(Region, Region.id == Person.region_id)
        .outerjoin(Organisation, Organisation.id == Person.organisation_id)
    )
    number = person_numbers.parse_number(q) if person_numbers.looks_like_number(q) else None
    if number is not None:  # «П-000123»: the person with that number (or merged into)
        found, _merged = person_numbers.find_by_number(number)
        stmt = stmt.where(Person.id == (found.id if found is not None else None))
    elif (condition := person_name_filter(q)) is not None:
        stmt = stmt.where(condition)
    if region_id:
        stmt = stmt.where(Person.region_id == region_id)
    if organisation_id:
        stmt = stmt.where(Person.organisation_id == organisation_id)
    stmt = stmt.order_by(Person.identity_key, Person.id)
    return paginate(stmt, page, per_page)


def find_persons(q: str | None, limit: int = 30) -> list:
    """Persons whose name matches ``q`` (rows of Person, Region, Organisation)."""
    condition = person_name_filter(q)
    if condition is None:
        return []
    return db.session.execute(
        select(Person, Region, Organisation)
        .join(Region, Region.id == Person.region_id)
        .outerjoin(Organisation, Organisation.id == Person.organisation_id)
        .where(condition)
        .order_by(Person.identity_key, Person.id)
        .limit(limit)
    ).all()


@prepared
def _person_with_places():
    return (select(Person).where(Person.id == bindparam("person_id"))
            .options(joinedload(Person.region), joinedload(Person.organisation)))


def person_with_places(person_id: int) -> Person | None:
    """The person with their region and organisation, in one query."""
    return db.session.scalar(_person_with_places(), {"person_id": person_id})


@prepared
def _person_entries():
    return (join_contest(select(Entry, Competition, CompetitionKind, Competency, Category)
                         .join(EntryMember, EntryMember.entry_id == Entry.id))
            .join(CompetitionKind, CompetitionKind.id == Competition.kind_id)
            .where(EntryMember.person_id == bindparam("person_id"))
            .order_by(Competition.year.desc(), Competition.starts_on.desc(),
                      Competition.id.desc()))


def person_entries(person: Person) -> list:
    """Every entry of ``person``, newest competition first."""
    return db.session.execute(_person_entries(), {"person_id": person.id}).all()


# --- participants of a competition ---------------------------------------------------------

SORTS = {
    "name": (Person.identity_key,),
    "region": (Region.name,),
    "organisation": (Organisation.name_key,),
    "competency": (Competency.name,),
    "category": (Category.position, Category.name),
    "status": (Entry.status,),
}


@dataclass
class ParticipantFilters:
    q: str | None = None
    region_id: int | None = None
    organisation_id: int | None = None
    competency_id: int | None = None
    category_id: int | None = None
    status: str | None = None
    sort: str = "name"
    direction: str = "asc"


def _members_of(*columns, competition_id: int | None = None):
    """``columns`` of the members of a competition's entries: from a member through its
    category (a member row has it) to the competency offered, and its person. Only the
    tables that choose the rows; what a filter or a sort needs besides is joined by
    ``_participant_keys``. The competition is the parameter ``competition_id``: its value
    given here, or when a prepared statement runs."""
    return (select(*columns)
            .select_from(EntryMember)
            .join(OfferedCategory, OfferedCategory.id == EntryMember.offered_category_id)
            .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
            .join(Person, Person.id == EntryMember.person_id)
            .where(OfferedCompetency.competition_id
                   == bindparam("competition_id", competition_id)))


_SORT_JOINS = {
    "region": lambda q: q.join(Region, Region.id == Person.region_id),
    "organisation": lambda q: q.outerjoin(Organisation, Organisation.id == Person.organisation_id),
    "competency": lambda q: q.join(Competency, Competency.id == OfferedCompetency.competency_id),
    "category": lambda q: q.join(Category, Category.id == OfferedCategory.category_id),
}


def _participant_keys(competition: Competition, filters: ParticipantFilters
                      ) -> tuple[Select, dict]:
    """The members chosen by ``filters`` in their order, each with the number of all of
    them: (EntryMember.id, count); the statement kept for the filters' shape (which filters
    are given, how many search words, the sort) and the values to bind."""
    patterns = name_patterns(filters.q)
    sort = filters.sort if filters.sort in SORTS else "name"
    given = tuple(name for name in _FILTERED if getattr(filters, name))
    values = {"competition_id": competition.id,
              **{name: getattr(filters, name) for name in given},
              **{f"word_{i}": pattern for i, pattern in enumerate(patterns or ())}}
    # the patterns' number (None: no one can match) is part of the shape, not their text
    shape = (None if patterns is None else len(patterns), given, sort,
             filters.direction == "desc")
    return _keys_of_shape(shape), values


_FILTERED = ("region_id", "organisation_id", "competency_id", "category_id", "status")


@lru_cache(maxsize=256)
def _keys_of_shape(shape: tuple) -> Select:
    """The keys statement of one shape of the participants' filters, built once: its values
    are bound when it runs (building it and its cache key cost 0.4 ms a request)."""
    words, given, sort, descending = shape
    stmt = _members_of(EntryMember.id, func.count().over())
    if words != 0:
        stmt = stmt.where(name_condition(None if words is None else [""] * words, bound=True))
    conditions = {
        "region_id": lambda: Person.region_id == bindparam("region_id"),
        "organisation_id": lambda: Person.organisation_id == bindparam("organisation_id"),
        "competency_id": lambda: OfferedCompetency.competency_id == bindparam("competency_id"),
        "category_id": lambda: OfferedCategory.category_id == bindparam("category_id"),
    }
    for name in given:
        if name in conditions:
            stmt = stmt.where(conditions[name]())
    if "status" in given or sort == "status":
        stmt = stmt.join(Entry, Entry.id == EntryMember.entry_id)
    if "status" in given:
        stmt = stmt.where(Entry.status == bindparam("status"))
    if sort in _SORT_JOINS:
        stmt = _SORT_JOINS[sort](stmt)
    columns = SORTS[sort]
    if descending:
        columns = tuple(c.desc() for c in columns)
    return paged(stmt.order_by(*columns, Person.identity_key, EntryMember.id))


def participants(competition: Competition, filters: ParticipantFilters, *, page: int,
                 per_page: int):
    """One row per person in an entry: (EntryMember, Entry, Person, Region, Organisation,
    Competency, Category, User who last changed the status). Two queries: the page's
    members in order with their count (joining only what the filters and the sort need),
    then their rows."""
    def rows(ids: list[int]) -> list:
        return db.session.execute(_participant_rows(), {"ids": ids}).all()

    keys, values = _participant_keys(competition, filters)
    return paginate_keys(keys, rows, page, per_page, values)


@prepared
def _participant_rows():
    return (join_contest(
        select(EntryMember, Entry, Person, Region, Organisation, Competency, Category, User)
        .select_from(EntryMember)
        .join(Entry, Entry.id == EntryMember.entry_id)
        .join(Person, Person.id == EntryMember.person_id)
        .join(Region, Region.id == Person.region_id)
        .outerjoin(Organisation, Organisation.id == Person.organisation_id))
        .outerjoin(User, User.id == Entry.status_changed_by_id)
        .where(EntryMember.id.in_(bindparam("ids", expanding=True))))


@dataclass(frozen=True)
class Choice:
    """One choice of a filter: the value sent and what the list shows."""
    id: int
    name: str

    def __str__(self) -> str:
        return self.name


def participant_filter_options(competition: Competition) -> dict:
    """The choices of the filters: only values that occur in this competition. Rows, not
    entities (a national competition has hundreds of organisations). The regions and
    organisations of the participants: their ids (joining only what chooses the members),
    then their names by id, with the competencies offered and the kind's categories, in one
    query: two queries in all."""
    present = db.session.execute(_present_places(), {"competition_id": competition.id}).all()
    names = db.session.execute(_choice_names(), {
        "regions": list({region_id for region_id, _org in present}),
        "organisations": list({org_id for _r, org_id in present if org_id is not None}),
        "competition_id": competition.id, "kind_id": competition.kind_id,
    }).all()
    found: dict[int, list] = {0: [], 1: [], 2: [], 3: []}
    for table, choice_id, name, key, position in names:
        found[table].append((key, position, choice_id, name))
    return {
        "regions": [Choice(i, name) for _k, _p, i, name in sorted(found[0])],
        "organisations": [Choice(i, name) for _k, _p, i, name in sorted(found[1])],
        # by name (case and ё aside, as a person reads it); a code first when there is one
        "competencies": [Choice(i, f"{code} {name}" if code else name) for code, _p, i, name
                         in sorted(found[2], key=lambda c: (name_key(c[3]), c[2]))],
        "categories": [Choice(i, name) for _k, _p, i, name in
                       sorted(found[3], key=lambda c: (c[1], c[2]))],
    }


@prepared
def _present_places():
    return _members_of(Person.region_id, Person.organisation_id).distinct()


@prepared
def _choice_names():
    """(table, id, name, key, position): 0 the regions and 1 the organisations named by id
    (their keys: the name, ``name_key``), 2 the competencies the competition offers (key:
    the code), 3 the categories of its kind (by position)."""
    return union_all(
        select(literal(0), Region.id, Region.name, Region.name, literal(0))
        .where(Region.id.in_(bindparam("regions", expanding=True))),
        select(literal(1), Organisation.id, Organisation.name, Organisation.name_key,
               literal(0))
        .where(Organisation.id.in_(bindparam("organisations", expanding=True))),
        select(literal(2), Competency.id, Competency.name, Competency.code, literal(0))
        .join(OfferedCompetency, OfferedCompetency.competency_id == Competency.id)
        .where(OfferedCompetency.competition_id == bindparam("competition_id")),
        select(literal(3), Category.id, Category.name, Category.name, Category.position)
        .where(Category.kind_id == bindparam("kind_id")))


def entry_members(entry: Entry) -> list:
    return db.session.execute(
        select(EntryMember, Person, Region, Organisation)
        .join(Person, Person.id == EntryMember.person_id)
        .join(Region, Region.id == Person.region_id)
        .outerjoin(Organisation, Organisation.id == Person.organisation_id)
        .where(EntryMember.entry_id == entry.id)
        .order_by(EntryMember.id)
    ).all()


def users_by_id(ids) -> dict[int, User]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


# --- single records for the forms ----------------------------------------------------------

def region(region_id: int | None) -> Region | None:
    return db.session.get(Region, region_id) if region_id else None


def person(person_id: int | None) -> Person | None:
    return db.session.get(Person, person_id) if person_id else None


def persons_by_id(ids: list[int]) -> list[Person]:
    return list(db.session.scalars(select(Person).where(Person.id.in_(ids)))) if ids else []


def health_record(person: Person) -> HealthRecord | None:
    return db.session.get(HealthRecord, person.id)


def offered_in(competition: Competition, offered_id: int | None) -> OfferedCategory | None:
    """The offered category ``offered_id`` if it belongs to ``competition``."""
    if not offered_id:
        return None
    return db.session.scalar(
        select(OfferedCategory).join(OfferedCompetency).where(
            OfferedCategory.id == offered_id,
            OfferedCompetency.competition_id == competition.id,
        )
    )
