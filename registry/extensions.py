"""Flask extensions, created unbound and initialised in ``create_app``."""
import os
import sqlite3

from flask import has_request_context, request
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine

# Deterministic constraint names, so that migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()


# Requests of these methods only read (see ``_sqlite_begin``).
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite checks foreign keys only when asked, per connection; WAL lets readers run
    beside a writer, and the busy timeout makes a second writer wait instead of failing
    (and ``_sqlite_begin`` makes a writing request take the write lock first)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA journal_mode=WAL")
        files = [row[2] for row in cursor.execute("PRAGMA database_list") if row[2]]
        cursor.close()
        private(*files)


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    """A request that writes begins its SQLite transaction with the write lock.

    Left to itself the driver runs the reads outside any transaction and begins a
    deferred one just before the first INSERT or UPDATE. A request that reads and then
    writes (an expert's score-sheet save: the sheet and its version, then the marks) thus
    writes on what it read, while another connection may have committed in between; and
    a deferred transaction that has read cannot take the write lock once another writer
    has committed after its read: SQLITE_BUSY_SNAPSHOT, «database is locked» at once, the
    busy timeout not waited out since waiting could not help. 7 of 76 saves failed so
    under the closed-loop load test.

    So a request of a writing method (POST, PUT, PATCH, DELETE) turns the driver's
    transaction handling off for its transaction and begins with BEGIN IMMEDIATE
    (SQLAlchemy's documented pysqlite recipe): it takes the write lock before its first
    read, waiting (busy timeout) for the writer before it, then reads what that writer
    committed. SQLite serialises writers anyway; they now queue at their start instead of
    failing at their first write. Everything else (GET, HEAD, OPTIONS, CLI commands, jobs,
    migrations) keeps the driver's own handling: readers run beside the writer (WAL), and
    a thread that holds a transaction while it waits for another does not stop every
    writer. PostgreSQL is untouched (the listener returns for other drivers)."""
    dbapi_connection = connection.connection.driver_connection
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    if has_request_context() and request.method not in READING_METHODS:
        dbapi_connection.isolation_level = None
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        dbapi_connection.isolation_level = ""  # the driver's default: a deferred BEGIN


def private(*database_files: str) -> None:
    """The database holds password hashes and health data: its file, WAL and shared-memory
    index are the owner's only (0600), whatever the umask made of them."""
    for name in database_files:
        for path in (name, name + "-wal", name + "-shm"):
            try:
                if os.stat(path).st_mode & 0o077:
                    os.chmod(path, 0o600)
            except FileNotFoundError:
                continue
