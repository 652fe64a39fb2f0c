"""The ``history`` export: one row per person per entry, the columns the issue lists in their
order, sorted by person then date, places and awards as published, filters (with the
person's region and organisation) and roles as the participants export."""
from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest

from registry.extensions import db
from registry.models import Publication, PublishedCategory
from registry.services import person_numbers, published
from registry.services.results import publish

from . import factories
from .test_awards_exports import _set_totals

COLUMNS = ["Номер участника", "Фамилия", "Имя", "Отчество", "Дата рождения", "Конкурс", "Год",
           "Этап", "Компетенция", "Категория", "Место", "Награда"]


def _rows(app, tmp_path, *args, fmt="csv"):
    out = tmp_path / f"history.{fmt}"
    result = app.test_cli_runner().invoke(
        args=["export", "history", "--format", fmt, "--output", str(out), *args])
    assert result.exit_code == 0, result.output
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(out).active
        return [[c.value for c in row] for row in sheet.iter_rows()]
    return list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
def season(app):
    """Two persons through a regional stage, a final (2024) and a regional stage of 2025;
    the regional stage of 2024 is published."""
    tatarstan = factories.region("Республика Татарстан")
    college = factories.make_organisation(name="ГАПОУ «Казанский техникум»", region=tatarstan)
    anna = factories.make_person(last_name="Антонова", first_name="Анна", middle_name=None,
                                 birth_date=date(2005, 2, 3), region=tatarstan,
                                 organisation=college)
    boris = factories.make_person(last_name="Борисов", first_name="Борис",
                                  birth_date=date(2004, 1, 2))
    regional = factories.make_competition(title="Регион 2024", starts_on=date(2024, 2, 1),
                                          ends_on=date(2024, 2, 5))
    final = factories.make_competition(title="Финал 2024", stage="final",
                                       starts_on=date(2024, 6, 1),
                                       ends_on=date(2024, 6, 5))
    next_year = factories.make_competition(title="Регион 2025", year=2025,
                                           starts_on=date(2025, 2, 1),
                                           ends_on=date(2025, 2, 5))
    # created in an order other than the dates', so that sorting is what orders them
    entries = {}
    for competition in (next_year, final, regional):
        offered = factories.make_offered(competition, "Сварочные технологии", "Основная")
        entries[competition.title] = (factories.register_entry(offered, [anna]),
                                      factories.register_entry(offered, [boris]), offered)
    a, b, offered = entries["Регион 2024"]
    _set_totals(offered, {a: 90, b: 70})
    publish(regional)
    db.session.commit()
    return {"anna": anna, "boris": boris, "college": college, "regional": regional,
            "final": final}


def test_columns_in_order_and_rows_sorted_by_person_then_date(app, tmp_path, season):
    header, *rows = _rows(app, tmp_path)
    assert header == COLUMNS
    anna = person_numbers.format_number(season["anna"].number)
    assert [(r[0], r[1], r[5]) for r in rows] == [
        (anna, "Антонова", "Регион 2024"), (anna, "Антонова", "Финал 2024"),
        (anna, "Антонова", "Регион 2025"),
        (person_numbers.format_number(season["boris"].number), "Борисов", "Регион 2024"),
        (rows[3][0], "Борисов", "Финал 2024"), (rows[3][0], "Борисов", "Регион 2025")]
    first = rows[0]
    assert first[2:5] == ["Анна", "", "03.02.2005"]
    assert first[6:] == ["2024", "региональный этап", "Сварочные технологии", "Основная", "1",
                         "золото"]
    assert rows[3][10:] == ["2", "серебро"]
    assert rows[1][10:] == ["", ""]  # the final is not published: no place, no award


def test_xlsx_has_the_same_rows_typed(app, tmp_path, season):
    header, first, *_rest = _rows(app, tmp_path, fmt="xlsx")
    assert header == COLUMNS
    assert first[6] == 2024 and first[10] == 1
    assert first[4].date() == date(2005, 2, 3)


def test_filters_of_competitions_and_of_the_person(app, tmp_path, season):
    _header, *rows = _rows(app, tmp_path, "--stage", "final")
    assert {r[5] for r in rows} == {"Финал 2024"}
    _header, *rows = _rows(app, tmp_path, "--year", "2025")
    assert {r[5] for r in rows} == {"Регион 2025"} and len(rows) == 2
    _header, *rows = _rows(app, tmp_path, "--region", "Татарстан")
    assert {r[1] for r in rows} == {"Антонова"} and len(rows) == 3
    # the organisation as people write it: other quotes, case
    _header, *rows = _rows(app, tmp_path, "--organisation", 'гапоу "казанский техникум"')
    assert {r[1] for r in rows} == {"Антонова"}
    _header, *rows = _rows(app, tmp_path, "--organisation", str(season["college"].id),
                           "--competition", str(season["regional"].id))
    assert [(r[1], r[5]) for r in rows] == [("Антонова", "Регион 2024")]


def test_a_filter_that_names_nothing_is_an_error(app, season):
    result = app.test_cli_runner().invoke(
        args=["export", "history", "--format", "csv", "--organisation", "Нет такой"])
    assert result.exit_code != 0 and "Нет такой" in result.output


def test_a_later_publication_replaces_the_places(app, tmp_path, season):
    regional = season["regional"]
    latest = db.session.query(Publication).filter_by(competition_id=regional.id).one()
    standings = {key: [[row[0], row[1], 3 - row[2], None] for row in rows]
                 for key, rows in latest.snapshot["standings"].items()}
    later = Publication(competition_id=regional.id, number=latest.number + 1,
                        snapshot={"standings": standings})
    db.session.add(later)
    db.session.flush()  # written as publish() writes it: the snapshot and its categories
    db.session.add_all(PublishedCategory(**row)
                       for row in published.category_rows(later.id, later.snapshot))
    db.session.commit()
    _header, *rows = _rows(app, tmp_path, "--competition", str(regional.id))
    assert [(r[1], r[10], r[11]) for r in rows] == [("Антонова", "2", ""), ("Борисов", "1", "")]


@pytest.mark.parametrize("role, status", [("admin", 200), ("organiser", 200),
                                          ("coordinator", 200), ("expert", 403)])
def test_roles_as_the_participants_export(client, login, season, role, status):
    login(client, role)
    response = client.get("/exports/history", query_string={"format": "csv"})
    assert response.status_code == status
    if status == 200:
        assert response.get_data(as_text=True).lstrip("\ufeff").startswith(";".join(COLUMNS))
        assert response.headers["Cache-Control"] == "no-store"


def test_the_export_page_offers_it(client, login, season):
    login(client, "coordinator")
    page = client.get("/exports/").get_data(as_text=True)
    assert 'id="history-organisation"' in page
