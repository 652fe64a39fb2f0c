"""Migrations run on a database that holds data, not only on an empty one: on SQLite a batch
migration rebuilds a table that other rows refer to (``offered_competencies`` in 0008)."""
from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from registry import create_app
from registry.extensions import db
from registry.services import reference


def test_sqlite_upgrades_a_database_with_rows_that_refer_to_rebuilt_tables(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite'}"})
    with app.app_context():
        upgrade(revision="0007_competency_publication")
        reference.load_all()  # the reference tables are unchanged since
        db.session.commit()
        with db.engine.begin() as conn:
            kind = conn.execute(text("SELECT id FROM competition_kinds LIMIT 1")).scalar()
            category = conn.execute(text(
                "SELECT id FROM categories WHERE kind_id = :k LIMIT 1"), {"k": kind}).scalar()
            competency = conn.execute(text("SELECT id FROM competencies LIMIT 1")).scalar()
            conn.execute(text(
                "INSERT INTO competitions (id, kind_id, title, year, stage, status, created_at)"
                " VALUES (1, :k, 'Старый чемпионат', 2024, 'final', 'registration',"
                " '2024-01-01 00:00:00')"), {"k": kind})
            conn.execute(text("INSERT INTO offered_competencies (id, competition_id, "
                              "competency_id) VALUES (1, 1, :c)"), {"c": competency})
            conn.execute(text("INSERT INTO offered_categories (id, offered_competency_id, "
                              "category_id) VALUES (1, 1, :c)"), {"c": category})
        upgrade()  # to the head, across the rebuild of offered_competencies
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM offered_categories")).scalar() == 1
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA foreign_key_check")).fetchall() == []
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database():
    """This test has its own database: the shared one is not touched."""
    yield
