"""What the three importers share: one date parser, one award-word table, problems placed
«Row N, «column»», title rows skipped; and the results import's preview → confirm, which is
the participants import's mechanism (one upload waiting room)."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal as D

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from registry.extensions import db
from registry.importers import cells
from registry.importers import participants as participants_importer
from registry.importers import results as protocol
from registry.importers.base import ImportRefused, Problem
from registry.importers.scheme import SchemeFileError, read_scheme
from registry.models import Competition, Entry, ProtocolResult
from registry.services import ServiceError, awards

from . import factories
from .pending import pending_uploads, token_hash

WELDING = "Сварочные технологии"
PARTICIPANTS = "Фамилия;Имя;Отчество;Дата рождения;Регион;Организация;Компетенция;Категория\n"
PROTOCOL = "Компетенция;Категория;Фамилия;Имя;Отчество;Дата рождения;Команда;Баллы;Место;Награда\n"


def _participants_csv(born: str) -> bytes:
    return (PARTICIPANTS + f"Орлов;Иван;Петрович;{born};г. Москва;Колледж № 1;{WELDING};"
            "Основная\n").encode("cp1251")


def _protocol_csv(*rows: str, title: str = "") -> bytes:
    return (title + PROTOCOL + "".join(r + "\n" for r in rows)).encode("cp1251")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def contest(app):
    competition = factories.make_competition(medallion_threshold=D(60))
    offered = factories.make_offered(competition, WELDING, "Основная")
    entries = {}
    for last in ("Орлов", "Соколов", "Воронов"):
        person = factories.make_person(last_name=last, first_name="Иван", middle_name="Петрович",
                                       birth_date=date(2005, 1, 2))
        entries[last] = factories.register_entry(offered, [person])
    return competition, offered, entries


@pytest.fixture
def upload_dir(app, tmp_path):
    app.config["IMPORT_UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config.pop("IMPORT_UPLOAD_DIR", None)


# --- one date parser, one award table -----------------------------------------------------

ODD_DATES = ("2.1.2005", "02.01.2005 0:00:00", "2005-01-02", "2005-1-2T00:00:00")


@pytest.mark.parametrize("written", ODD_DATES)
def test_participants_and_results_read_the_same_dates(contest, written):
    competition, offered, entries = contest
    assert cells.parse_date(written) == date(2005, 1, 2)
    plan = participants_importer.build_plan(competition, _participants_csv(written))
    assert plan.ok, [str(p) for p in plan.problems]
    assert plan.rows[0].birth_date == date(2005, 1, 2)
    assert plan.rows[0].person is not None  # the same person: the date was read the same
    plan = protocol.build_plan(competition, _protocol_csv(
        f"{WELDING};Основная;Орлов;Иван;;{written};;88;;"))
    assert plan.ok, plan.errors
    assert plan.results[0].entry.id == entries["Орлов"].id


@pytest.mark.parametrize("written", ["31.02.2005", "14/03/2005", "вчера"])
def test_participants_and_results_refuse_the_same_dates(contest, written):
    competition, _offered, _entries = contest
    plan = participants_importer.build_plan(competition, _participants_csv(written))
    assert {(p.row, p.column) for p in plan.problems} == {(2, "Дата рождения")}
    plan = protocol.build_plan(competition, _protocol_csv(
        f"{WELDING};Основная;Орлов;Иван;;{written};;88;;"))
    assert [(p.row, p.column) for p in plan.problems] == [(2, "Дата рождения")]
    assert participants_importer.parse_date is cells.parse_date


def test_an_excel_date_cell_and_day_number_are_read_by_both(contest):
    competition, _offered, entries = contest
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Компетенция", "Категория", "Фамилия", "Имя", "Дата рождения", "Баллы"])
    sheet.append([WELDING, "Основная", "Орлов", "Иван", date(2005, 1, 2), 90])
    sheet.append([WELDING, "Основная", "Соколов", "Иван", 38354, 80])  # Excel's day number
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = protocol.build_plan(competition, buffer.getvalue())
    assert plan.ok, plan.errors
    assert [r.entry.id for r in plan.results] == [entries["Орлов"].id, entries["Соколов"].id]


def test_one_award_table_for_the_protocol_and_the_export_filters(contest):
    from registry.exporters.filters import _award

    assert not hasattr(awards, "AWARD_WORDS")  # merged into importers.cells
    for word, slug in (("Золото", "gold"), ("золотая медаль", "gold"),
                       ("Медальон за профессионализм", "medallion"), ("призер", "prize_winner"),
                       ("Призёр", "prize_winner"), ("специальная", "special")):
        assert cells.award_cell(word) == slug
        assert _award(word) == slug
    competition, offered, entries = contest
    plan = protocol.build_plan(competition, _protocol_csv(
        f"{WELDING};Основная;Орлов;Иван;;;;;1;Золотая медаль",
        f"{WELDING};Основная;Соколов;Иван;;;;;2;серебряная медаль",
        f"{WELDING};Основная;Воронов;Иван;;;;;3;специальная"))
    assert [(p.row, p.column) for p in plan.problems] == [(4, "Награда")]
    assert [r.award for r in plan.results] == ["gold", "silver"]


# --- problems placed by row and column ---------------------------------------------------

def test_a_problem_in_each_importer_names_its_row_and_column(contest):
    competition, offered, _entries = contest
    plan = participants_importer.build_plan(competition, _participants_csv("31.02.2005"))
    assert [str(p) for p in plan.problems][0].startswith("Строка 2, «Дата рождения»: ")

    plan = protocol.build_plan(competition, _protocol_csv(
        f"{WELDING};Основная;Орлов;Иван;;;;85;;",
        f"{WELDING};Основная;Соколов;Иван;;;;много;;",
        f"{WELDING};Основная;Воронов;Иван;;;;70;0;"))
    assert [str(p) for p in plan.problems] == [
        "Строка 3, «Баллы»: «много» — не число баллов.",
        "Строка 4, «Место»: «0» — не место (целое число от 1).",
    ]
    assert all(isinstance(p, Problem) for p in plan.problems)

    scheme = ("Критерий;Название критерия;Аспект;Макс. балл;Тип\n"
              "A;Подготовка;Организация места;10;измеримая\n"
              "A;Подготовка;Чистота;много;измеримая\n").encode()
    with pytest.raises(SchemeFileError) as refused:
        read_scheme(scheme)
    assert refused.value.message.startswith("Строка 3, «Макс. балл»: ")
    assert [(p.row, p.column) for p in refused.value.problems] == [(3, "Макс. балл")]


def test_title_rows_above_the_header_are_skipped_by_every_importer(contest):
    competition, _offered, _entries = contest
    plan = protocol.build_plan(competition, _protocol_csv(
        f"{WELDING};Основная;Орлов;Иван;;;;85;;", title="Протокол регионального этапа\n\n"))
    assert plan.ok, plan.errors
    assert plan.results[0].rows == [4]  # as the spreadsheet numbers it
    rows = read_scheme(("Схема оценки;;\nКритерий;Аспект;Макс. балл;Тип\n"
                        "A;Организация места;10;измеримая\n").encode())
    assert [(r.number, r.code, r.max_marks) for r in rows] == [(3, "A", "10")]


def test_the_columns_the_file_names_are_used_in_the_problems(contest):
    competition, _offered, _entries = contest
    data = ("Competency;Category;Surname;Given name;Points\n"
            f"{WELDING};Основная;Орлов;Иван;сто\n").encode()
    plan = protocol.build_plan(competition, data)
    assert [(p.row, p.column) for p in plan.problems] == [(2, "Points")]
    plan = protocol.build_plan(competition, "Компетенция;Фамилия;Имя\n".encode())
    assert len(plan.problems) == 1 and "«Баллы»" in str(plan.problems[0]) \
        and "«Место»" in str(plan.problems[0])


def test_the_refusal_of_every_importer_is_a_service_error(contest):
    competition, _offered, _entries = contest
    plan = protocol.build_plan(competition, _protocol_csv(f"{WELDING};Основная;Никто;Иван;;;;9;;"))
    with pytest.raises(ImportRefused) as refused:
        protocol.apply(plan)
    assert isinstance(refused.value, ServiceError) and refused.value.problems
    assert participants_importer.ImportRefused is ImportRefused


# --- the results import: preview, then confirm -------------------------------------------

def _upload(client, competition, data, name="protocol.csv"):
    return client.post(f"/results/{competition.id}/import",
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _token(client) -> str:
    with client.session_transaction() as session:
        return session["results_import"]["token"]


def _confirm(client, competition, token):
    return client.post(f"/results/{competition.id}/import/confirm", data={"token": token})


def test_results_upload_shows_every_row_and_writes_nothing_then_confirm_writes(
        contest, client, login, upload_dir):
    competition, offered, entries = contest
    login(client, "organiser")
    page = client.get(f"/results/{competition.id}/import")
    assert page.status_code == 200 and 'data-testid="upload-submit"' in page.text
    response = _upload(client, competition, _protocol_csv(
        f"{WELDING};Основная;Орлов;Иван;;;;85,5;;",
        f"{WELDING};Основная;Соколов;Иван;;;;70;;"))
    assert response.status_code == 200
    assert 'data-testid="import-ok"' in response.text
    assert 'data-testid="confirm-import"' in response.text
    for number in (2, 3):
        assert f'data-testid="row-{number}"' in response.text
    assert "Орлов Иван Петрович" in response.text and "85,5" in response.text
    assert _count(ProtocolResult) == 0
    stored = pending_uploads()
    assert stored == [token_hash(_token(client))]

    response = _confirm(client, competition, _token(client))
    assert response.status_code == 302
    assert response.location.endswith(f"/results/{competition.id}")
    assert sorted(db.session.scalars(select(ProtocolResult.points))) == [D(70), D("85.5")]
    assert pending_uploads() == []
    # a second confirm finds no file: nothing happens
    response = client.post(f"/results/{competition.id}/import/confirm", data={"token": "x" * 32})
    assert response.status_code == 302 and _count(ProtocolResult) == 2


def test_results_preview_says_what_changes(contest, client, login, upload_dir):
    competition, offered, entries = contest
    first = protocol.build_plan(competition, _protocol_csv(
        f"{WELDING};Основная;Орлов;Иван;;;;85;;", f"{WELDING};Основная;Соколов;Иван;;;;70;;",
        f"{WELDING};Основная;Воронов;Иван;;;;60;;"))
    protocol.apply(first)
    db.session.commit()
    login(client, "organiser")
    response = _upload(client, competition, _protocol_csv(
        f"{WELDING};Основная;Орлов;Иван;;;;85;;", f"{WELDING};Основная;Соколов;Иван;;;;75;;"))
    assert response.status_code == 200
    assert "без изменений" in response.text and "изменится" in response.text
    assert 'data-testid="results-removed"' in response.text and "Воронов" in response.text
    plan = protocol.build_plan(competition, _protocol_csv(
        f"{WELDING};Основная;Орлов;Иван;;;;85;;", f"{WELDING};Основная;Соколов;Иван;;;;75;;"))
    assert [r.changed for r in plan.results] == [False, True]
    assert [p.entry_id for p in plan.removed] == [entries["Воронов"].id]
    assert _count(ProtocolResult) == 3


def test_results_confirm_validates_again(contest, client, login, upload_dir):
    competition, offered, entries = contest
    login(client, "organiser")
    _upload(client, competition, _protocol_csv(f"{WELDING};Основная;Орлов;Иван;;;;85;;"))
    token = _token(client)
    # meanwhile the participant is withdrawn
    entry = db.session.get(Entry, entries["Орлов"].id)
    entry.status = "withdrawn"
    db.session.commit()
    response = _confirm(client, competition, token)
    assert response.status_code == 422
    assert 'data-testid="import-errors"' in response.text
    assert "Строка 2" in response.text and "снят" in response.text
    assert 'data-testid="confirm-import"' not in response.text
    assert _count(ProtocolResult) == 0
    assert pending_uploads() == []


def test_results_token_is_bound_to_the_session_and_the_competition(
        app, contest, client, login, upload_dir):
    competition, offered, entries = contest
    login(client, "organiser")
    _upload(client, competition, _protocol_csv(f"{WELDING};Основная;Орлов;Иван;;;;85;;"))
    token = _token(client)
    for forged in ("../../etc/passwd", "A" * 32, ""):
        assert _confirm(client, competition, forged).status_code == 302
    other = factories.make_competition()
    assert _confirm(client, other, token).status_code == 302
    # the participants waiting room is another one: its confirm does not take this token
    assert client.post(f"/competitions/{competition.id}/import/confirm",
                       data={"token": token}).status_code == 302
    # another session (another organiser) cannot confirm it
    stranger = app.test_client()
    login(stranger, "admin")
    assert _confirm(stranger, competition, token).status_code == 302
    assert _count(ProtocolResult) == 0
    assert len(pending_uploads()) == 1
    # the upload's own session still can
    assert _confirm(client, db.session.get(Competition, competition.id), token).status_code == 302
    assert _count(ProtocolResult) == 1


def test_results_cancel_deletes_the_upload(contest, client, login, upload_dir):
    competition, _offered, _entries = contest
    login(client, "organiser")
    _upload(client, competition, _protocol_csv(f"{WELDING};Основная;Орлов;Иван;;;;85;;"))
    assert len(pending_uploads()) == 1
    assert client.post(f"/results/{competition.id}/import/cancel").status_code == 302
    assert pending_uploads() == []
    assert _count(ProtocolResult) == 0


@pytest.mark.parametrize("role", ["expert", "coordinator"])
def test_only_organisers_and_admins_import_results(contest, client, login, role):
    competition, _offered, _entries = contest
    login(client, role)
    base = f"/results/{competition.id}/import"
    assert client.get(base).status_code == 403
    assert _upload(client, competition, _protocol_csv()).status_code == 403
    assert client.post(base + "/confirm", data={"token": "x"}).status_code == 403
    assert client.post(base + "/cancel").status_code == 403


def test_results_cli_prints_problems_with_their_row_and_column(contest, app, tmp_path):
    competition, _offered, _entries = contest
    path = tmp_path / "p.csv"
    path.write_bytes(_protocol_csv(f"{WELDING};Основная;Орлов;Иван;;;;сто;;"))
    result = app.test_cli_runner().invoke(args=["import", "results", str(path),
                                                "--competition", str(competition.id)])
    assert result.exit_code == 1
    assert any(" 2, «Баллы»" in line for line in result.output.splitlines())
    result = app.test_cli_runner().invoke(args=["import", "results", str(path),
                                                "--competition", "99999"])
    assert result.exit_code != 0
    assert _count(ProtocolResult) == 0
