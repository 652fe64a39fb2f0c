"""Fixtures: one application per test session on a migrated database, a clean database for
every test, a ``login(client, role)`` helper and small factories (see ``factories.py``).

The backend is SQLite in a temporary file unless ``REGISTRY_TEST_BACKEND=postgresql``, in
which case ``REGISTRY_TEST_DATABASE_URL`` names the PostgreSQL database to use (its schema
is dropped and rebuilt by the migrations).
"""
from __future__ import annotations

import os

import pytest
from flask import g
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from registry import create_app
from registry.extensions import db
from registry.services import reference

from . import factories

REFERENCE_TABLES = ("regions", "competition_kinds", "categories", "competencies",
                    "competency_kinds")


class ReadToTheEnd(FlaskClient):
    """A test client that reads every answer to the end and closes it, as a WSGI server
    does. A streamed export left unread would keep its request context open until the
    garbage collector closed the generator, in some later test, out of order («Popped wrong
    request context»)."""

    def open(self, *args, buffered: bool = True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


def _database_url(tmp_path_factory) -> str:
    if os.environ.get("REGISTRY_TEST_BACKEND") == "postgresql":
        url = os.environ.get("REGISTRY_TEST_DATABASE_URL")
        if not url:
            pytest.exit("REGISTRY_TEST_BACKEND=postgresql needs REGISTRY_TEST_DATABASE_URL", 2)
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    application = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "test-secret",
        "SERVER_NAME": None,
    })
    # Tests keep one application context open, which Flask reuses for the requests of the
    # test client; start each request as a fresh one would: no cached user, nothing stale.
    # It runs first, before the login check, or a user cached by the previous request (of
    # another test client) would answer for this one.
    def _fresh_request_state():
        # What the test did before the request (factories, operations called directly) is
        # its own, earlier transaction: commit it, so that the request's own transaction
        # (committed or rolled back at its boundary) holds only what the request did.
        db.session.commit()
        for name in list(vars(g)):
            delattr(g, name)
        db.session.expire_all()

    application.before_request_funcs.setdefault(None, []).insert(0, _fresh_request_state)

    # A server's request ends its session (Flask-SQLAlchemy removes it with the request's
    # application context, so the boundary's commit leaves its objects unexpired); here the
    # session outlives the request, so what the test holds is expired instead, and read
    # again as the request left the database.
    @application.teardown_request
    def _session_ends(_error):
        db.session.expire_all()
    application.test_client_class = ReadToTheEnd

    with application.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()  # the real migrations, never create_all()
        reference.load_all()
        db.session.commit()
        db.session.remove()
    return application


_SEQUENCES: list[str] = []  # PostgreSQL: the sequences of the tables _wipe empties


def _wipe() -> None:
    """Delete every row the test wrote; reload reference data if a test changed it.

    On PostgreSQL by DELETE and the tables' sequences set back to 1, as TRUNCATE ... RESTART
    IDENTITY would: TRUNCATE makes new files for each of the 35 tables, 73 ms a test against
    7 ms (a minute and a half of the PostgreSQL run)."""
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    with db.engine.begin() as conn:
        for table in tables:
            conn.execute(table.delete())
        if db.engine.dialect.name == "postgresql":
            if not _SEQUENCES:
                _SEQUENCES.extend(conn.execute(text(
                    "SELECT s.oid::regclass::text FROM pg_class s "
                    "JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i') "
                    "JOIN pg_class t ON t.oid = d.refobjid "
                    "WHERE s.relkind = 'S' AND t.relname = ANY(:names)"),
                    {"names": [t.name for t in tables]}).scalars())
            conn.execute(text("SELECT setval(name::regclass, 1, false) "
                              "FROM unnest(CAST(:names AS text[])) name"), {"names": _SEQUENCES})


@pytest.fixture(autouse=True)
def _clean_database(app):
    with app.app_context():
        counts = _reference_counts()
        yield
        db.session.remove()
        _wipe()
        if _reference_counts() != counts:
            with db.engine.begin() as conn:
                for name in reversed(REFERENCE_TABLES):
                    conn.execute(text(f"DELETE FROM {name}"))
            reference.load_all()
            db.session.commit()
            db.session.remove()
    app.config["WTF_CSRF_ENABLED"] = False


def _reference_counts():
    with db.engine.connect() as conn:
        return tuple(
            conn.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar() for name in REFERENCE_TABLES
        )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_enabled(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def login():
    """``login(client, role)`` makes a user of that role and logs the client in as them."""

    def _login(client, role: str, **overrides):
        user = factories.make_user(role=role, **overrides)
        response = client.post(
            "/login", data={"email": user.email, "password": factories.PASSWORD}
        )
        assert response.status_code == 302, response.text
        return user

    return _login
