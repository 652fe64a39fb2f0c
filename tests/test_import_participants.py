"""Importing participants from XLSX and CSV: all or nothing, every problem with its row and
column, re-importing creates nothing new, and a hostile file gets a clear refusal."""
from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from registry.extensions import db
from registry.importers import budgets
from registry.importers.participants import ImportRefused, apply, build_plan, parse_date
from registry.models import (
    AuditEntry,
    Entry,
    EntryMember,
    OfferedCategory,
    OfferedCompetency,
    Organisation,
    Person,
)
from registry.services import ServiceError, registration
from registry.services import persons as person_service
from registry.transaction import boundary

from . import factories
from .pending import pending_uploads, token_hash

HEADER = ["Фамилия", "Имя", "Отчество", "Дата рождения", "Регион", "Организация",
          "Компетенция", "Категория", "Команда", "Email", "Телефон",
          "Согласие на обработку ПДн"]
GUARDIAN_HEADER = ["ФИО законного представителя", "Дата согласия законного представителя"]
PUBLICATION_HEADER = ["Согласие на публикацию результатов",
                      "Согласие законного представителя на публикацию результатов"]
WELDING, COOKING, TEAMWORK = ("Сварочные технологии", "Поварское дело",
                              "Командная работа на производстве")


# --- helpers -------------------------------------------------------------------------------

def xlsx(rows, header=HEADER, title_rows=()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for line in title_rows:
        sheet.append(line)
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, header=HEADER, delimiter=";", encoding="cp1251") -> bytes:
    def cell(value):
        text = "" if value is None else (value.strftime("%d.%m.%Y") if isinstance(value, date)
                                         else str(value))
        if delimiter in text or '"' in text:
            text = '"' + text.replace('"', '""') + '"'
        return text

    lines = [delimiter.join(cell(v) for v in row) for row in [header, *rows]]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def person_row(last="Иванов", first="Пётр", middle="Сергеевич", born="14.03.2005",
               region="г. Москва", org="ГБПОУ «Колледж связи № 54»", competency=WELDING,
               category="Основная", team=None, email=None, phone=None, consent=None):
    return [last, first, middle, born, region, org, competency, category, team, email, phone,
            consent]


def db_counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Person, Organisation, Entry, EntryMember, OfferedCategory)}


def located(plan) -> set[tuple[int | None, str | None]]:
    return {(p.row, p.column) for p in plan.problems}


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path):
    app.config["IMPORT_UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config.pop("IMPORT_UPLOAD_DIR", None)


@pytest.fixture
def competition(app):
    competition = factories.make_competition()
    factories.make_offered(competition, WELDING, "Основная")
    factories.make_offered(competition, TEAMWORK, "Основная")
    return competition


def messy_rows():
    """A file as a region sends it: messy region names, spacing and case, a team, a
    competency the competition does not offer yet."""
    return [
        person_row(),
        person_row("Петрова", "Анна", "Игоревна", date(2006, 5, 1), "Татарстан",
                   "ГАПОУ «Казанский радиомеханический колледж»", "  сварочные   технологии ",
                   "основная", email="anna@example.ru", phone="+7 900 123-45-67",
                   consent=date(2024, 1, 15)),
        person_row("Сидоров", "Олег", None, "2004-11-02", "Кемеровская область – Кузбасс",
                   "ГПОУ «Кемеровский горнотехнический техникум»", TEAMWORK, "Основная",
                   team="Кузбасс-1"),
        person_row("Сёмина", "Ольга", "Павловна", "02.02.2005", "Кузбасс",
                   "ГПОУ «Кемеровский горнотехнический техникум»", TEAMWORK, "Основная",
                   team="Кузбасс-1"),
        person_row("Николаев", "Айсен", None, "10.10.2005", "Якутия",
                   "ГАПОУ РС(Я) «Якутский колледж технологий»", COOKING, "Основная"),
        person_row("Егоров", "Степан", None, "11.11.2004", "ХМАО",
                   "БУ «Сургутский политехнический колледж»", WELDING, "Основная"),
        person_row("Ли", "Мария", None, "12.12.2004", "СПб",
                   "СПб ГБПОУ «Колледж судостроения»", COOKING, "Основная"),
    ]


# --- reading cells -------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("14.03.2007", date(2007, 3, 14)),
    ("4.3.2007", date(2007, 3, 4)),
    ("2007-03-14", date(2007, 3, 14)),
    ("14.03.2007 0:00:00", date(2007, 3, 14)),
    (date(2007, 3, 14), date(2007, 3, 14)),
    (39155, date(2007, 3, 14)),  # an Excel day number
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["31.02.2007", "14/03/2007", "14.03.07", "вчера", "2007"])
def test_parse_date_refuses(value):
    with pytest.raises(ValueError):
        parse_date(value)


# --- a good file ---------------------------------------------------------------------------

def test_xlsx_with_messy_regions_and_excel_dates_imports_everything(app, competition):
    before = db_counts()
    plan = build_plan(competition, xlsx(messy_rows()), filename="region.xlsx")
    assert plan.ok, [str(p) for p in plan.problems]
    assert [row.number for row in plan.rows] == [2, 3, 4, 5, 6, 7, 8]
    regions = [row.region.name for row in plan.rows]
    assert regions == ["Москва", "Республика Татарстан", "Кемеровская область — Кузбасс",
                       "Кемеровская область — Кузбасс", "Республика Саха (Якутия)",
                       "Ханты-Мансийский автономный округ — Югра", "Санкт-Петербург"]
    assert plan.rows[1].birth_date == date(2006, 5, 1)  # an Excel date cell
    assert db_counts() == before  # planning writes nothing
    counts = apply(plan)
    assert counts.persons_created == 7 and counts.persons_reused == 0
    assert counts.entries == 6 and counts.teams == 1 and counts.already_registered == 0
    assert counts.organisations_created == 6 and counts.offers_added == 1
    after = db_counts()
    assert after["Person"] == before["Person"] + 7
    assert after["Entry"] == before["Entry"] + 6
    assert after["EntryMember"] == before["EntryMember"] + 7
    assert after["OfferedCategory"] == before["OfferedCategory"] + 1

    anna = db.session.scalar(select(Person).where(Person.last_name == "Петрова"))
    assert anna.region.name == "Республика Татарстан"
    assert anna.email == "anna@example.ru" and anna.consent_date == date(2024, 1, 15)
    assert anna.organisation.name == "ГАПОУ «Казанский радиомеханический колледж»"
    team = db.session.scalar(select(Entry).where(Entry.team_name == "Кузбасс-1"))
    assert sorted(m.person.last_name for m in team.members) == ["Сидоров", "Сёмина"]
    assert {m.person.organisation_id for m in team.members} == {
        team.members[0].person.organisation_id}  # one organisation, created once
    audit = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "participants.import"))
    assert audit.competition_id == competition.id and audit.details["entries"] == 6


def test_a_competency_not_offered_yet_is_added_and_the_preview_says_so(app, competition):
    plan = build_plan(competition, xlsx([person_row(competency=COOKING, category="Юниоры",
                                                    born="01.01.2008")]))
    assert plan.ok
    assert plan.offers and plan.offers[0][0].name == COOKING
    assert plan.rows[0].notes  # «… is not offered by the competition yet: it will be added»
    apply(plan)
    offered = factories.make_offered(competition, COOKING, "Юниоры")  # idempotent: finds it
    assert db.session.scalar(select(func.count()).select_from(Entry).where(
        Entry.offered_category_id == offered.id)) == 1


@pytest.mark.parametrize(("delimiter", "encoding"), [(";", "cp1251"), (",", "utf-8-sig"),
                                                     (";", "utf-8"), (",", "cp1251")])
def test_csv_encodings_and_delimiters(app, competition, delimiter, encoding):
    data = csv_bytes(messy_rows(), delimiter=delimiter, encoding=encoding)
    if encoding == "utf-8-sig":
        assert data.startswith(b"\xef\xbb\xbf")
    plan = build_plan(competition, data)
    assert plan.ok, [str(p) for p in plan.problems]
    assert plan.table.delimiter == delimiter
    assert plan.rows[3].value("last_name") == "Сёмина"
    assert plan.rows[2].value("organisation") == "ГПОУ «Кемеровский горнотехнический техникум»"
    assert plan.counts.persons_created == 7 and plan.counts.teams == 1


def test_header_in_another_order_in_english_with_a_title_line(app, competition):
    header = ["category", "competency", "Организация", "REGION", "birth_date", "first_name",
              "Last_Name", " отчество ", "E-mail", "Примечание"]
    rows = [["Основная", WELDING, "Техникум № 1", "Республика Татарстан",
             date(2005, 1, 2), "Фёдор", "Ёлкин", None, "f@example.ru", "любой текст"]]
    plan = build_plan(competition, xlsx(rows, header=header,
                                        title_rows=[["Список участников"]]))
    assert plan.ok, [str(p) for p in plan.problems]
    row = plan.rows[0]
    assert row.number == 3 and row.value("last_name") == "Ёлкин"
    assert row.value("email") == "f@example.ru" and row.birth_date == date(2005, 1, 2)
    assert plan.ignored_columns == ["Примечание"]


def test_headers_match_case_and_yo_insensitively(app, competition):
    header = [h.upper().replace("е", "ё") for h in HEADER]
    plan = build_plan(competition, csv_bytes([person_row()], header=header))
    assert plan.ok, [str(p) for p in plan.problems]


# --- problems ------------------------------------------------------------------------------

def test_errors_in_several_rows_are_all_reported_and_nothing_is_written(app, competition):
    factories.make_organisation(name="Техникум", region=factories.region("Москва"))
    before = db_counts()
    rows = [
        person_row(),                                                       # 2: fine
        person_row("Смирнов", born="31.02.2005"),                           # 3
        person_row("Кузнецов", region="Нарния"),                            # 4
        person_row("Попов", competency="Выпиливание лобзиком"),             # 5
        person_row("Васильев", category="Студенты"),                        # 6
        person_row(),                                                       # 7: row 2 again
        person_row("Зайцев", competency=TEAMWORK, team="Одиночки"),         # 8: team of 1
        person_row("Малышев", born="01.01.2013", category="Юниоры"),        # 9: too young
        person_row("Морозов", email="не почта"),                            # 10
        person_row("Волков", region=None, org=None),                        # 11
        person_row("Соколов", competency="Обработка текста"),               # 12: Абилимпикс
        person_row("Лебедев", born="2030-01-01"),                           # 13
        person_row("1234", phone="12"),                                     # 14
    ]
    plan = build_plan(competition, csv_bytes(rows))
    assert not plan.ok
    assert located(plan) >= {
        (3, "Дата рождения"), (4, "Регион"), (5, "Компетенция"), (6, "Категория"),
        (7, "Фамилия"), (8, "Команда"), (9, "Дата рождения"), (10, "Email"), (11, "Регион"),
        (11, "Организация"), (12, "Компетенция"), (13, "Дата рождения"), (14, "Фамилия"),
        (14, "Телефон"),
    }
    assert 2 not in {p.row for p in plan.problems}
    assert plan.invalid_rows == 12
    texts = [str(p) for p in plan.problems]
    assert any("7" in t and "«Фамилия»" in t and "2" in t for t in texts)
    assert any("«Выпиливание лобзиком»" in t for t in texts)
    with pytest.raises(ImportRefused):
        apply(plan)
    assert db_counts() == before


def test_missing_and_duplicate_columns(app, competition):
    plan = build_plan(competition, csv_bytes([["Иванов", "Пётр"]], header=["Фамилия", "Имя",
                                                                           "Регион"]))
    assert not plan.ok and not plan.rows
    message = str(plan.problems[0])
    for column in ("«Дата рождения»", "«Организация»", "«Компетенция»", "«Категория»"):
        assert column in message
    plan = build_plan(competition, csv_bytes([person_row() + ["x"]],
                                             header=HEADER + ["last_name"]))
    assert not plan.ok and "«last_name»" in str(plan.problems[0])


def test_a_file_with_a_header_only(app, competition):
    plan = build_plan(competition, csv_bytes([]))
    assert not plan.ok and plan.problems


def test_formulas_are_never_evaluated(app, competition):
    # CSV: a cell that starts with «=» is refused.
    rows = [person_row(last='=HYPERLINK("http://evil.example","x")'),
            person_row("Петров", org="=1+1")]
    plan = build_plan(competition, csv_bytes(rows))
    assert located(plan) >= {(2, "Фамилия"), (3, "Организация")}
    # XLSX: a formula cell gives the value Excel cached; openpyxl wrote none, so it is empty.
    plan = build_plan(competition, xlsx([person_row(org="=CONCATENATE(\"a\",\"b\")")]))
    assert located(plan) == {(2, "Организация")}
    # … and when Excel cached a value, that value is taken as plain data, not recomputed.
    source = zipfile.ZipFile(io.BytesIO(xlsx([person_row(org='="Техникум "&"№ 1"')])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert b"<v />" in content
                content = content.replace(b"<v />", "<v>Техникум № 1</v>".encode(), 1).replace(
                    b'<c r="F2">', b'<c r="F2" t="str">')
            target.writestr(info, content)
    plan = build_plan(competition, buffer.getvalue())
    assert plan.ok, [str(p) for p in plan.problems]
    assert plan.rows[0].value("organisation") == "Техникум № 1"


def test_team_rules(app, competition):
    rows = [
        person_row("А", team="Пятеро", competency=TEAMWORK),
        person_row("Б", team="Пятеро", competency=TEAMWORK),
        person_row("В", team="Пятеро", competency=TEAMWORK),
        person_row("Г", team="Пятеро", competency=TEAMWORK),
        person_row("Д", team="пятеро", competency=TEAMWORK),       # 6: the fifth member
        person_row("Е", team="Сборная", competency=TEAMWORK),
        person_row("Ж", team="Сборная", competency=TEAMWORK, region="Татарстан"),  # 8
    ]
    plan = build_plan(competition, csv_bytes(rows))
    assert located(plan) == {(6, "Команда"), (8, "Регион")}


def test_a_team_already_registered_with_other_members_is_an_error(app, competition):
    offered = factories.make_offered(competition, TEAMWORK, "Основная")
    a = factories.make_person(last_name="А", first_name="Пётр", middle_name="Сергеевич",
                              birth_date=date(2005, 3, 14))
    b = factories.make_person(last_name="Чужой")
    factories.make_entry(offered, [a, b], team_name="Команда")
    rows = [person_row("А", team="Команда", competency=TEAMWORK),
            person_row("Б", team="Команда", competency=TEAMWORK)]
    plan = build_plan(competition, csv_bytes(rows))
    assert located(plan) == {(2, "Команда"), (3, "Команда")}


def test_a_person_registered_in_a_team_cannot_be_added_individually(app, competition):
    offered = factories.make_offered(competition, WELDING, "Основная")
    a = factories.make_person(last_name="Иванов", first_name="Пётр", middle_name="Сергеевич",
                              birth_date=date(2005, 3, 14))
    factories.make_entry(offered, [a, factories.make_person()], team_name="Сварщики")
    plan = build_plan(competition, csv_bytes([person_row()]))
    assert located(plan) == {(2, "Команда")}


def test_the_same_person_with_another_region_in_two_rows(app, competition):
    rows = [person_row(), person_row(competency=COOKING, region="Татарстан")]
    plan = build_plan(competition, csv_bytes(rows))
    assert located(plan) == {(3, "Регион")}


def test_the_same_person_in_two_competencies_is_one_person(app, competition):
    plan = build_plan(competition, csv_bytes([person_row(), person_row(competency=COOKING)]))
    assert plan.ok
    counts = apply(plan)
    assert counts.persons_created == 1 and counts.entries == 2


# --- re-importing and existing data --------------------------------------------------------

def test_reimporting_the_same_file_creates_nothing_new(app, competition):
    data = xlsx(messy_rows())
    apply(build_plan(competition, data))
    before = db_counts()
    audit_before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    plan = build_plan(competition, data)
    assert plan.ok, [str(p) for p in plan.problems]
    assert {row.entry_status for row in plan.rows} == {"registered"}
    counts = apply(plan)
    assert counts.persons_created == 0 and counts.persons_reused == 7
    assert counts.entries == 0 and counts.teams == 0 and counts.already_registered == 6
    assert counts.organisations_created == 0 and counts.offers_added == 0
    assert db_counts() == before
    # only the import itself is logged
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audit_before + 1


def test_an_existing_person_is_reused_and_missing_contacts_filled(app, competition):
    person = factories.make_person(last_name="Иванов", first_name="Петр",
                                   middle_name="Сергеевич", birth_date=date(2005, 3, 14),
                                   email=None)
    plan = build_plan(competition, csv_bytes([person_row(email="petr@example.ru")]))
    assert plan.ok and plan.rows[0].person_status == "existing"
    counts = apply(plan)
    assert counts.persons_created == 0 and counts.persons_reused == 1 and counts.entries == 1
    db.session.refresh(person)
    assert person.email == "petr@example.ru"
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1


def test_apply_rolls_back_everything_when_a_service_refuses(app, competition, monkeypatch):
    before = db_counts()
    plan = build_plan(competition, xlsx(messy_rows()))
    assert plan.ok
    real = registration.bulk_create_entries

    def flaky(*args, **kwargs):
        real(*args, **kwargs)  # persons, organisations and entries are written by now …
        raise ServiceError("refused")  # … and then the import fails

    monkeypatch.setattr(registration, "bulk_create_entries", flaky)
    with pytest.raises(ImportRefused), boundary():  # as a request or command runs it
        apply(plan)
    db.session.expire_all()
    assert db_counts() == before


# --- hostile and broken files --------------------------------------------------------------

def _file_problem(competition, data) -> str:
    plan = build_plan(competition, data)
    assert not plan.ok and not plan.rows and len(plan.problems) == 1
    assert plan.problems[0].row is None
    return str(plan.problems[0])


def test_not_a_spreadsheet(app, competition):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    assert _file_problem(competition, png)
    assert _file_problem(competition, b"")
    assert _file_problem(competition, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert _file_problem(competition, buffer.getvalue())
    assert _file_problem(competition, "Фамилия;Имя\r\n".encode("utf-16"))


def test_truncated_xlsx(app, competition):
    data = xlsx(messy_rows())
    for cut in (len(data) // 2, len(data) - 30, 100):
        assert _file_problem(competition, data[:cut])


def test_corrupt_member_in_xlsx(app, competition):
    data = bytearray(xlsx(messy_rows()))
    start = data.find(b"xl/worksheets/sheet1.xml")
    data[start + 60:start + 200] = b"\x00" * 140
    assert _file_problem(competition, bytes(data))


def test_zip_bomb_is_refused_before_unpacking(app, competition):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(110):
                member.write(chunk)
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    # refused by the budget for a file of this size (a few MB per MB uploaded), not 100 MB
    budget = budgets.Budget.for_upload(len(data), max_rows=20000, max_columns=100,
                                       ceiling=100 * 1024 * 1024).unpacked
    assert budget < 10 * 1024 * 1024
    assert f"{budget / (1024 * 1024):.1f} МБ" in _file_problem(competition, data)


def test_too_many_rows(app, competition):
    app.config["IMPORT_MAX_ROWS"] = 5
    try:
        rows = [person_row(f"Иванов{'а' * i}") for i in range(6)]
        assert "5" in _file_problem(competition, csv_bytes(rows))
        assert "5" in _file_problem(competition, xlsx(rows))
        assert build_plan(competition, csv_bytes(rows[:5])).ok
    finally:
        app.config["IMPORT_MAX_ROWS"] = 20000


def test_a_cell_that_is_too_long(app, competition):
    message = _file_problem(competition, csv_bytes([person_row(org="Я" * 1001)]))
    assert "2" in message and "F" in message and "1000" in message


# --- the CLI -------------------------------------------------------------------------------

def _write(tmp_path, name, data) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_cli_dry_run_writes_nothing_then_import_prints_counts(app, competition, tmp_path):
    path = _write(tmp_path, "region.xlsx", xlsx(messy_rows()))
    runner = app.test_cli_runner()
    before = db_counts()
    result = runner.invoke(args=["import", "participants", path, "--competition",
                                 str(competition.id), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert db_counts() == before
    numbers = [line.rsplit(":", 1)[1].strip() for line in result.output.splitlines()[1:]]
    assert numbers == ["7", "7", "0", "6", "6", "1", "0", "1"]

    result = runner.invoke(args=["import", "participants", path, "--competition",
                                 str(competition.id)])
    assert result.exit_code == 0, result.output
    assert db_counts()["Person"] == before["Person"] + 7
    numbers = [line.rsplit(":", 1)[1].strip() for line in result.output.splitlines()[1:]]
    assert numbers == ["7", "7", "0", "6", "6", "1", "0", "1"]

    result = runner.invoke(args=["import", "participants", path, "--competition",
                                 str(competition.id)])
    assert result.exit_code == 0
    numbers = [line.rsplit(":", 1)[1].strip() for line in result.output.splitlines()[1:]]
    assert numbers == ["7", "0", "7", "0", "0", "0", "6", "0"]


def test_cli_prints_every_error_and_exits_non_zero(app, competition, tmp_path):
    rows = [person_row(), person_row("Смирнов", born="31.02.2005"),
            person_row("Кузнецов", region="Нарния")]
    path = _write(tmp_path, "bad.csv", csv_bytes(rows))
    before = db_counts()
    result = app.test_cli_runner().invoke(args=["import", "participants", path,
                                                "--competition", str(competition.id)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(" 3, «Дата рождения»" in line for line in lines)
    assert any(" 4, «Регион»" in line and "Нарния" in line for line in lines)
    assert db_counts() == before


def test_cli_unknown_competition_and_broken_file(app, competition, tmp_path):
    runner = app.test_cli_runner()
    path = _write(tmp_path, "x.xlsx", b"\x00\x01garbage")
    result = runner.invoke(args=["import", "participants", path, "--competition", "99999"])
    assert result.exit_code != 0
    result = runner.invoke(args=["import", "participants", path, "--competition",
                                 str(competition.id)])
    assert result.exit_code == 1 and result.output.strip()


# --- the web -------------------------------------------------------------------------------

def _upload(client, competition, data, name="participants.csv"):
    return client.post(f"/competitions/{competition.id}/import",
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_upload_preview_confirm(app, client, login, competition, upload_dir):
    login(client, "organiser")
    page = client.get(f"/competitions/{competition.id}/import")
    assert page.status_code == 200 and "template.xlsx" in page.text
    before = db_counts()
    response = _upload(client, competition, xlsx(messy_rows()), "region.xlsx")
    assert response.status_code == 200
    assert 'data-testid="confirm-import"' in response.text
    for number in range(2, 9):
        assert f'data-testid="row-{number}"' in response.text
    assert "Ханты-Мансийский автономный округ — Югра" in response.text  # ХМАО, matched
    assert db_counts() == before
    stored = pending_uploads()
    assert len(stored) == 1
    with client.session_transaction() as session:
        token = session["participants_import"]["token"]
    assert stored[0] == token_hash(token)  # the token itself is not stored

    response = client.post(f"/competitions/{competition.id}/import/confirm",
                           data={"token": token})
    assert response.status_code == 302
    assert db_counts()["Entry"] == before["Entry"] + 6
    assert pending_uploads() == []
    page = client.get(response.location)
    assert 'data-testid="import-result"' in page.text
    assert 'data-testid="count-entries">6<' in page.text
    assert 'data-testid="count-persons_created">7<' in page.text
    person = db.session.scalar(select(Person).where(Person.last_name == "Петрова"))
    log = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "participants.import"))
    assert person is not None and log is not None and log.user_id is not None
    assert log.details["entries"] == 6 and log.details["persons_created"] == 7
    entry = db.session.scalar(select(Entry).join(EntryMember).where(EntryMember.person_id == person.id))
    assert entry.created_by_id == log.user_id  # who registered it shows on the entry

    # a second confirm finds no file: nothing happens
    response = client.post(f"/competitions/{competition.id}/import/confirm",
                           data={"token": token})
    assert response.status_code == 302
    assert db_counts()["Entry"] == before["Entry"] + 6


def test_preview_with_problems_offers_no_confirm_and_keeps_only_rows_to_page(
        app, client, login, competition, upload_dir):
    login(client, "admin")
    rows = [person_row(), person_row("Смирнов", born="31.02.2005")]
    response = _upload(client, competition, csv_bytes(rows))
    assert response.status_code == 200
    assert 'data-testid="confirm-import"' not in response.text
    assert "«Дата рождения»" in response.text and "31.02.2005" in response.text
    assert len(pending_uploads()) == 1  # its rows can be paged
    response = _upload(client, competition, b"\x00\x01\x02 not a spreadsheet", "x.xlsx")
    assert response.status_code == 200 and 'data-testid="preview-problems"' in response.text
    assert pending_uploads() == []  # the earlier upload is forgotten, this one not kept


def test_confirm_validates_again(app, client, login, competition, upload_dir):
    login(client, "organiser")
    _upload(client, competition, csv_bytes([person_row()]))
    with client.session_transaction() as session:
        token = session["participants_import"]["token"]
    # meanwhile someone registers that person in a team here
    offered = factories.make_offered(competition, WELDING, "Основная")
    person = factories.make_person(last_name="Иванов", first_name="Пётр",
                                   middle_name="Сергеевич", birth_date=date(2005, 3, 14))
    factories.make_entry(offered, [person, factories.make_person()], team_name="Сварщики")
    before = db_counts()
    response = client.post(f"/competitions/{competition.id}/import/confirm",
                           data={"token": token})
    assert response.status_code == 422
    assert "«Команда»" in response.text
    assert db_counts() == before
    assert pending_uploads() == []


def test_confirm_with_a_forged_token_does_nothing(app, client, login, competition, upload_dir):
    login(client, "organiser")
    _upload(client, competition, csv_bytes([person_row()]))
    before = db_counts()
    for token in ("../../etc/passwd", "A" * 32, ""):
        response = client.post(f"/competitions/{competition.id}/import/confirm",
                               data={"token": token})
        assert response.status_code == 302
    other = factories.make_competition()
    with client.session_transaction() as session:
        token = session["participants_import"]["token"]
    response = client.post(f"/competitions/{other.id}/import/confirm", data={"token": token})
    assert response.status_code == 302
    assert db_counts() == before


def test_cancel_deletes_the_upload(app, client, login, competition, upload_dir):
    login(client, "organiser")
    _upload(client, competition, csv_bytes([person_row()]))
    assert len(pending_uploads()) == 1
    assert client.post(f"/competitions/{competition.id}/import/cancel").status_code == 302
    assert pending_uploads() == []


def test_a_file_above_the_size_limit_gets_413(app, client, login, competition):
    login(client, "organiser")
    app.config["MAX_CONTENT_LENGTH"] = 2000
    try:
        response = _upload(client, competition, b"x" * 5000)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 10 * 1024 * 1024
    assert response.status_code == 413


def test_upload_without_a_file(app, client, login, competition):
    login(client, "organiser")
    response = client.post(f"/competitions/{competition.id}/import", data={},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and "is-invalid" in response.text


def test_template_download_opens_and_imports(app, client, login, competition):
    login(client, "organiser")
    response = client.get(f"/competitions/{competition.id}/import/template.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == [*HEADER, *GUARDIAN_HEADER, *PUBLICATION_HEADER,
                                           "Вне конкурса"]
    assert len(workbook.worksheets) == 2
    # filled in, the template imports
    sheet.append(person_row(born=date(2005, 3, 14)))
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = build_plan(competition, buffer.getvalue())
    assert plan.ok and plan.rows[0].number == 2


@pytest.mark.parametrize("role", ["expert", "coordinator"])
def test_only_organisers_and_admins_may_import(app, client, login, competition, role):
    login(client, role)
    base = f"/competitions/{competition.id}/import"
    assert client.get(base).status_code == 403
    assert client.get(base + "/template.xlsx").status_code == 403
    assert _upload(client, competition, csv_bytes([person_row()])).status_code == 403
    assert client.post(base + "/confirm", data={"token": "x"}).status_code == 403


def test_anonymous_is_sent_to_login_and_unknown_competition_is_404(app, client, login):
    response = client.get("/competitions/1/import")
    assert response.status_code == 302 and "/login" in response.location
    login(client, "organiser")
    assert client.get("/competitions/99999/import").status_code == 404


def test_a_neutralised_csv_cell_reads_as_written(app, competition):
    plan = build_plan(competition, csv_bytes([person_row(phone="'+7 912 345-67-89"),
                                              person_row("Петров", org="'=1+1")]))
    assert plan.rows[0].value("phone") == "+7 912 345-67-89"
    assert located(plan) == {(3, "Организация")}  # and a formula stays refused


# --- team rules and closed competitions ----------------------------------------------------

def test_a_team_in_an_individual_competency_and_a_person_alone_in_a_team_one(app, competition):
    # WELDING is individual, TEAMWORK a team competency (both offered by the fixture)
    rows = [person_row("А", team="Сварщики"), person_row("Б", team="Сварщики"),   # 2, 3
            person_row("В", competency=TEAMWORK)]                                 # 4: alone
    plan = build_plan(competition, csv_bytes(rows))
    assert located(plan) == {(2, "Команда"), (3, "Команда"), (4, "Команда")}
    texts = " ".join(str(p) for p in plan.problems)
    assert "individual" in texts or "личный" in texts


def test_a_competency_first_offered_with_teams_becomes_a_team_one(app, competition):
    # «Предпринимательство»-like: not a team competency in the reference data
    assert not factories.competency(COOKING).is_team
    rows = [person_row("А", competency=COOKING, team="Повара"),
            person_row("Б", competency=COOKING, team="Повара")]
    plan = build_plan(competition, csv_bytes(rows))
    assert plan.ok, [str(p) for p in plan.problems]
    apply(plan)
    offered = db.session.scalar(select(OfferedCompetency).where(
        OfferedCompetency.competition_id == competition.id,
        OfferedCompetency.competency_id == factories.competency(COOKING).id))
    assert offered.is_team
    # from now on a person alone is refused there, through the same rule as the forms
    plan = build_plan(competition, csv_bytes([person_row("В", competency=COOKING)]))
    assert located(plan) == {(2, "Команда")}


def test_a_closed_competition_refuses_new_entries_but_a_reimport_reports_nothing(app,
                                                                                 competition):
    data = xlsx(messy_rows())
    apply(build_plan(competition, data))
    competition.status = "results_published"
    db.session.commit()
    plan = build_plan(competition, data)
    assert plan.ok and plan.counts.entries == 0 and plan.counts.already_registered == 6
    plan = build_plan(competition, csv_bytes([person_row("Новиков")]))
    assert not plan.ok and any(p.row is None for p in plan.problems)
    competition.status = "archived"
    db.session.commit()
    assert not build_plan(competition, csv_bytes([person_row("Новиков")])).ok


# --- guardians' consent --------------------------------------------------------------------

def test_template_has_the_guardian_columns_with_instructions(app, client, login, competition):
    login(client, "organiser")
    workbook = load_workbook(io.BytesIO(
        client.get(f"/competitions/{competition.id}/import/template.xlsx").data))
    header = [c.value for c in workbook.worksheets[0][1]]
    assert header[-5:-3] == GUARDIAN_HEADER and header[-3:-1] == PUBLICATION_HEADER
    assert header[-1] == "Вне конкурса"
    notes = [row[0].value for row in workbook.worksheets[1].iter_rows()]
    assert set(GUARDIAN_HEADER) <= set(notes)


def test_guardian_columns_import_into_the_person(app, competition):
    minor = [*person_row("Юнусова", "Алия", "Маратовна", "01.09.2009", consent="01.02.2024"),
             "Юнусова Гульнара Ринатовна", "02.02.2024"]
    plan = build_plan(competition, xlsx([minor], header=[*HEADER, *GUARDIAN_HEADER]))
    assert plan.ok, [str(p) for p in plan.problems]
    apply(plan)
    person = db.session.scalar(select(Person).where(Person.last_name == "Юнусова"))
    assert person.guardian_name == "Юнусова Гульнара Ринатовна"
    assert person.guardian_consent_date == date(2024, 2, 2)
    assert not person_service.consent_missing(person, date(2024, 3, 1))


def test_guardian_column_problems_are_row_numbered(app, competition):
    header = [*HEADER, *GUARDIAN_HEADER]
    rows = [
        [*person_row("Первый"), "Иванова Мария", "02.02.2024"],        # 2: fine
        [*person_row("Второй"), "Иванова Мария", "31.02.2024"],        # 3: no such date
        [*person_row("Третий"), None, "02.02.2024"],                   # 4: whose consent?
        [*person_row("Четвёртый"), "Иванова Мария", "01.01.2999"],     # 5: in the future
    ]
    plan = build_plan(competition, csv_bytes(rows, header=header))
    assert located(plan) == {(3, "Дата согласия законного представителя"),
                             (4, "ФИО законного представителя"),
                             (5, "Дата согласия законного представителя")}
    texts = {p.row: str(p) for p in plan.problems}
    assert "31.02.2024" in texts[3] and "не существует" in texts[3] and "29 дн" in texts[3]
    assert "Строка 4" in texts[4]


def test_an_impossible_birth_date_says_it_does_not_exist(app, competition):
    plan = build_plan(competition, csv_bytes([person_row(born="29.02.2023")]))
    (problem,) = plan.problems
    assert "Даты 29.02.2023 не существует: в этом месяце 28 дней." in str(problem)


def test_participants_export_carries_the_guardian_columns_back(app, tmp_path, competition):
    minor = [*person_row("Юнусова", "Алия", "Маратовна", "01.09.2009"), "Юнусова Г. Р.",
             "02.02.2024"]
    apply(build_plan(competition, xlsx([minor], header=[*HEADER, *GUARDIAN_HEADER])))
    out = tmp_path / "p.csv"
    result = app.test_cli_runner().invoke(args=["export", "participants", "--format", "csv",
                                                "--output", str(out)])
    assert result.exit_code == 0, result.output
    header, row = out.read_bytes().decode("utf-8-sig").splitlines()[:2]
    assert header.split(";")[-6:-4] == GUARDIAN_HEADER
    assert row.split(";")[-6:-4] == ["Юнусова Г. Р.", "02.02.2024"]
    assert row.split(";")[-4:-1] == ["нет", "нет", "нет"]
    assert header.split(";")[-1] == "Номер участника"
