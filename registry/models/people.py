"""Persons, organisations, entries and teams."""
from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    String,
    UniqueConstraint,
    insert,
    update,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, name_key, utcnow
from .competitions import OfferedCategory
from .reference import Region
from .users import User

ORGANISATION_KINDS = ("educational", "employer", "other")
ENTRY_STATUSES = ("registered", "withdrawn", "disqualified")


class Organisation(Model):
    """An educational organisation (техникум, колледж, school) or an employer, in a region."""

    __tablename__ = "organisations"
    __table_args__ = (
        UniqueConstraint("region_id", "name_key"),
        CheckConstraint("kind IN ('educational', 'employer', 'other')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    name_key: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20), default="educational")
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)

    region: Mapped[Region] = relationship()

    def set_name(self, name: str) -> None:
        self.name = " ".join(name.split())
        self.name_key = organisation_key(name)

    def __str__(self) -> str:
        return self.name


# Quotes of every style («», "", „“, ‘’, '') say nothing about which organisation is meant.
_QUOTES = re.compile("[\"'«»„“”‟‘’‚‛`]")


def organisation_key(name: str | None) -> str:
    """The form in which organisation names are compared (one rule, used everywhere): as
    ``name_key`` (case, ё/е, dashes, spaces) and without quotes of any style."""
    return name_key(_QUOTES.sub(" ", name or ""))


def person_key(last_name: str, first_name: str, middle_name: str | None, birth_date: date) -> str:
    """The identity of a person across stages and years (one rule, used everywhere)."""
    return "|".join(
        (name_key(last_name), name_key(first_name), name_key(middle_name), birth_date.isoformat())
    )


class Counter(Model):
    """A named counter that only grows (``persons``: the registry numbers). Taken with one
    ``UPDATE … RETURNING``, which works alike on SQLite and PostgreSQL and, unlike max(id)+1,
    never hands out a number again after its person was merged away."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


PERSON_NUMBERS = "persons"


def take_numbers(connection, count: int = 1) -> range:
    """``count`` new numbers of the ``persons`` counter, in the caller's transaction."""
    table = Counter.__table__
    last = connection.execute(
        update(table).where(table.c.name == PERSON_NUMBERS)
        .values(value=table.c.value + count).returning(table.c.value)).scalar()
    if last is None:  # a database made without the migration's first row
        connection.execute(insert(table).values(name=PERSON_NUMBERS, value=count))
        last = count
    return range(last - count + 1, last + 1)


def _next_number(context) -> int:
    return take_numbers(context.connection)[0]


class Person(Model):
    """A participant: one record across stages and seasons."""

    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The registry number (shown as П-000123, ``services.person_numbers``): taken from the
    # ``counters`` table when the person is created, never reused, kept on a merge.
    number: Mapped[int] = mapped_column(unique=True, default=_next_number)
    last_name: Mapped[str] = mapped_column(String(100), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[date]
    identity_key: Mapped[str] = mapped_column(String(330), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    # 152-ФЗ: consent to processing personal data; for minors a parent's or guardian's.
    consent_date: Mapped[date | None]
    guardian_name: Mapped[str | None] = mapped_column(String(300))
    guardian_consent_date: Mapped[date | None]
    # «Согласие на публикацию результатов»: the full name on public pages
    # (``services.public_names``); for a minor, the guardian's.
    publication_consent: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    guardian_publication_consent: Mapped[bool] = mapped_column(
        default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    region: Mapped[Region] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    def refresh_identity(self) -> None:
        self.identity_key = person_key(
            self.last_name, self.first_name, self.middle_name, self.birth_date
        )

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    def age_on(self, day: date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    def __str__(self) -> str:
        return self.full_name


class HealthRecord(Model):
    """Special-category data (disability group of an Абилимпикс participant).

    Kept in its own table so that no participant query or export joins it by accident;
    read only through the permission ``health.view``.
    """

    __tablename__ = "health_records"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True
    )
    disability_group: Mapped[str | None] = mapped_column(String(50))
    notes: Mapped[str | None] = mapped_column(String(1000))
    written_consent_date: Mapped[date]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Entry(Model):
    """A person, or a team of persons, in one competition, competency and category."""

    __tablename__ = "entries"
    __table_args__ = (
        UniqueConstraint("offered_category_id", "team_name"),
        UniqueConstraint("id", "offered_category_id"),
        CheckConstraint(
            "status IN ('registered', 'withdrawn', 'disqualified')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offered_category_id: Mapped[int] = mapped_column(
        ForeignKey("offered_categories.id"), index=True
    )
    team_name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="registered")
    status_reason: Mapped[str | None] = mapped_column(String(500))
    # «вне конкурса»: marked and shown, never placed nor awarded (services.results)
    out_of_competition: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    status_changed_at: Mapped[datetime | None]
    status_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    offered_category: Mapped[OfferedCategory] = relationship()
    members: Mapped[list[EntryMember]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="EntryMember.id"
    )
    status_changed_by: Mapped[User | None] = relationship(foreign_keys=[status_changed_by_id])

    @property
    def is_team(self) -> bool:
        return self.team_name is not None


class EntryMember(Model):
    """A person in an entry. ``offered_category_id`` repeats the entry's, so that the database
    itself refuses a second entry of one person in one competition, competency and category."""

    __tablename__ = "entry_members"
    __table_args__ = (
        UniqueConstraint("offered_category_id", "person_id"),
        ForeignKeyConstraint(
            ["entry_id", "offered_category_id"],
            ["entries.id", "entries.offered_category_id"],
            ondelete="CASCADE",
            name="fk_entry_members_entry",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(index=True)
    offered_category_id: Mapped[int]
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)

    entry: Mapped[Entry] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()


class PersonRedirect(Model):
    """A person merged into another: its id and number lead to the survivor
    (``services.person_merge``); deleted again when the merge is undone."""

    __tablename__ = "person_redirects"

    person_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    number: Mapped[int] = mapped_column(unique=True)
    survivor_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DistinctPersons(Model):
    """Two persons an organiser said are not the same: not offered as duplicates again.
    ``first_id`` < ``second_id``."""

    __tablename__ = "distinct_persons"
    __table_args__ = (CheckConstraint("first_id < second_id", name="order"),)

    first_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True)
    second_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True, index=True)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)


class DistinctOrganisations(Model):
    """Two organisations an organiser said are not the same (as ``DistinctPersons``)."""

    __tablename__ = "distinct_organisations"
    __table_args__ = (CheckConstraint("first_id < second_id", name="order"),)

    first_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    second_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)
