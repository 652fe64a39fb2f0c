"""Files at rest and in transit: the SQLite database, its WAL and backups are the owner's only
(0600); exports are never cached."""
from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import text

from registry.extensions import db
from registry.services.backup import backup_sqlite


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def sqlite_only(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the embedded database only")


def test_the_database_and_its_wal_are_private(app, sqlite_only):
    path = db.engine.url.database
    os.chmod(path, 0o644)  # as a umask of 022 would create it
    db.engine.dispose()
    with db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert _mode(path) == 0o600
    if os.path.exists(path + "-wal"):
        assert _mode(path + "-wal") == 0o600


def test_a_backup_is_private_from_the_first_byte(app, sqlite_only, tmp_path):
    old = os.umask(0o022)
    try:
        target = backup_sqlite(str(db.engine.url), str(tmp_path / "copies" / "registry.sqlite"))
    finally:
        os.umask(old)
    assert _mode(target) == 0o600
    assert _mode(target.parent) == 0o700


def test_exports_are_not_cached(app, client, login):
    login(client, "coordinator")
    response = client.get("/exports/winners?format=csv&lang=ru&delimiter=%3B")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
