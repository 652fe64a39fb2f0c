"""SQLite under concurrent writing requests (registry/sqlite_lock.py): a writing request
takes the write lock when its transaction begins, so a read-then-write never writes on a
stale read nor meets «database is locked»; a transaction of its own in the middle of such
a request (the API rate limits) does not wait for its own request's lock.

The database is the test suite's own file in WAL mode; the threads are real, each with
its own request context, session and connection. Timings are never asserted."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from registry import sqlite_lock
from registry.extensions import db
from registry.models import LoginThrottle
from registry.transaction import own

from .api_helpers import bearer, token_for

pytestmark = pytest.mark.usefixtures("app")
KEY = "test:read-then-write"


@pytest.fixture
def sqlite_only(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")


def _counter(value: int = 0) -> None:
    db.session.add(LoginThrottle(key=KEY, attempts=value, last_at=0.0, blocked_until=0.0))
    db.session.commit()


def _read_then_write(app, steps: dict, first: bool, method: str):
    """A request in the pattern of a score-sheet save: read a value, then write the next
    one. ``first`` reads, lets the other request run its whole read-and-write (up to 2 s),
    and only then writes."""
    def run():
        with app.test_request_context("/api/v1/persons", method=method):
            try:
                app.preprocess_request()
                if not first:
                    steps["first read"].wait(30)
                value = db.session.scalar(
                    select(LoginThrottle.attempts).where(LoginThrottle.key == KEY))
                if first:
                    steps["first read"].set()
                    # before the fix the other one commits meanwhile; with it, it waits
                    steps["second done"].wait(2)
                db.session.execute(update(LoginThrottle).where(LoginThrottle.key == KEY)
                                   .values(attempts=value + 1))
                db.session.commit()
                steps[first] = "ok"
            except Exception as error:  # noqa: BLE001 - reported to the test
                db.session.rollback()
                steps[first] = repr(error)
            finally:
                steps["first read"].set()
                if not first:
                    steps["second done"].set()
                db.session.remove()
    return run


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_writing_requests_that_read_first_queue_instead_of_losing_an_update(app, sqlite_only,
                                                                            method):
    """The second request commits between the first one's read and its write. Left to the
    driver (reads outside any transaction) the first one wrote on its stale read: one update
    lost (n = 1); with reads in a deferred transaction it failed with «database is locked».
    Begun IMMEDIATE, the second waits for the first; both count."""
    _counter()
    steps = {"first read": threading.Event(), "second done": threading.Event()}
    threads = [threading.Thread(target=_read_then_write(app, steps, first, method))
               for first in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
        assert not thread.is_alive(), "a request hung"
    assert (steps[True], steps[False]) == ("ok", "ok")
    db.session.expire_all()
    assert db.session.scalar(
        select(LoginThrottle.attempts).where(LoginThrottle.key == KEY)) == 2


def test_a_get_request_reads_beside_a_writer(app, sqlite_only):
    """A GET keeps the driver's handling: it reads while a writing request holds the lock."""
    _counter(7)
    with app.test_request_context("/api/v1/persons", method="POST"):
        app.preprocess_request()
        db.session.execute(update(LoginThrottle).where(LoginThrottle.key == KEY)
                           .values(attempts=8))  # holds the write lock
        seen = []

        def read():
            with app.test_request_context("/api/v1/persons", method="GET"):
                app.preprocess_request()
                seen.append(db.session.scalar(
                    select(LoginThrottle.attempts).where(LoginThrottle.key == KEY)))
                db.session.remove()

        reader = threading.Thread(target=read)
        reader.start()
        reader.join(60)
        db.session.rollback()
    assert seen == [7]


def test_a_transaction_of_its_own_lets_go_of_a_lock_that_only_read(app, sqlite_only):
    """The API rate limit counts on a transaction of its own after the request has read the
    token: the request's read-only IMMEDIATE transaction ends first instead of making the
    count wait for it until the busy timeout (500 after 15 s, the reverted attempt)."""
    _counter(3)
    with app.test_request_context("/api/v1/persons", method="POST"):
        app.preprocess_request()
        assert db.session.scalar(
            select(LoginThrottle.attempts).where(LoginThrottle.key == KEY)) == 3
        assert sqlite_lock.holds_write_lock(db.session)
        with own() as connection:
            connection.execute(update(LoginThrottle).where(LoginThrottle.key == KEY)
                               .values(attempts=4))
        assert not sqlite_lock.holds_write_lock(db.session)
        # the request goes on, in a new transaction that reads what was committed
        assert db.session.scalar(
            select(LoginThrottle.attempts).where(LoginThrottle.key == KEY)) == 4
        assert sqlite_lock.holds_write_lock(db.session)
        db.session.rollback()


def test_a_transaction_of_its_own_after_the_request_wrote_is_refused_at_once(app,
                                                                             sqlite_only):
    """It would wait for the request's own lock; a programming error, said at once."""
    _counter(3)
    with app.test_request_context("/api/v1/persons", method="POST"):
        app.preprocess_request()
        db.session.execute(update(LoginThrottle).where(LoginThrottle.key == KEY)
                           .values(attempts=5))
        with pytest.raises(RuntimeError, match="write lock"):
            with own():
                pass
        db.session.rollback()


def test_concurrent_api_writes_and_reads_never_meet_a_locked_database(app, sqlite_only):
    """Four API clients at once, each creating persons and listing them: every write takes
    the rate-limit counts (their own transactions) and the token's last use (a GET that
    writes too). Every answer is 201 or 200: no «database is locked», no 500."""
    clients = 4
    secrets = [token_for("organiser")[0] for _ in range(clients)]
    answers: list[list] = [[] for _ in range(clients)]

    def client_job(index: int, barrier: threading.Barrier):
        def run():
            client = app.test_client()
            try:
                barrier.wait(30)
                for n in range(3):
                    person = {"last_name": f"Клиентова{index}", "first_name": f"Анна{n}",
                              "birth_date": "2006-04-12", "region": "Оренбургская область",
                              "organisation": "Оренбургский колледж",
                              "consent_date": "2024-01-10"}
                    answers[index].append(client.post("/api/v1/persons", json=person,
                                                      headers=bearer(secrets[index]))
                                          .status_code)
                    answers[index].append(client.get("/api/v1/persons",
                                                     headers=bearer(secrets[index]))
                                          .status_code)
            except (OperationalError, threading.BrokenBarrierError) as error:
                answers[index].append(repr(error))
        return run

    barrier = threading.Barrier(clients)
    threads = [threading.Thread(target=client_job(i, barrier)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
        assert not thread.is_alive(), "a request hung"
    assert answers == [[201, 200] * 3] * clients
