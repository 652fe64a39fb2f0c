"""The job runner: huey (https://github.com/coleifer/huey) with its SQL storage, on the
application's own database (SQLite or PostgreSQL, through peewee), so no other server.

Why huey: a small, long-maintained queue (since 2011, releases through 2026) whose SQL storage
dequeues atomically (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite),
with retries, an immediate mode for tests and a consumer that runs as its own process
(``flask jobs worker``) or as threads inside the web process (``make run``). Its tables
(``huey_task``, ``huey_schedule``, ``huey_kv``, ``huey_counter``) are created by the migration
``0017_stored_uploads_jobs``, like every other table. The alternatives: procrastinate,
pgqueuer and dramatiq-pg need PostgreSQL; RQ, SAQ and Celery need Redis or a broker;
APScheduler 3 has no shared queue (every instance would run every job).
"""
from __future__ import annotations

import logging

from huey import Huey as BaseHuey
from huey.contrib.sql_huey import SqlStorage
from peewee import PostgresqlDatabase, SqliteDatabase
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)
TABLE_PREFIX = "huey_"


class Storage(SqlStorage):
    """huey's SQL storage with its tables named ``huey_*`` (they live beside ours)."""

    def create_models(self):
        models = super().create_models()
        for model in models:
            model._meta.set_table_name(TABLE_PREFIX + model.__name__.lower())
        return models


class Huey(BaseHuey):
    storage_class = Storage


def peewee_database(url: str):
    """The peewee database for a SQLAlchemy URL (SQLite file or PostgreSQL)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise ValueError("background jobs need a database file, not an in-memory one")
        return SqliteDatabase(parsed.database, pragmas={"journal_mode": "wal",
                                                         "busy_timeout": 15000,
                                                         "foreign_keys": 1})
    if backend == "postgresql":
        return PostgresqlDatabase(parsed.database, user=parsed.username,
                                  password=parsed.password, host=parsed.host,
                                  port=parsed.port or 5432)
    raise ValueError(f"background jobs need SQLite or PostgreSQL, not {backend}")


def make_huey(url: str, *, immediate: bool = False) -> Huey:
    if immediate:  # tests: a task runs when it is enqueued, in memory
        return Huey("registry", database=SqliteDatabase(":memory:"), create_tables=False,
                    immediate=True)
    return Huey("registry", database=peewee_database(url), create_tables=False)
