"""PostgreSQL through psycopg, as the registry uses it: a rollback that keeps the
connection's prepared statements.

psycopg prepares a statement on the server on its fifth run on a connection, and the
server then skips parsing and planning it (a standings query plans in 1-1.4 ms). On
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

``register()`` makes ``postgresql+psycopg://`` URLs use this dialect in this process.
"""
from __future__ import annotations

from psycopg import pq
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

_IN_TRANSACTION = (pq.TransactionStatus.INTRANS, pq.TransactionStatus.INERROR)


class Dialect(PGDialect_psycopg):
    supports_statement_cache = True  # as the dialect it extends (SQLAlchemy asks each class)

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
                return
        dbapi_connection.rollback()


def register() -> None:
    registry.register("postgresql.psycopg", __name__, "Dialect")
