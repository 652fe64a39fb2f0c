"""PostgreSQL connections as ``registry.postgres`` hands them out: no ping for a connection
that answered less than ``PING_AFTER`` seconds ago, a ping (and a working connection in
place of a lost one) after; a cursor description made when it is read, the same as
psycopg's own."""
from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.exc import DBAPIError

from registry import postgres
from registry.extensions import db


@pytest.fixture
def url(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the PostgreSQL dialect: PostgreSQL only")
        assert isinstance(db.engine.dialect, postgres.Dialect)
        return db.engine.url


@pytest.fixture
def pings(monkeypatch):
    """The pings the pool sends (psycopg's dialect's own ``do_ping``, which ours calls)."""
    sent = []
    original = PGDialect_psycopg.do_ping

    def counted(self, dbapi_connection):
        sent.append(dbapi_connection)
        return original(self, dbapi_connection)

    monkeypatch.setattr(PGDialect_psycopg, "do_ping", counted)
    return sent


@pytest.fixture
def engine(url):
    own = create_engine(url, pool_pre_ping=True, pool_size=1, max_overflow=0)
    yield own
    own.dispose()


def _pid(engine) -> int:
    with engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        conn.commit()
    return pid


def _terminate(url, pid: int) -> None:
    """The server ends the connection ``pid`` (as a restart would), from another one."""
    other = create_engine(url)
    with other.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        conn.commit()
    other.dispose()


def test_a_connection_that_just_answered_is_handed_out_without_a_ping(engine, pings,
                                                                      monkeypatch):
    first = _pid(engine)  # a fresh connection: the pool pings none
    assert pings == []
    assert _pid(engine) == first  # it answered the commit just now: no ping
    assert pings == []
    monkeypatch.setattr(postgres, "PING_AFTER", 0.0)  # quiet for longer than allowed
    assert _pid(engine) == first
    assert len(pings) == 1


def test_a_connection_lost_while_quiet_is_replaced_by_the_ping(engine, url, pings,
                                                               monkeypatch):
    lost = _pid(engine)
    _terminate(url, lost)
    monkeypatch.setattr(postgres, "PING_AFTER", 0.0)
    assert _pid(engine) != lost  # pinged, found lost, replaced: the request does not fail
    assert pings


def test_a_connection_lost_within_the_window_fails_once_and_is_replaced(engine, url):
    lost = _pid(engine)
    _terminate(url, lost)
    # handed out unpinged (it answered just now): the query reports the lost connection,
    # as one lost during a request would be
    with pytest.raises(DBAPIError) as caught, engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert caught.value.connection_invalidated
    assert _pid(engine) != lost


def test_the_description_is_psycopgs_own_made_when_read(url):
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, cursor_factory=postgres.Cursor) as ours, \
            psycopg.connect(dsn) as theirs:
        query = "SELECT 1 AS n, 'a'::text AS word, now() AS at, NULL::numeric(5, 2) AS points"
        cursor, plain = ours.cursor(), theirs.cursor()
        cursor.execute(query)
        plain.execute(query)
        description = cursor.description
        assert isinstance(description, postgres.Description)
        assert description._columns is None  # nothing made yet
        assert len(description) == 4
        expected = [tuple(column) for column in plain.description]
        assert [tuple(column) for column in description] == expected
        assert description[1].name == "word" and description[-1].type_code == 1700
        # read after the cursor ran another query: still the first result's columns
        stale = cursor.description
        cursor.execute("SELECT 2 AS other")
        assert [column.name for column in stale] == ["n", "word", "at", "points"]
        assert [column.name for column in cursor.description] == ["other"]
        # a command returns no rows: no description, as psycopg's
        cursor.execute("SET search_path TO public")
        plain.execute("SET search_path TO public")
        assert cursor.description is None and plain.description is None
        cursor.execute("SELECT")  # no columns but rows: an empty description, as psycopg's
        plain.execute("SELECT")
        assert cursor.description is not None and len(cursor.description) == 0
        assert list(plain.description) == []


def test_the_application_cursors_are_the_registrys(app, url):
    with app.app_context(), db.engine.connect() as conn:
        assert isinstance(conn.connection.dbapi_connection.cursor(), postgres.Cursor)
