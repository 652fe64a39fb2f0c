"""Consistent copies of the embedded database while the application runs."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from . import ServiceError


def backup_sqlite(database_uri: str, output: str) -> Path:
    """Copy the SQLite database with SQLite's online backup API (safe while others write)."""
    url = make_url(database_uri)
    if url.get_backend_name() != "sqlite":
        raise ServiceError(
            "The database is not SQLite. For PostgreSQL use pg_dump, e.g.: "
            "pg_dump --format=custom --file=registry.dump \"$DATABASE_URL\" "
            "(restore with pg_restore --clean --dbname=…)."
        )
    source_path = url.database
    if not source_path or source_path == ":memory:" or not Path(source_path).exists():
        raise ServiceError(f"No SQLite database file at {source_path!r}.")
    target = Path(output).resolve()
    if target == Path(source_path).resolve():
        raise ServiceError("The backup must not overwrite the database itself.")
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    # The copy holds password hashes and health data: the owner's only, from the first byte.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        dest = sqlite3.connect(partial)
        try:
            source.backup(dest)
            dest.execute("PRAGMA journal_mode=DELETE")
            check = dest.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dest.close()
    finally:
        source.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise ServiceError(f"The copy failed its integrity check: {check}")
    partial.replace(target)  # the backup file appears only when it is complete
    return target
