"""Rate limits of the API, per token and per client address, shared by every worker and
instance: the counters are rows of ``login_throttles`` (the table of ``services/throttle.py``,
under keys of their own: ``api:t:<token id>``, ``api:i:<address>``).

A fixed window: the first request after ``window`` seconds starts the count again
(``last_at`` holds the window's start). The count is taken with one conditional
``UPDATE … RETURNING`` (the row lock, or SQLite's write lock, makes parallel requests take
turns) on a connection and transaction of its own, committed at once: a refused or failed
request (4xx, which rolls the request's own transaction back) still counts, or a flood of
bad tokens would never be slowed down.
"""
from __future__ import annotations

import math
import time

from flask import current_app
from sqlalchemy import case, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .. import transaction
from ..extensions import db
from ..models import LoginThrottle

DEFAULT_TOKEN_LIMIT = 300     # requests per window per token
DEFAULT_ADDRESS_LIMIT = 600   # requests per window per address (all tokens, and none)
DEFAULT_WINDOW = 60.0


def token_key(token_id: int) -> str:
    return f"api:t:{token_id}"


def address_key(ip: str) -> str:
    return f"api:i:{ip}"[:400]


def limits() -> tuple[int, int, float]:
    config = current_app.config
    return (int(config.get("API_RATE_LIMIT_TOKEN", DEFAULT_TOKEN_LIMIT)),
            int(config.get("API_RATE_LIMIT_ADDRESS", DEFAULT_ADDRESS_LIMIT)),
            float(config.get("API_RATE_WINDOW", DEFAULT_WINDOW)))


def hit(key: str, limit: int, window: float, now: float | None = None) -> float:
    """Count one request on ``key``: 0 when it may go ahead, else the seconds to wait."""
    return hit_all([(key, limit)], window, now)


def hit_all(counters: list[tuple[str, int]], window: float, now: float | None = None) -> float:
    """Count one request on each ``(key, limit)``, in one transaction of its own (one commit,
    one disk sync on SQLite): 0 when every counter allows it, else the longest wait."""
    now = time.time() if now is None else now
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    expired = LoginThrottle.last_at <= now - window
    wait = 0.0
    with transaction.own() as connection:
        for key, limit in counters:
            connection.execute(insert(LoginThrottle).values(key=key, attempts=0, last_at=0.0,
                                                            blocked_until=0.0)
                               .on_conflict_do_nothing(index_elements=["key"]))
            attempts, started = connection.execute(
                update(LoginThrottle).where(LoginThrottle.key == key)
                .values(attempts=case((expired, 1), else_=LoginThrottle.attempts + 1),
                        last_at=case((expired, now), else_=LoginThrottle.last_at))
                .returning(LoginThrottle.attempts, LoginThrottle.last_at)).one()
            if attempts > limit:
                wait = max(wait, 1.0, math.ceil(started + window - now))
    return wait
