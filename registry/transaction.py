"""One transaction per request and per command: the only place that commits.

Operations (``registry/services``, ``registry/importers``) change objects, flush and write
their audit entry; they never commit. The boundary decides, once:

- a request commits when its view returned a response below 400 and nothing refused it;
  it rolls back when the view raised, answered 4xx/5xx, or called ``refuse()`` (a view that
  catches a ``ServiceError`` to show its message on the form does so through ``refuse``);
- a CLI command of a ``Commands`` group commits when its callback returns and rolls back
  when it raises (``click.ClickException``, ``SystemExit`` with a non-zero code included).

This is Indico's request lifecycle (``RH._process``: load, check access, act, commit once).
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import wraps

from flask import g, has_request_context
from flask.cli import AppGroup

from . import sqlite_lock
from .extensions import db


def refuse() -> None:
    """The current request must not commit: a rule refused what it asked for. What it
    changed before the refusal is rolled back now, so that the page it renders next reads
    the database as it was."""
    db.session.rollback()
    if has_request_context():
        g._transaction_refused = True


def keep() -> None:
    """The current request commits although it answers 4xx: what it wrote is the record of
    the refusal itself (an unknown diploma code counted by the rate limit of ``/verify``)."""
    if has_request_context():
        g._transaction_keep = True


def init_app(app) -> None:
    @app.after_request
    def _end_transaction(response):
        kept = g.pop("_transaction_keep", False)
        refused = g.pop("_transaction_refused", False)
        if refused or response.status_code >= 500 or (response.status_code >= 400 and not kept):
            db.session.rollback()
        else:
            _commit_unexpired()
        return response

    @app.teardown_request
    def _roll_back_on_error(error):
        if error is not None:
            db.session.rollback()


def _commit_unexpired() -> None:
    """The request's commit, leaving what it loaded as it is: the session ends with the
    request (Flask-SQLAlchemy removes it with the request's application context), so no one
    reads those objects from the database again, and expiring each of them was wasted (the
    participants list's 210 objects: 0.8 ms of the page's 12). What runs after the commit
    (a streamed export) reads them as loaded. Every other commit expires as before."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


@contextmanager
def own():
    """A short transaction of its own, committed at once whatever becomes of the request's
    (a rate-limit count, an upload discarded by a request that rolls back). On SQLite the
    request's session first lets go of the write lock (``sqlite_lock.release_for_own``):
    this transaction would wait for it until the busy timeout."""
    sqlite_lock.release_for_own(db.session)
    with db.engine.begin() as connection:
        yield connection


@contextmanager
def boundary():
    """Commit once when the block ends normally, roll back once when it raises."""
    try:
        yield
    except SystemExit as stop:
        if stop.code in (None, 0):
            db.session.commit()
        else:
            db.session.rollback()
        raise
    except BaseException:
        db.session.rollback()
        raise
    else:
        db.session.commit()


def transactional(callback):
    """Wrap a CLI callback in ``boundary()``."""

    @wraps(callback)
    def wrapped(*args, **kwargs):
        with boundary():
            return callback(*args, **kwargs)

    return wrapped


class Commands(AppGroup):
    """A group of ``flask`` commands, each of which runs in one transaction."""

    def command(self, *args, **kwargs):
        register = super().command(*args, **kwargs)

        def decorator(callback):
            return register(transactional(callback))

        return decorator
