"""What the demo generator's parts share: constants, the records it keeps of what it made
(persons, entries, offered categories), and the bulk writer that buffers rows and writes them
with Core inserts, ids computed here (from the tables' maxima; on PostgreSQL the sequences are
moved past them afterwards)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import insert, text

from ..extensions import db
from ..models import take_numbers

SEASON = 2024
NEXT_SEASON = SEASON + 1
CENT = Decimal("0.01")
BATCH = 20_000
ORENBURG = "56"


class DemoRefused(Exception):
    """The database cannot take demo data (the reference data is missing)."""


@dataclass
class Report:
    created: dict[str, int] = field(default_factory=dict)
    accounts: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class PersonRef:
    id: int
    birth: date
    region_code: str
    org_id: int | None
    gender: str
    last_name: str
    first_name: str


@dataclass
class EntryRef:
    id: int
    oc_id: int           # offered category
    members: list[PersonRef]
    team_name: str | None
    status: str
    skill: float
    region_code: str
    total: Decimal | None = None
    rank: int | None = None
    award: str | None = None
    award_id: int | None = None


@dataclass
class Offered:
    id: int              # offered category id
    occ_id: int          # offered competency id
    competency: tuple    # (id, name, is_team)
    category: tuple      # (id, name, min_age, position)
    entries: list[EntryRef] = field(default_factory=list)


def _d(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0)


class Bulk:
    """Rows buffered per table and written in batches, parents before children."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)
        self.next_id: dict[str, int] = {}

    def new_id(self, table: str) -> int:
        if table not in self.next_id:
            current = db.session.execute(text(f"SELECT MAX(id) FROM {table}")).scalar()
            self.next_id[table] = (current or 0) + 1
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def add(self, table: str, row: dict) -> None:
        self.rows[table].append(row)
        self.counts[table] += 1
        if len(self.rows[table]) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write what is buffered, parents before children."""
        for table in db.metadata.sorted_tables:
            rows = self.rows.pop(table.name, None)
            if rows and table.name == "persons":
                # registry numbers in one block from the counter, not one UPDATE per row
                for row, number in zip(rows, take_numbers(db.session.connection(), len(rows)),
                                       strict=True):
                    row.setdefault("number", number)
            if rows:
                for start in range(0, len(rows), BATCH):
                    db.session.execute(insert(table), rows[start:start + BATCH])

    def sync_sequences(self) -> None:
        """PostgreSQL: move each id sequence past the ids written here."""
        if db.engine.dialect.name != "postgresql":
            return
        for table in self.next_id:
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"GREATEST((SELECT MAX(id) FROM {table}), 1))"))
