"""Registry numbers of persons: taken from a counter (never reused), shown and searchable,
carried by the participants export and checked by its import."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.importers.participants import apply, build_plan
from registry.models import Counter, Person, PersonRedirect
from registry.services import person_numbers
from registry.services.persons import PersonData, bulk_create_persons

from . import factories


def test_numbers_format_and_parse():
    assert person_numbers.format_number(123) == "П-000123"
    assert person_numbers.format_number(1234567) == "П-1234567"
    for text in ("П-000123", "п-123", "П 000123", "P-123", " 123 ", "П–000123"):
        assert person_numbers.parse_number(text) == 123, text
    for text in ("", "П-", "Иванов", "12a", "П-0", "-5", "П-99999999999999"):
        assert person_numbers.parse_number(text) is None, text
    assert person_numbers.looks_like_number("П-12") and not person_numbers.looks_like_number("12")


def test_each_new_person_takes_the_next_number(app):
    first = factories.make_person()
    second = factories.make_person()
    assert second.number == first.number + 1
    counter = db.session.get(Counter, "persons")
    assert counter.value == second.number


def test_bulk_created_persons_take_a_block_of_numbers(app):
    before = factories.make_person().number
    region = factories.region()
    ids = bulk_create_persons([
        PersonData(last_name=f"Сидоров{i}", first_name="Иван", middle_name=None,
                   birth_date=date(2005, 1, 1), region=region) for i in range(3)])
    numbers = sorted(db.session.scalars(select(Person.number).where(Person.id.in_(ids.values()))))
    assert numbers == [before + 1, before + 2, before + 3]


def test_persons_flushed_together_get_distinct_numbers(app):
    region = factories.region()
    persons = [Person(last_name=f"Групповой{chr(0x430 + i)}", first_name="Иван",
                      birth_date=date(2005, 1, 1), region=region) for i in range(4)]
    for person in persons:
        person.refresh_identity()
    db.session.add_all(persons)
    db.session.commit()
    numbers = [p.number for p in persons]
    assert len(set(numbers)) == 4 and sorted(numbers) == list(range(min(numbers), min(numbers) + 4))


def test_a_number_is_never_handed_out_again_after_its_person_is_gone(app):
    person = factories.make_person()
    gone = person.number
    db.session.delete(person)
    db.session.commit()
    assert factories.make_person().number == gone + 1  # not max(number) + 1 of live rows


def test_person_page_shows_the_number_and_the_list_finds_it(client, login):
    person = factories.make_person(last_name="Нумерова")
    factories.make_person(last_name="Другая")
    login(client, "coordinator")
    page = client.get(f"/persons/{person.id}").get_data(as_text=True)
    assert person_numbers.format_number(person.number) in page
    listing = client.get("/persons", query_string={"q": person_numbers.format_number(person.number)})
    text = listing.get_data(as_text=True)
    assert "Нумерова" in text and "Другая" not in text
    assert "Нумерова" not in client.get("/persons", query_string={"q": "П-999999"}).get_data(as_text=True)


def test_by_number_redirects_to_the_person_and_unknown_is_404(client, login):
    person = factories.make_person()
    login(client, "organiser")
    response = client.get(f"/persons/by-number/{person_numbers.format_number(person.number)}")
    assert response.status_code == 302 and response.location.endswith(f"/persons/{person.id}")
    assert client.get("/persons/by-number/П-999999").status_code == 404
    assert client.get("/persons/by-number/nonsense").status_code == 404


def test_by_number_needs_the_persons_permission(client, login):
    person = factories.make_person()
    login(client, "expert")
    assert client.get(f"/persons/by-number/{person.number}").status_code == 403


def test_number_and_old_address_of_a_merged_person_lead_to_the_survivor(client, login):
    survivor, gone = factories.make_person(), factories.make_person()
    db.session.add(PersonRedirect(person_id=gone.id + 1000, number=gone.number + 1000,
                                  survivor_id=survivor.id))
    db.session.commit()
    login(client, "organiser")
    response = client.get(f"/persons/by-number/{gone.number + 1000}")
    assert response.location.endswith(f"/persons/{survivor.id}")
    response = client.get(f"/persons/{gone.id + 1000}")
    assert response.status_code == 302 and response.location.endswith(f"/persons/{survivor.id}")


# --- the participants export and import -----------------------------------------------------

HEADER = ["Фамилия", "Имя", "Отчество", "Дата рождения", "Регион", "Организация",
          "Компетенция", "Категория", "Номер участника"]


def _csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _row(person, number):
    return [person.last_name, person.first_name, person.middle_name,
            person.birth_date.strftime("%d.%m.%Y"), "Оренбургская область", "Колледж",
            "Сварочные технологии", "Основная", number]


_NAMES = iter(["Петров", "Сидоров", "Кузнецов", "Смирнов", "Попов", "Соколов", "Морозов",
               "Волков", "Зайцев", "Павлов", "Семёнов", "Голубев"] * 3)


def _person():
    return factories.make_person(last_name=next(_NAMES), birth_date=date(2004, 5, 6))


@pytest.fixture
def competition(app):
    competition = factories.make_competition()
    factories.make_offered(competition, "Сварочные технологии", "Основная")
    return competition


def test_participants_export_has_the_number_and_reimports(app, tmp_path, competition):
    person = _person()
    plan = build_plan(competition, _csv([_row(person, person_numbers.format_number(person.number))]))
    assert plan.ok, [str(p) for p in plan.problems]
    apply(plan)
    db.session.commit()
    out = tmp_path / "p.csv"
    result = app.test_cli_runner().invoke(args=["export", "participants", "--format", "csv",
                                                "--output", str(out)])
    assert result.exit_code == 0, result.output
    header, row = out.read_bytes().decode("utf-8-sig").splitlines()[:2]
    index = header.split(";").index("Номер участника")
    assert row.split(";")[index] == person_numbers.format_number(person.number)
    again = build_plan(competition, out.read_bytes())
    assert again.ok and again.counts.entries == 0 and again.counts.already_registered == 1


def test_a_number_of_someone_else_or_of_nobody_is_a_problem(app, competition):
    person, other = _person(), _person()
    plan = build_plan(competition, _csv([
        _row(person, person_numbers.format_number(other.number)),
        _row(other, "П-999999"),
        _row(_person(), "abc"),
    ]))
    problems = {p.row: str(p) for p in plan.problems}
    assert other.full_name in problems[2] and "Номер участника" in problems[2]
    assert "П-999999" in problems[3]
    assert "abc" in problems[4]


def test_a_new_person_with_a_number_is_refused(app, competition):
    person = _person()
    row = _row(person, person_numbers.format_number(person.number))
    row[0] = "Новикова"
    plan = build_plan(competition, _csv([row]))
    assert not plan.ok and person.full_name in str(plan.problems[0])


def test_an_empty_number_is_fine(app, competition):
    plan = build_plan(competition, _csv([_row(_person(), "")]))
    assert plan.ok, [str(p) for p in plan.problems]


def test_winners_and_internships_exports_carry_the_number(app, tmp_path):
    person = _person()
    factories.make_special_award(person)
    factories.make_offer(person)
    shown = person_numbers.format_number(person.number)
    for name in ("winners", "internships"):
        out = tmp_path / f"{name}.csv"
        result = app.test_cli_runner().invoke(args=["export", name, "--format", "csv",
                                                    "--output", str(out)])
        assert result.exit_code == 0, result.output
        header, row = out.read_bytes().decode("utf-8-sig").splitlines()[:2]
        assert header.split(";")[-1] == "Номер участника" and row.split(";")[-1] == shown, name


def test_the_results_export_carries_the_numbers(app, tmp_path):
    from registry.services.results import publish

    from .test_diplomas import _set_totals

    competition = factories.make_competition()
    offered = factories.make_offered(competition)
    person = _person()
    _set_totals(offered, {factories.register_entry(offered, [person]): 90})
    publish(competition)
    db.session.commit()
    expected = person_numbers.format_number(person.number)  # the export empties the session
    out = tmp_path / "results.csv"
    result = app.test_cli_runner().invoke(args=["export", "results", "--format", "csv",
                                                "--output", str(out)])
    assert result.exit_code == 0, result.output
    header, row = (line.split(";") for line in
                   out.read_bytes().decode("utf-8-sig").splitlines()[:2])
    column = header.index("Номера участников")
    assert row[column] == expected
