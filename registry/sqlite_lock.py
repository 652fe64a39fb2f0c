"""SQLite: a writing request takes the write lock when its transaction begins.

Left to itself the driver runs a transaction's reads outside any transaction and begins a
deferred one just before the first INSERT or UPDATE: a request that reads and then writes
(an expert's score-sheet save) writes on what it read while another connection may have
committed in between. Reads inside a deferred transaction are no better: once another
writer has committed after them, the first write fails at once with «database is locked»
(SQLITE_BUSY_SNAPSHOT; the busy timeout is not waited out, since waiting cannot help).

So the session of a request of a writing method (POST, PUT, PATCH, DELETE) turns the
driver's transaction handling off and begins with ``BEGIN IMMEDIATE`` (SQLAlchemy's pysqlite
recipe): it takes the write lock before its first read, waiting (busy timeout) for the
writer before it. Everything else keeps the driver's handling: GET/HEAD/OPTIONS requests
(readers beside the writer, WAL; a GET that writes, such as the diploma check's rate limit,
begins its write on a fresh transaction, which waits), CLI commands, jobs, migrations, and
every connection other than the request's session.

A transaction of its own during such a request (``transaction.own``: the API rate limits,
an upload discarded whatever the request's outcome) would wait for its own request's lock:
a self-deadlock until the busy timeout. ``release_for_own`` ends the session's transaction
first when it has written nothing (it only read: the next query begins a new one, with the
lock), and refuses at once when it has written. PostgreSQL is untouched.
"""
from __future__ import annotations

import sqlite3

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db

READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_FLAG = "_sqlite_immediate"      # on ``g``: this request's session begins IMMEDIATE
_HOLDS = "sqlite_write_lock"     # in ``session.info``: total_changes when it was taken


def _dbapi(connection) -> sqlite3.Connection | None:
    raw = connection.connection.driver_connection
    return raw if isinstance(raw, sqlite3.Connection) else None


@event.listens_for(Engine, "begin")
def _driver_default(connection):
    """Every transaction but a writing request's session's: the driver's own handling (a
    pooled connection may come back from an IMMEDIATE one with it turned off)."""
    raw = _dbapi(connection)
    if raw is not None and raw.isolation_level is None:
        raw.isolation_level = ""


def _after_begin(session, transaction, connection) -> None:
    if not (has_request_context() and g.get(_FLAG)):
        return
    raw = _dbapi(connection)
    if raw is None or raw.in_transaction:
        return
    raw.isolation_level = None
    connection.exec_driver_sql("BEGIN IMMEDIATE")
    session.info[_HOLDS] = raw.total_changes


def _after_end(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_HOLDS, None)


def holds_write_lock(session) -> bool:
    return _HOLDS in session.info


def release_for_own(session) -> None:
    """Before a transaction of its own: end the session's IMMEDIATE transaction if it has
    written nothing; a RuntimeError if it has (that transaction would wait for this one)."""
    if not holds_write_lock(session):
        return
    raw = _dbapi(session.connection())
    wrote = raw is not None and raw.total_changes != session.info[_HOLDS]
    if wrote or session.new or session.dirty or session.deleted:
        raise RuntimeError("a transaction of its own while this request's session holds "
                           "SQLite's write lock and has written: it would wait for itself")
    session.rollback()  # it only read; the next query takes the lock again


_listening = False


def init_app(app) -> None:
    global _listening

    def _mark_writing_request():
        if request.method not in READING_METHODS:
            g.setdefault(_FLAG, True)

    # first of all: before any other hook reads (the logged-in user, the CSRF check)
    app.before_request_funcs.setdefault(None, []).insert(0, _mark_writing_request)

    @app.teardown_request
    def _unmark(error):
        g.pop(_FLAG, None)

    if not _listening:
        event.listen(db.session, "after_begin", _after_begin)
        event.listen(db.session, "after_transaction_end", _after_end)
        _listening = True
