"""«Согласие на публикацию результатов»: the naming rule of the public pages, the person form,
the participants import (columns, template) and the participants export (round trip)."""
from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from registry.extensions import db
from registry.importers import cells
from registry.importers.participants import apply, build_plan
from registry.models import Person
from registry.services import ServiceError
from registry.services import persons as person_service
from registry.services.public_names import consents_to_publication, public_name, short_name

from . import factories
from .test_import_participants import (
    GUARDIAN_HEADER,
    HEADER,
    PUBLICATION_HEADER,
    csv_bytes,
    person_row,
    xlsx,
)


def _years_ago(years: int) -> date:
    today = date.today()
    return date(today.year - years, 1, 1)


# --- the rule --------------------------------------------------------------------------------

@pytest.mark.parametrize("first, middle, expected", [
    ("Пётр", "Сергеевич", "Иванов П. С."),
    ("Анна-Мария", None, "Иванов А.-М."),
    ("Мария Луиза", "Ивановна", "Иванов М. Л. И."),
    ("пётр", "", "Иванов П."),
])
def test_short_name(first, middle, expected):
    class P:
        last_name, first_name, middle_name = "Иванов", first, middle

    assert short_name(P) == expected


def test_whose_consent_covers_the_full_name(app):
    adult = factories.make_person(birth_date=_years_ago(30), publication_consent=True)
    adult_without = factories.make_person(birth_date=_years_ago(30))
    minor_own = factories.make_person(birth_date=_years_ago(15), publication_consent=True)
    minor_guardian = factories.make_person(birth_date=_years_ago(15),
                                           guardian_publication_consent=True,
                                           guardian_name="Иванова Анна")
    assert consents_to_publication(adult) and public_name(adult) == adult.full_name
    assert not consents_to_publication(adult_without)
    assert public_name(adult_without) == f"{adult_without.last_name} П. С."
    assert not consents_to_publication(minor_own)  # a minor's own is not enough
    assert consents_to_publication(minor_guardian)
    # the day the person comes of age, their own consent counts
    assert consents_to_publication(minor_own, date(date.today().year + 3, 1, 1))


# --- the person form -------------------------------------------------------------------------

def _person_form(**overrides):
    data = {"last_name": "Семёнов", "first_name": "Алексей", "middle_name": "Петрович",
            "birth_date": "2004-05-20", "region_id": factories.region().id,
            "organisation": "", "email": "", "phone": "", "consent_date": "2024-01-15",
            "guardian_name": "", "guardian_consent_date": ""}
    data.update(overrides)
    return data


def test_person_form_records_the_publication_consent(app, client, login):
    login(client, "organiser")
    page = client.get("/persons/new").text
    assert "Согласие на публикацию результатов" in page
    assert client.post("/persons/new", data=_person_form(publication_consent="y")
                       ).status_code == 302
    person = db.session.scalar(select(Person))
    assert person.publication_consent and not person.guardian_publication_consent
    detail = client.get(f"/persons/{person.id}").text
    assert 'data-testid="publication-consent"' in detail and "дано" in detail
    # the guardian's consent needs the guardian's name
    response = client.post(f"/persons/{person.id}/edit", data=_person_form(
        guardian_publication_consent="y"))
    assert response.status_code == 200 and "законного представителя" in response.text
    db.session.expire_all()
    assert not db.session.get(Person, person.id).guardian_publication_consent
    response = client.post(f"/persons/{person.id}/edit", data=_person_form(
        guardian_publication_consent="y", guardian_name="Семёнова Ольга"))
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert person.guardian_publication_consent and not person.publication_consent


def test_service_refuses_guardian_consent_without_guardian(app):
    data = person_service.PersonData(last_name="Юный", first_name="Пётр", middle_name=None,
                                     birth_date=_years_ago(15), region=factories.region(),
                                     guardian_publication_consent=True)
    with pytest.raises(ServiceError) as refused:
        person_service.create_person(data)
    assert refused.value.field == "guardian_name"


# --- import, template, export ----------------------------------------------------------------

@pytest.fixture
def competition(app):
    competition = factories.make_competition()
    factories.make_offered(competition, "Сварочные технологии", "Основная")
    return competition


@pytest.mark.parametrize("word, expected", [
    ("да", True), ("Да", True), ("yes", True), ("1", True), ("+", True), (1, True),
    ("нет", False), ("No", False), ("0", False), (0, False), (None, None), ("", None),
])
def test_yes_no_cell(app, word, expected):
    assert cells.yes_no_cell(word) is expected


def test_yes_no_cell_refuses_other_words(app):
    with pytest.raises(cells.CellError) as refused:
        cells.yes_no_cell("наверное")
    assert "да" in refused.value.message


def test_import_reads_the_consent_columns(app, competition):
    header = [*HEADER, *GUARDIAN_HEADER, *PUBLICATION_HEADER]
    rows = [
        [*person_row("Взрослов", born="01.02.1990"), None, None, "да", None],
        [*person_row("Юнцов", born=_years_ago(15)), "Юнцова Мария", None, None, "да"],
        [*person_row("Отказов", born="01.02.1990"), None, None, "нет", None],
    ]
    plan = build_plan(competition, xlsx(rows, header=header))
    assert plan.ok, [str(p) for p in plan.problems]
    apply(plan)
    flags = {p.last_name: (p.publication_consent, p.guardian_publication_consent)
             for p in db.session.scalars(select(Person))}
    assert flags == {"Взрослов": (True, False), "Юнцов": (False, True),
                     "Отказов": (False, False)}


def test_import_problems_in_the_consent_columns(app, competition):
    header = [*HEADER, *GUARDIAN_HEADER, *PUBLICATION_HEADER]
    rows = [
        [*person_row("Первый"), None, None, "может быть", None],   # 2: not a yes or no
        [*person_row("Второй"), None, None, None, "да"],            # 3: whose consent?
    ]
    plan = build_plan(competition, csv_bytes(rows, header=header))
    found = {(p.row, p.column) for p in plan.problems}
    assert found == {(2, "Согласие на публикацию результатов"),
                     (3, "ФИО законного представителя")}
    assert db.session.scalar(select(Person)) is None


def test_template_explains_the_consent_columns(app, client, login, competition):
    login(client, "organiser")
    workbook = load_workbook(io.BytesIO(
        client.get(f"/competitions/{competition.id}/import/template.xlsx").data))
    header = [c.value for c in workbook.worksheets[0][1]]
    assert header[-3:-1] == PUBLICATION_HEADER  # before «Вне конкурса»
    notes = [row[0].value for row in workbook.worksheets[1].iter_rows()]
    assert set(PUBLICATION_HEADER) <= set(notes)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_carries_the_consent_back_into_the_import(app, tmp_path, competition, fmt):
    offered = factories.make_offered(competition, "Сварочные технологии", "Основная")
    org = factories.make_organisation()
    given = factories.make_person(last_name="Согласов", birth_date=date(1990, 1, 1),
                                  publication_consent=True, organisation=org)
    guardian = factories.make_person(last_name="Опекаемый", birth_date=_years_ago(15),
                                     guardian_name="Опекунова Анна", organisation=org,
                                     guardian_consent_date=date(2024, 1, 1),
                                     guardian_publication_consent=True)
    refused = factories.make_person(last_name="Несогласов", birth_date=date(1991, 1, 1),
                                    organisation=org)
    for person in (given, guardian, refused):
        factories.register_entry(offered, [person])
    out = tmp_path / f"p.{fmt}"
    result = app.test_cli_runner().invoke(args=["export", "participants", "--format", fmt,
                                                "--output", str(out), "--competition",
                                                str(competition.id)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    if fmt == "csv":
        lines = data.decode("utf-8-sig").splitlines()
        assert lines[0].split(";")[-4:-2] == PUBLICATION_HEADER  # before «Вне конкурса», «Номер участника»
    target = factories.make_competition(title="Профессионалы 2025", year=2025)
    plan = build_plan(target, data, filename=out.name)
    assert plan.ok, [str(p) for p in plan.problems]
    read = {row.value("last_name"): (row.publication_consent, row.guardian_publication_consent)
            for row in plan.rows}
    assert read == {"Согласов": (True, False), "Опекаемый": (False, True),
                    "Несогласов": (False, False)}
    counts = apply(plan)
    assert (counts.persons_created, counts.persons_reused) == (0, 3)
