"""Login throttling that slows the attacker, not the owner.

Two counters decide, both in the database (shared by every worker and instance):

- one per account **and** address (``a:<e-mail as the login compares it>|<address>``):
  ``PAIR_FREE`` failures go by, then each further attempt must wait twice as long as the one
  before (1 s, 2 s, 4 s … up to ``MAX_HOLD``). The owner logging in from another address is
  not affected by failures elsewhere; nobody can lock an account for everyone.
- one per address (``i:<address>``), with ``ADDRESS_FREE`` failures, for one address that
  tries many accounts; successful logins do not count, so an office behind one proxy is not
  locked out by its own users.

A counter that has not moved for ``WINDOW`` seconds starts again from zero. An attempt first
*claims* its counters with one conditional ``UPDATE … WHERE blocked_until <= now RETURNING``:
the row lock (PostgreSQL) or the write lock (SQLite) makes parallel guesses take turns, so
they cannot overrun the limit. A refused attempt does not check the password at all.
"""
from __future__ import annotations

import time

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from ..models import LoginThrottle

PAIR_FREE = 5
ADDRESS_FREE = 30
MAX_HOLD = 15 * 60.0
WINDOW = 15 * 60.0


def pair_key(email: str, ip: str) -> str:
    return f"a:{email}|{ip}"[:400]


def address_key(ip: str) -> str:
    return f"i:{ip}"[:400]


def _hold(attempts, free: int):
    """Seconds the next attempt must wait once ``attempts`` have been made (SQL)."""
    steps = [(attempts < free, 0.0)]
    steps += [(attempts == free + n, float(2 ** n)) for n in range(10)]
    return case(*steps, else_=MAX_HOLD)


def _ensure(key: str) -> None:
    dialect = db.engine.dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(LoginThrottle).values(key=key, attempts=0, last_at=0.0,
                                                    blocked_until=0.0)
                       .on_conflict_do_nothing(index_elements=["key"]))


def claim(key: str, free: int, now: float | None = None) -> float:
    """Count one attempt on ``key``; 0 when it may go ahead, else the seconds to wait."""
    now = time.time() if now is None else now
    _ensure(key)
    attempts = case((LoginThrottle.last_at < now - WINDOW, 1),
                    else_=LoginThrottle.attempts + 1)
    claimed = db.session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key, LoginThrottle.blocked_until <= now)
        .values(attempts=attempts, last_at=now, blocked_until=now + _hold(attempts, free))
        .returning(LoginThrottle.attempts)
        .execution_options(synchronize_session=False)).first()
    if claimed is not None:
        return 0.0
    blocked_until = db.session.scalar(
        select(LoginThrottle.blocked_until).where(LoginThrottle.key == key))
    return max(1.0, (blocked_until or now) - now)


def succeeded(email: str, ip: str) -> None:
    """The right password: the pair starts again; the address does not count this one."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == pair_key(email, ip)))
    db.session.execute(
        update(LoginThrottle).where(LoginThrottle.key == address_key(ip),
                                    LoginThrottle.attempts > 0)
        .values(attempts=LoginThrottle.attempts - 1,
                blocked_until=case((LoginThrottle.attempts - 1 < ADDRESS_FREE, 0.0),
                                   else_=LoginThrottle.blocked_until))
        .execution_options(synchronize_session=False))


def release(key: str, free: int) -> None:
    """Give back the attempt just claimed on ``key`` (it turned out to be a good one); the
    hold is lifted only when the counter is back under its ``free`` attempts."""
    db.session.execute(
        update(LoginThrottle).where(LoginThrottle.key == key, LoginThrottle.attempts > 0)
        .values(attempts=LoginThrottle.attempts - 1,
                blocked_until=case((LoginThrottle.attempts - 1 < free, 0.0),
                                   else_=LoginThrottle.blocked_until))
        .execution_options(synchronize_session=False))
