"""A season of three stages of one kind, from import to the history export: the regional
stage's participants export (with its numbers) is imported into the final, and next year's
regional stage from a file of its own; each person keeps one number across them, and the
history lists their stages in order."""
from __future__ import annotations

import csv
import io
from datetime import date

from registry.extensions import db
from registry.importers.participants import apply, build_plan
from registry.services import person_numbers

from . import factories

HEADER = ["Фамилия", "Имя", "Отчество", "Дата рождения", "Регион", "Организация",
          "Компетенция", "Категория"]
PEOPLE = [["Алексеева", "Мария", "Ивановна", "02.04.2005", "Республика Татарстан",
           "ГАПОУ «Казанский техникум»", "Сварочные технологии", "Основная"],
          ["Борисов", "Олег", "", "11.11.2004", "Татарстан",
           'ГАПОУ "Казанский техникум"', "Сварочные технологии", "Основная"]]


def _csv(rows, header=HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _import(competition, data: bytes):
    plan = build_plan(competition, data)
    assert plan.ok, [str(p) for p in plan.problems]
    apply(plan)
    db.session.commit()
    return plan


def _cli(app, tmp_path, *args) -> list[list[str]]:
    out = tmp_path / "out.csv"
    result = app.test_cli_runner().invoke(args=["export", *args, "--format", "csv",
                                                "--output", str(out)])
    assert result.exit_code == 0, result.output
    return list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig")), delimiter=";"))


def test_three_stages_from_import_to_history(app, tmp_path):
    regional = factories.make_competition(title="Профессионалы 2024, Татарстан",
                                          starts_on=date(2024, 2, 1), ends_on=date(2024, 2, 3))
    final = factories.make_competition(title="Профессионалы 2024, финал", stage="final",
                                       starts_on=date(2024, 6, 1), ends_on=date(2024, 6, 3))
    next_year = factories.make_competition(title="Профессионалы 2025, Татарстан", year=2025,
                                           starts_on=date(2025, 2, 1), ends_on=date(2025, 2, 3))
    first = _import(regional, _csv(PEOPLE))
    assert first.counts.persons_created == 2 and first.counts.organisations_created == 1
    # the regional stage's export, numbers included, opens in the final's import
    exported = _cli(app, tmp_path, "participants", "--competition", str(regional.id))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(exported)
    second = _import(final, buffer.getvalue().encode("utf-8"))
    assert second.counts.persons_created == 0 and second.counts.entries == 2
    # next year: «ё» and other quotes, the same persons and organisation
    rows = [list(PEOPLE[0]), list(PEOPLE[1])]
    rows[1][5] = "гапоу „Казанский тёхникум“"
    third = _import(next_year, _csv(rows))
    assert third.counts.persons_created == 0 and third.counts.organisations_created == 0

    header, *history = _cli(app, tmp_path, "history", "--organisation", "ГАПОУ Казанский техникум")
    assert header[:2] == ["Номер участника", "Фамилия"]
    assert [(r[1], r[5]) for r in history] == [
        ("Алексеева", "Профессионалы 2024, Татарстан"), ("Алексеева", "Профессионалы 2024, финал"),
        ("Алексеева", "Профессионалы 2025, Татарстан"),
        ("Борисов", "Профессионалы 2024, Татарстан"), ("Борисов", "Профессионалы 2024, финал"),
        ("Борисов", "Профессионалы 2025, Татарстан")]
    numbers = {r[1]: r[0] for r in history}
    assert len({r[0] for r in history}) == 2  # one number per person across the stages
    assert all(person_numbers.parse_number(n) for n in numbers.values())
