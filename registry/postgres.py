"""PostgreSQL through psycopg, as the registry uses it: a rollback that keeps the
connection's prepared statements, a ping only for a connection that has been quiet, and a
cursor description made only when it is read.

**Rollback.** psycopg prepares a statement on the server on its fifth run on a connection,
and the server then skips parsing and planning it (a standings query plans in 1-1.4 ms). On
``Connection.rollback()`` psycopg forgets every statement it prepared and sends
``DEALLOCATE ALL``, in case the transaction dropped or changed what they refer to; the
registry's requests never change the schema. Every request answered 4xx rolls back
(``transaction``), and each page on that connection then ran unprepared for five requests
again: on the bench database, the first request after a 404 took 9.8 ms for the person
page (6.7 ms steady) and 16.7 ms for the participants search (11.4 ms).

A prepared statement belongs to the session, not to the transaction: the server keeps it
through a rollback. So the rollback here is sent as a plain command on the libpq
connection (``Connection.pgconn``, psycopg's documented way to send low-level commands):
the statements stay, and psycopg, which reads the transaction status before each query,
begins the next transaction as after its own rollback. Anything unusual (a broken
connection, a command in progress, a failed ROLLBACK) goes through psycopg's own rollback,
which raises what SQLAlchemy knows a lost connection by.

**Ping.** The pool pings a connection before handing it out (``pool_pre_ping``), so that
one the server closed while it lay in the pool (a restart, an idle timeout on the way) is
replaced instead of failing the request: a round trip of its own on every request (0.1-0.2
ms on one machine, more across a network). A connection whose last transaction ended with
the server's answer less than ``PING_AFTER`` seconds ago is handed out without one: it
answered just now, and one lost since is as likely as one lost during the request, which
SQLAlchemy reports and replaces (with every connection of the pool opened before) either
way. On a busy server every request finds such a connection; one quiet for longer is pinged.

**Description.** psycopg makes the ``Column`` objects of ``cursor.description`` again at
each reading (1.4 µs a column; a person page reads 163 of them, 0.2 ms). SQLAlchemy reads
the description after every query, and once it has the result's columns for a statement
(``Compiled._cached_metadata``), only whether there is one. ``Cursor.description`` here is
a sequence of the same columns made when an item is first read.

``register()`` makes ``postgresql+psycopg://`` URLs use this dialect in this process.
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from types import SimpleNamespace

import psycopg
from psycopg import pq
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

_IN_TRANSACTION = (pq.TransactionStatus.INTRANS, pq.TransactionStatus.INERROR)
# what psycopg's own description reads as a result with columns
_TUPLES = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.SINGLE_TUPLE, pq.ExecStatus.TUPLES_CHUNK)
PING_AFTER = 1.0  # seconds since the connection's last answer before the pool pings it
_ANSWERED = "_registry_answered"  # set on psycopg's connection: monotonic time of its answer


class Description(Sequence):
    """``cursor.description`` of one result: its length known at once, its ``Column``
    objects (psycopg's) made when one is first read, from the result it was made for."""

    __slots__ = ("_cursor", "_result", "_columns")

    def __init__(self, cursor: psycopg.Cursor, result):
        self._cursor, self._result, self._columns = cursor, result, None

    def _made(self) -> list:
        if self._columns is None:
            cursor = self._cursor
            if cursor.pgresult is not self._result:  # the cursor has run another query since
                cursor = SimpleNamespace(pgresult=self._result, _encoding=cursor._encoding,
                                         adapters=cursor.adapters)
            self._columns = [psycopg.Column(cursor, index)
                             for index in range(self._result.nfields)]
        return self._columns

    def __len__(self) -> int:
        return self._result.nfields

    def __getitem__(self, index):
        return self._made()[index]

    def __iter__(self):
        return iter(self._made())

    def __repr__(self) -> str:
        return repr(self._made())


class Cursor(psycopg.Cursor):
    @property
    def description(self) -> Description | None:
        result = self.pgresult
        if result and (result.nfields or result.status in _TUPLES):
            return Description(self, result)
        return None


def _answered(connection) -> None:
    raw = getattr(connection, "dbapi_connection", connection)  # the pool's proxy or psycopg's
    setattr(raw, _ANSWERED, time.monotonic())


class Dialect(PGDialect_psycopg):
    supports_statement_cache = True  # as the dialect it extends (SQLAlchemy asks each class)

    def create_connect_args(self, url):
        args, kwargs = super().create_connect_args(url)
        kwargs.setdefault("cursor_factory", Cursor)  # connect_args given win
        return args, kwargs

    def do_ping(self, dbapi_connection) -> bool:
        answered = getattr(dbapi_connection, _ANSWERED, None)
        if answered is not None and time.monotonic() - answered < PING_AFTER:
            return True
        alive = super().do_ping(dbapi_connection)
        _answered(dbapi_connection)
        return alive

    def do_commit(self, dbapi_connection) -> None:
        super().do_commit(dbapi_connection)
        _answered(dbapi_connection)

    def do_rollback(self, dbapi_connection) -> None:
        pgconn = dbapi_connection.pgconn
        if pgconn.transaction_status == pq.TransactionStatus.IDLE:
            return
        if (pgconn.transaction_status in _IN_TRANSACTION
                and getattr(dbapi_connection, "_pipeline", None) is None):
            with dbapi_connection.lock:
                try:
                    result = pgconn.exec_(b"ROLLBACK")
                except Exception:  # noqa: BLE001 (psycopg's own rollback reports it)
                    result = None
            if (result is not None and result.status == pq.ExecStatus.COMMAND_OK
                    and pgconn.transaction_status == pq.TransactionStatus.IDLE):
                _answered(dbapi_connection)
                return
        dbapi_connection.rollback()
        _answered(dbapi_connection)


def register() -> None:
    registry.register("postgresql.psycopg", __name__, "Dialect")
