"""Registry numbers of persons: «П-000123». The number is taken from the ``counters`` table
when a person is created (``models.people.take_numbers``), never reused, and kept by the
survivor of a merge; the number of a person merged away leads to the survivor
(``PersonRedirect``)."""
from __future__ import annotations

import re

from sqlalchemy import select

from ..extensions import db
from ..models import Person, PersonRedirect, take_numbers

PREFIX = "П"
DIGITS = 6
# «П-000123», «п 123», «P-123» (a Latin look-alike), «000123», «123»
_NUMBER = re.compile(r"^\s*(?:[ПпPp]\s*[-–—]?\s*)?0*(\d{1,12})\s*$")


def format_number(number: int | None) -> str:
    if number is None:
        return ""
    return f"{PREFIX}-{number:0{DIGITS}d}"


def parse_number(text: str | None) -> int | None:
    """The number in ``text`` as people type it, or None when it is not one."""
    match = _NUMBER.match(text or "")
    if match is None:
        return None
    value = int(match.group(1))
    return value if 0 < value < 2**31 else None


def looks_like_number(text: str | None) -> bool:
    """A search for «П-000123» or «П123» (digits alone are not taken for a number)."""
    return bool(text) and text.strip()[:1] in "ПпPp" and parse_number(text) is not None


def allocate(count: int) -> range:
    """``count`` new numbers, in the current transaction (for bulk inserts of persons)."""
    return take_numbers(db.session.connection(), count) if count else range(0)


def find_by_number(number: int) -> tuple[Person | None, bool]:
    """The person who has or had this number, and whether it came through a merge."""
    person = db.session.scalar(select(Person).where(Person.number == number))
    if person is not None:
        return person, False
    survivor_id = db.session.scalar(
        select(PersonRedirect.survivor_id).where(PersonRedirect.number == number))
    return (db.session.get(Person, survivor_id), True) if survivor_id else (None, False)


def survivor_of(person_id: int) -> int | None:
    """The person a merged-away person id now leads to, or None."""
    return db.session.scalar(
        select(PersonRedirect.survivor_id).where(PersonRedirect.person_id == person_id))


def numbers_of(numbers: set[int]) -> dict[int, int]:
    """Number → id of the person who has it now (directly or through a merge)."""
    if not numbers:
        return {}
    found = dict(db.session.execute(
        select(Person.number, Person.id).where(Person.number.in_(sorted(numbers)))).all())
    rest = sorted(numbers - set(found))
    if rest:
        found.update(db.session.execute(
            select(PersonRedirect.number, PersonRedirect.survivor_id)
            .where(PersonRedirect.number.in_(rest))).all())
    return found
