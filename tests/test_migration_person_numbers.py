"""Migration 0012 on a database with rows: every person gets a number (unique, in creation
order), the counter continues after them, and organisation keys lose their quotes — where two
organisations of a region would then share a key, both are kept and listed as duplicates."""
from __future__ import annotations

from datetime import date

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from registry import create_app
from registry.extensions import db
from registry.services import reference


def test_upgrade_numbers_persons_and_rekeys_organisations(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite'}"})
    with app.app_context():
        upgrade(revision="0011_login_throttles")
        reference.load_all()
        db.session.commit()
        with db.engine.begin() as conn:
            region = conn.execute(text("SELECT id FROM regions ORDER BY id LIMIT 1")).scalar()
            for org_id, name, key in (
                    (1, "Колледж «Сервис»", "колледж «сервис»"),
                    (2, 'Колледж "Сервис"', 'колледж "сервис"'),   # the same once unquoted
                    (3, "Колледж Сервис", "колледж сервис"),         # its key stays
                    (4, "Техникум «Связь»", "техникум «связь»")):
                conn.execute(text("INSERT INTO organisations (id, name, name_key, kind, region_id)"
                                  " VALUES (:i, :n, :k, 'educational', :r)"),
                             {"i": org_id, "n": name, "k": key, "r": region})
            for person_id in (5, 9, 12):
                conn.execute(text(
                    "INSERT INTO persons (id, last_name, first_name, birth_date, identity_key,"
                    " region_id, created_at, updated_at) VALUES (:i, 'Иванов', 'Иван',"
                    " '2005-01-01', :k, :r, '2024-01-01', '2024-01-01')"),
                    {"i": person_id, "k": f"иванов|иван||2005-01-0{person_id % 9}", "r": region})
        upgrade()
        with db.engine.begin() as conn:
            numbers = conn.execute(text("SELECT id, number FROM persons ORDER BY id")).fetchall()
            assert [tuple(r) for r in numbers] == [(5, 5), (9, 9), (12, 12)]
            assert conn.execute(text(
                "SELECT value FROM counters WHERE name = 'persons'")).scalar() == 12
            keys = dict(conn.execute(text("SELECT id, name_key FROM organisations")).fetchall())
            assert keys[3] == "колледж сервис"           # kept: it had no quotes
            assert keys[4] == "техникум связь"           # unquoted
            assert {keys[1], keys[2]} == {"колледж «сервис»", 'колледж "сервис"'}  # kept
        from registry.services import duplicates
        from registry.services.persons import PersonData, bulk_create_persons

        with app.test_request_context():
            pairs = {(p.first_id, p.second_id) for p in duplicates.organisation_pairs()}
            assert {(1, 2), (1, 3), (2, 3)} <= pairs
            from registry.models import Region

            ids = bulk_create_persons([PersonData(
                last_name="Петров", first_name="Пётр", middle_name=None,
                birth_date=date(2005, 1, 1),
                region=db.session.get(Region, region))])
            number = db.session.execute(text("SELECT number FROM persons WHERE id = :i"),
                                        {"i": next(iter(ids.values()))}).scalar()
            assert number == 13
            db.session.rollback()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database():
    """This test has its own database: the shared one is not touched."""
    yield
