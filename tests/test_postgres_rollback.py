"""On PostgreSQL a rollback keeps the connection's prepared statements (``registry.postgres``):
psycopg's own forgot them all and sent DEALLOCATE ALL, so that every request answered 4xx
sent the pages on its connection back to parsing and planning each statement."""
from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import bindparam, create_engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from registry import postgres
from registry.extensions import db
from registry.models import Region


@pytest.fixture
def engine(app):
    """A connection of its own each time: the application's pooled ones hold a hundred
    prepared statements from other tests, which psycopg evicts as new ones come."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("prepared statements on the server: PostgreSQL only")
        assert isinstance(db.engine.dialect, postgres.Dialect)
        own = create_engine(db.engine.url, poolclass=NullPool, pool_pre_ping=True)
        yield own
        own.dispose()


def _server_prepared(conn) -> set[str]:
    return set(conn.exec_driver_sql("SELECT name FROM pg_prepared_statements").scalars())


def test_a_rollback_keeps_the_statements_prepared_on_the_connection(engine):
    query = select(Region.name).where(Region.id == bindparam("id"))
    region_id = None
    with engine.connect() as conn:
        region_id = conn.execute(select(Region.id).limit(1)).scalar_one()
        for _ in range(6):  # psycopg prepares on the fifth run
            name = conn.execute(query, {"id": region_id}).scalar_one()
        before = _server_prepared(conn)
        assert before
        conn.rollback()
        assert before <= _server_prepared(conn)
        # psycopg still runs the statement by its prepared name: it answers as before
        assert conn.execute(query, {"id": region_id}).scalar_one() == name
        assert before <= _server_prepared(conn)


def test_the_rollback_still_undoes_what_the_transaction_did(engine):
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        conn.execute(text("CREATE TEMPORARY TABLE rollback_probe (n int)"))
        conn.commit()
        conn.execute(text("INSERT INTO rollback_probe VALUES (1)"))
        assert raw.pgconn.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        conn.rollback()
        assert raw.pgconn.transaction_status == psycopg.pq.TransactionStatus.IDLE
        assert conn.execute(text("SELECT count(*) FROM rollback_probe")).scalar_one() == 0
        # a failed statement (the transaction in error) is rolled back as well
        with pytest.raises(DBAPIError):
            conn.execute(text("SELECT 1 / 0"))
        assert raw.pgconn.transaction_status == psycopg.pq.TransactionStatus.INERROR
        conn.rollback()
        assert conn.execute(text("SELECT 2")).scalar_one() == 2


def test_a_lost_connection_is_still_reported_and_replaced(engine):
    with engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            other.commit()
        with pytest.raises(DBAPIError) as caught:
            conn.rollback()
        assert caught.value.connection_invalidated
    with engine.connect() as fresh:  # the pool hands out a working connection
        assert fresh.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid


def test_a_request_answered_404_leaves_the_statements_prepared(engine, client, login):
    # a connection of the application's own pool that has served nothing else (one that
    # served the other tests holds a hundred statements, which psycopg evicts in turn)
    db.engine.dispose()
    login(client, "coordinator")
    for _ in range(6):
        assert client.get("/competitions/").status_code == 200
    with db.engine.connect() as conn:  # the pool hands out the connection returned last
        before = _server_prepared(conn)
    assert len(before) >= 3  # the page's statements, prepared on their fifth run
    assert client.get("/persons/999999999").status_code == 404
    with db.engine.connect() as conn:
        after = _server_prepared(conn)
    assert before <= after  # psycopg's own rollback left none
