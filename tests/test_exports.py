"""The exporter registry, the one renderer, the export page and the CLI."""
import csv
import io
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from registry.exporters import EXPORTERS
from registry.exporters.base import DATE, DECIMAL, INTEGER, Column
from registry.exporters.render import neutralise, render_csv, render_xlsx
from registry.extensions import db
from registry.importers.participants import apply, build_plan
from registry.models import AuditEntry, Entry, HealthRecord, Person
from registry.services import reference

from . import factories

HOSTILE = ["=HYPERLINK(\"http://x\")", "+7 912 000", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_neutralise_prefixes_only_dangerous_text():
    for value in HOSTILE:
        assert neutralise(value) == "'" + value
    assert neutralise("Иванов") == "Иванов" and neutralise("") == ""


def _columns():
    return [Column("Имя"), Column("Дата", DATE), Column("Баллы", DECIMAL), Column("Место", INTEGER)]


def test_csv_has_bom_semicolon_decimal_comma_and_neutralised_cells():
    rows = [(v, date(2024, 3, 1), Decimal("95.5"), 1) for v in HOSTILE]
    data = b"".join(render_csv(_columns(), rows))
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert parsed[0] == ["Имя", "Дата", "Баллы", "Место"]
    assert parsed[1][1:] == ["01.03.2024", "95,5", "1"]
    for row, value in zip(parsed[1:], HOSTILE, strict=True):
        assert row[0] == "'" + value


def test_csv_neutralises_the_one_dangerous_cell_of_a_batch_of_plain_ones():
    """The CSV converts a thousand rows at a time and skips ``neutralise`` for a batch that
    can hold nothing it would change: one hostile value anywhere, even after a line break
    inside another value or as a number in a text column, still gets its apostrophe."""
    plain = [("Иванов", None, None, i) for i in range(2500)]
    rows = list(plain)
    rows[1700] = ("Петров\n=cmd", None, None, 1700)  # a line break inside: not a cell start
    rows[1999] = ("=1+1", None, None, 1999)
    rows[2100] = ("Сидо\x07ров", None, None, 2100)  # a control character is dropped
    rows[2400] = (-5, None, None, 2400)  # a number in a text column is text there
    rows[2401] = ("＝1+1", None, None, 2401)  # a full-width sign folds to «=»
    rows[2402] = ("_x", None, None, 2402)  # not a letter, and nothing to neutralise
    rows[500] = ("\n=1", None, None, 500)  # a line break first, alone in its batch
    rows[2404] = (None, None, None, 2404)
    parsed = list(csv.reader(io.StringIO(b"".join(render_csv(_columns(), rows))
                                         .decode("utf-8-sig"), newline=""), delimiter=";"))
    names = [row[0] for row in parsed[1:]]
    assert len(names) == 2500
    assert names[1700] == "Петров\n=cmd" and names[1999] == "'=1+1"
    assert names[2100] == "Сидоров" and names[2400] == "'-5" and names[2401] == "'＝1+1"
    assert names[2402] == "_x" and names[500] == "'\n=1" and names[2404] == ""
    assert names.count("Иванов") == 2500 - 8
    assert [row[3] for row in parsed[1:]] == [str(i) for i in range(2500)]


def test_csv_with_comma_delimiter_keeps_decimal_point():
    text = b"".join(render_csv(_columns(), [("a", None, Decimal("7.25"), 2)], delimiter=",")).decode("utf-8-sig")
    assert text.splitlines()[1] == "a,,7.25,2"


def test_xlsx_is_typed_with_bold_frozen_filtered_header_and_no_formulas():
    rows = [(v, date(2024, 3, 1), Decimal("95.5"), 1) for v in HOSTILE]
    data = b"".join(render_xlsx(_columns(), rows, title="Победители"))
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == ["Имя", "Дата", "Баллы", "Место"]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:D{len(HOSTILE) + 1}"
    # 16 characters as Excel shows them (the file stores them with Excel's 0.71 padding)
    assert int(sheet.column_dimensions["A"].width) == 16
    for row_cells, value in zip(sheet.iter_rows(min_row=2), HOSTILE, strict=True):
        name, day, points, place = row_cells
        # text, never a formula; a CR is written as OOXML's escape «_x000D_», which Excel and
        # calamine decode (openpyxl does not)
        assert name.data_type == "s" and name.value.replace("_x000D_", "\r") == value
        assert day.is_date and day.value.date() == date(2024, 3, 1)
        assert points.data_type == "n" and points.value == 95.5
        assert place.value == 1


def test_renderers_stream_in_chunks():
    rows = (("x" * 50, None, None, i) for i in range(5000))
    chunks = list(render_csv(_columns(), rows))
    assert len(chunks) > 5  # yielded as it goes, not as one string


# --- participants export --------------------------------------------------------------

def _registered_competition():
    competition = factories.make_competition()
    offered = factories.make_offered(competition, "Сварочные технологии", "Основная")
    org = factories.make_organisation(name="ГАПОУ «Гуманитарно-технический техникум»")
    alone = factories.make_person(last_name="Инявин", first_name="Никита", organisation=org,
                                  phone="+7 912 345-67-89", email="n@example.ru")
    factories.register_entry(offered, [alone])
    team = factories.make_offered(competition, "Командная работа на производстве", "Основная")
    members = [factories.make_person(last_name=n, organisation=org) for n in ("Азаров", "Быков")]
    factories.register_entry(team, members, team_name="Оренбург-1")
    factories.make_health_record(alone)
    return competition


def _export(app, name, fmt, tmp_path, *args):
    out = tmp_path / f"out.{fmt}"
    result = app.test_cli_runner().invoke(
        args=["export", name, "--format", fmt, "--output", str(out), *args])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_participants_export_reimports_unchanged(app, tmp_path, fmt):
    competition = _registered_competition()
    data = _export(app, "participants", fmt, tmp_path, "--competition", str(competition.id))
    persons_before = db.session.scalar(select(func.count()).select_from(Person))
    target = factories.make_competition(title="Профессионалы 2025", year=2025)
    plan = build_plan(target, data, filename=f"p.{fmt}")
    assert plan.ok, [p.message for p in plan.problems]
    counts = apply(plan)
    assert (counts.persons_created, counts.persons_reused) == (0, 3)
    assert (counts.entries, counts.teams) == (2, 1)
    assert db.session.scalar(select(func.count()).select_from(Person)) == persons_before
    # and the same file into the same competition: nothing new
    plan = build_plan(competition, data, filename=f"p.{fmt}")
    assert plan.ok and apply(plan).entries == 0
    phones = [row.value("phone") for row in plan.rows if row.value("last_name") == "Инявин"]
    assert phones == ["+7 912 345-67-89"]  # the CSV's neutralising apostrophe is removed


def test_participants_export_has_no_health_data(app, tmp_path):
    competition = _registered_competition()
    assert db.session.scalar(select(func.count()).select_from(HealthRecord)) == 1
    text = _export(app, "participants", "csv", tmp_path, "--competition", str(competition.id)).decode("utf-8-sig")
    assert "II группа" not in text and "группа" not in text.lower()
    assert text.splitlines()[0].split(";")[:3] == ["Фамилия", "Имя", "Отчество"]


def test_english_headers_with_lang_en(app, tmp_path):
    competition = _registered_competition()
    text = _export(app, "participants", "csv", tmp_path, "--competition", str(competition.id),
                   "--lang", "en").decode("utf-8-sig")
    assert text.splitlines()[0].startswith("last_name;first_name;middle_name;birth_date")


def test_export_filters_by_region_and_refuses_unknown_values(app, tmp_path):
    competition = _registered_competition()
    other = factories.make_person(last_name="Казанцев", region=factories.region("Республика Татарстан"))
    factories.register_entry(factories.make_offered(competition, "Сварочные технологии", "Основная"), [other])
    text = _export(app, "participants", "csv", tmp_path, "--region", "Татарстан").decode("utf-8-sig")
    assert "Казанцев" in text and "Инявин" not in text
    result = app.test_cli_runner().invoke(args=["export", "participants", "--format", "csv",
                                                "--output", str(tmp_path / "x.csv"), "--region", "Атлантида"])
    assert result.exit_code != 0 and not (tmp_path / "x.csv").exists()
    result = app.test_cli_runner().invoke(args=["export", "nope", "--output", str(tmp_path / "y")])
    assert result.exit_code != 0 and "participants" in result.output


def test_export_finds_the_competency_by_code_and_former_name(app, tmp_path):
    """The exporters' competency filter is the imports' lookup: name, code or alias."""
    competition = _registered_competition()
    cooking = factories.make_offered(competition, "Поварское дело", "Основная")
    factories.register_entry(cooking, [factories.make_person(last_name="Казанцев")])
    competency = cooking.offered_competency.competency
    competency.code = "R34"
    reference.add_alias(competency, "Кулинария (2018)")
    db.session.commit()
    for typed in ("R34", "кулинария (2018)", "Поварское дело"):
        text = _export(app, "participants", "csv", tmp_path, "--competency", typed
                       ).decode("utf-8-sig")
        assert "Казанцев" in text and "Инявин" not in text, typed


def test_withdrawn_entries_are_not_in_the_registration_list(app, tmp_path):
    competition = _registered_competition()
    entry = db.session.scalar(select(Entry).where(Entry.team_name.is_(None)))
    entry.status = "withdrawn"
    db.session.commit()
    text = _export(app, "participants", "csv", tmp_path, "--competition", str(competition.id)).decode("utf-8-sig")
    assert "Инявин" not in text and "Азаров" in text


# --- the page ---------------------------------------------------------------------------

def test_export_page_lists_exporters_and_downloads_with_audit(client, login):
    competition = _registered_competition()
    user = login(client, "coordinator")
    page = client.get("/exports/")
    assert page.status_code == 200
    for identifier in EXPORTERS:
        assert f"/exports/{identifier}" in page.text
    response = client.get(f"/exports/participants?competition={competition.id}&format=xlsx&lang=ru&delimiter=%3B")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment;" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet.max_row == 4
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export.run"))
    assert audit.user_id == user.id
    assert audit.details["exporter"] == "participants"
    assert audit.details["filters"] == {"competition": str(competition.id)}


def test_export_with_bad_filter_shows_message_not_500(client, login):
    login(client, "organiser")
    response = client.get("/exports/participants?region=Атлантида&format=csv&lang=ru&delimiter=%3B")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


@pytest.mark.parametrize("role", ["expert"])
def test_experts_cannot_export(client, login, role):
    login(client, role)
    assert client.get("/exports/participants?format=csv").status_code == 403


def test_unknown_exporter_is_404(client, login):
    login(client, "coordinator")
    assert client.get("/exports/nothing").status_code == 404


def test_the_csv_batch_test_of_a_plain_start_is_exactly_a_letter_or_digit():
    """The CSV's quick test (``render._NOT_PLAIN_START``) lets a value through untouched
    when it starts with a letter or a digit, ``starts_formula``'s own first test: over every
    code point, the two agree."""
    import sys

    from registry.exporters.render import _NOT_PLAIN_START

    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        assert (_NOT_PLAIN_START.search(ch + "x") is None) == ch.isalnum(), hex(code)
    assert _NOT_PLAIN_START.search("a\n\nb")  # a value starting with LF: an empty line
