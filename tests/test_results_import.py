"""Importing results from paper protocols: matching, errors by row, all or nothing."""
import io
from datetime import date
from decimal import Decimal as D

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from registry.extensions import db
from registry.importers import results as protocol
from registry.models import ProtocolResult
from registry.services import results

from . import factories


@pytest.fixture
def upload_dir(app, tmp_path):
    app.config["IMPORT_UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config.pop("IMPORT_UPLOAD_DIR", None)


def _token(client) -> str:
    with client.session_transaction() as session:
        return session["results_import"]["token"]

HEADER = "Компетенция;Категория;Фамилия;Имя;Отчество;Дата рождения;Команда;Баллы;Место;Награда\n"


def _csv(*rows):
    return (HEADER + "".join(r + "\n" for r in rows)).encode("cp1251")


def _setup(kind_slug="professionaly"):
    competition = factories.make_competition(kind_slug=kind_slug, medallion_threshold=(
        D(60) if kind_slug == "professionaly" else None))
    offered = factories.make_offered(competition)
    people = {}
    for last in ("Орлов", "Соколов", "Воронов", "Галкин"):
        person = factories.make_person(last_name=last, first_name="Иван", middle_name="Петрович",
                                       birth_date=date(2005, 1, 2))
        people[last] = factories.register_entry(offered, [person])
    return competition, offered, people


def _rows(standings, offered):
    cat = next(c for c in standings.categories if c.offered.id == offered.id)
    return {r.entry.members[0].person.last_name: (r.total, r.rank, r.award, r.official_award)
            for r in cat.rows}


def test_points_with_decimal_comma_places_and_awards_by_rules(app):
    competition, offered, people = _setup()
    data = _csv("Сварочные технологии;Основная;Орлов;Иван;Петрович;02.01.2005;;85,5;;",
                "Сварочные технологии;Основная;СОКОЛОВ;иван;;;;85.5;;",
                "Сварочные технологии;Основная;Воронов;Иван;;;;70;;",
                "Сварочные технологии;Основная;Галкин;Иван;;;;50;;")
    plan = protocol.build_plan(competition, data)
    assert plan.ok, plan.errors
    assert [r.place for r in plan.results] == [1, 1, 3, 4]
    assert protocol.apply(plan) == 4
    rows = _rows(results.competition_standings(competition), offered)
    assert rows["Орлов"] == (D("85.50"), 1, "gold", False)
    assert rows["Соколов"][1:3] == (1, "gold")
    assert rows["Воронов"][1:3] == (3, "bronze")
    assert rows["Галкин"][1:3] == (4, None)


def test_places_only_and_official_award_kept(app):
    competition, offered, people = _setup()
    data = _csv("Сварочные технологии;Основная;Орлов;Иван;;;;;2;Серебро",
                "Сварочные технологии;Основная;Соколов;Иван;;;;;1;ЗОЛОТО",
                "Сварочные технологии;Основная;Воронов;Иван;;;;;4;медальон")
    plan = protocol.build_plan(competition, data)
    assert plan.ok, plan.errors
    protocol.apply(plan)
    rows = _rows(results.competition_standings(competition), offered)
    assert rows["Соколов"][1:] == (1, "gold", True)
    assert rows["Орлов"][1:] == (2, "silver", True)
    assert rows["Воронов"][1:] == (4, "medallion", True)
    assert rows["Галкин"][1] is None


def test_errors_have_row_numbers_and_nothing_is_written(app):
    competition, offered, people = _setup()
    factories.register_entry(offered, [factories.make_person(
        last_name="Орлов", first_name="Иван", middle_name="Ильич", birth_date=date(2004, 5, 5))])
    data = _csv("Сварочные технологии;Основная;Соколов;Иван;;;;90;;",
                "Сварочные технологии;Основная;Орлов;Иван;;;;80;;",       # two Orlovs
                "Сварочные технологии;Основная;Пушкин;Иван;;;;70;;",      # nobody
                "Поварское дело;Основная;Воронов;Иван;;;;70;;",           # not offered
                "Сварочные технологии;Основная;Галкин;Иван;;;;;;",        # no points/place
                "Сварочные технологии;Основная;Воронов;Иван;;;;101;;",    # > 100
                "Сварочные технологии;Основная;Воронов;Иван;;;;7;;платина")
    plan = protocol.build_plan(competition, data)
    assert not plan.ok
    text = "\n".join(plan.errors)
    for row in (3, 4, 5, 6, 7, 8):
        assert f"{row}" in text
    assert len(plan.errors) == 6
    assert db.session.scalar(select(func.count()).select_from(ProtocolResult)) == 0


def test_team_by_one_row_or_rows_that_agree(app):
    competition = factories.make_competition(kind_slug="abilympics")
    offered = factories.make_offered(competition, "Обработка текста")
    members = [factories.make_person(last_name=n, first_name="Анна") for n in ("Ким", "Ли")]
    # A team and a single participant in one competency: registration no longer allows the
    # mix (services.registration.entry_shape_problem), so the team is written directly.
    team = factories.make_entry(offered, members, team_name="Альфа")
    solo = factories.register_entry(offered, last_name="Пак", first_name="Анна")
    category = offered.category.name
    data = _csv(f"Обработка текста;{category};Ким;Анна;;;Альфа;90;;",
                f"Обработка текста;{category};Ли;Анна;;;Альфа;90;;",
                f"Обработка текста;{category};Пак;Анна;;;;80;;")
    plan = protocol.build_plan(competition, data)
    assert plan.ok, plan.errors
    assert [(r.entry.id, r.rows) for r in plan.results] == [(team.id, [2, 3]), (solo.id, [4])]
    # members that disagree
    bad = _csv(f"Обработка текста;{category};Ким;Анна;;;Альфа;90;;",
               f"Обработка текста;{category};Ли;Анна;;;Альфа;80;;")
    plan = protocol.build_plan(competition, bad)
    assert not plan.ok and "3" in plan.errors[0]
    # the team by its name alone
    one = _csv(f"Обработка текста;{category};;;;;Альфа;;1;")
    plan = protocol.build_plan(competition, one)
    assert plan.ok, plan.errors
    assert plan.results[0].entry.id == team.id


def test_xlsx_and_cli_dry_run(app, tmp_path):
    competition, offered, people = _setup("master_of_the_year")
    wb = Workbook()
    ws = wb.active
    ws.append(["Компетенция", "Категория", "Фамилия", "Имя", "Баллы", "Награда"])
    for last, points in (("Орлов", 91.5), ("Соколов", 80), ("Воронов", 70), ("Галкин", 60)):
        ws.append(["Сварочные технологии", offered.category.name, last, "Иван", points,
                   "Победитель" if last == "Орлов" else None])
    buffer = io.BytesIO()
    wb.save(buffer)
    path = tmp_path / "protocol.xlsx"
    path.write_bytes(buffer.getvalue())
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "results", str(path), "--competition",
                                 str(competition.id), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(ProtocolResult)) == 0
    result = runner.invoke(args=["import", "results", str(path), "--competition",
                                 str(competition.id)])
    assert result.exit_code == 0, result.output
    rows = _rows(results.competition_standings(competition), offered)
    assert rows["Орлов"] == (D("91.50"), 1, "winner", True)
    assert rows["Соколов"][2] == "prize_winner"


def test_cli_refuses_a_bad_file(app, tmp_path):
    competition, offered, people = _setup()
    path = tmp_path / "p.csv"
    path.write_bytes(_csv("Сварочные технологии;Основная;Никто;Иван;;;;90;;"))
    result = app.test_cli_runner().invoke(args=["import", "results", str(path),
                                                "--competition", str(competition.id)])
    assert result.exit_code == 1


def test_web_upload_preview_then_import(app, client, login, upload_dir):
    competition, offered, people = _setup()
    login(client, "organiser")
    data = _csv("Сварочные технологии;Основная;Орлов;Иван;;;;88;;")
    url = f"/results/{competition.id}/import"
    response = client.post(url, data={"file": (io.BytesIO(data), "p.csv"), "dry_run": "y"},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and 'data-testid="import-ok"' in response.text
    assert db.session.scalar(select(func.count()).select_from(ProtocolResult)) == 0
    response = client.post(url, data={"file": (io.BytesIO(data), "p.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and 'data-testid="confirm-import"' in response.text
    assert db.session.scalar(select(func.count()).select_from(ProtocolResult)) == 0
    response = client.post(url + "/confirm", data={"token": _token(client)})
    assert response.status_code == 302
    assert db.session.scalar(select(ProtocolResult)).points == D(88)
    bad = _csv("Сварочные технологии;Основная;Никто;Иван;;;;88;;")
    response = client.post(url, data={"file": (io.BytesIO(bad), "p.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and 'data-testid="import-errors"' in response.text


def test_abilympics_refuses_a_medallion_and_a_winner(app):
    competition, offered, people = _setup("abilympics")
    category = offered.category.name
    data = _csv(f"Сварочные технологии;{category};Орлов;Иван;;;;90;1;золото",
                f"Сварочные технологии;{category};Соколов;Иван;;;;80;2;победитель",
                f"Сварочные технологии;{category};Воронов;Иван;;;;70;4;Медальон за профессионализм",
                f"Сварочные технологии;{category};Галкин;Иван;;;;60;5;призёр")
    plan = protocol.build_plan(competition, data)
    assert not plan.ok
    assert len(plan.errors) == 3
    for row, word in ((3, "победитель"), (4, "Медальон за профессионализм"), (5, "призёр")):
        assert any(f"{row}" in error and f"«{word}»" in error and "Абилимпикс" in error
                   for error in plan.errors), plan.errors
    assert db.session.scalar(select(func.count()).select_from(ProtocolResult)) == 0
    # gold is an award of Абилимпикс: the same file without the others is accepted
    plan = protocol.build_plan(competition, _csv(
        f"Сварочные технологии;{category};Орлов;Иван;;;;90;1;золото"))
    assert plan.ok, plan.errors


# --- «Вне конкурса» ------------------------------------------------------------------------

OUT_HEADER = HEADER.rstrip("\n") + ";Вне конкурса\n"


def _csv_out(*rows):
    return (OUT_HEADER + "".join(r + "\n" for r in rows)).encode("cp1251")


def test_an_entry_out_of_competition_keeps_its_points_and_the_others_are_ranked_alone(app):
    competition, offered, people = _setup()
    people["Соколов"].out_of_competition = True
    db.session.commit()
    data = _csv_out("Сварочные технологии;Основная;Орлов;Иван;;;;85;;;",
                    "Сварочные технологии;Основная;Соколов;Иван;;;;99;;;да",
                    "Сварочные технологии;Основная;Воронов;Иван;;;;70;;;нет",
                    "Сварочные технологии;Основная;Галкин;Иван;;;;50;;;")
    plan = protocol.build_plan(competition, data)
    assert plan.ok, plan.errors
    assert [r.place for r in plan.results] == [1, None, 2, 3]
    protocol.apply(plan)
    rows = _rows(results.competition_standings(competition), offered)
    assert rows["Орлов"][1:3] == (1, "gold")
    assert rows["Воронов"][1:3] == (2, "silver")
    assert rows["Галкин"][1:3] == (3, "bronze")
    assert rows["Соколов"] == (D("99.00"), None, None, False)


@pytest.mark.parametrize("row, column", [
    # the file says the opposite of the entry
    ("Сварочные технологии;Основная;Орлов;Иван;;;;85;;;да", "Вне конкурса"),
    ("Сварочные технологии;Основная;Соколов;Иван;;;;99;;;нет", "Вне конкурса"),
    # an entry out of competition with a place, an award, or no points
    ("Сварочные технологии;Основная;Соколов;Иван;;;;99;1;;", "Место"),
    ("Сварочные технологии;Основная;Соколов;Иван;;;;99;;золото;", "Награда"),
    ("Сварочные технологии;Основная;Соколов;Иван;;;;;2;;", "Место"),
    ("Сварочные технологии;Основная;Орлов;Иван;;;;85;;;может быть", "Вне конкурса"),
])
def test_out_of_competition_rows_that_disagree_are_refused_with_their_column(app, row, column):
    competition, offered, people = _setup()
    people["Соколов"].out_of_competition = True
    db.session.commit()
    plan = protocol.build_plan(competition, _csv_out(row))
    assert not plan.ok
    assert [(p.row, p.column) for p in plan.problems] == [(2, column)], plan.errors
    assert db.session.scalar(select(func.count()).select_from(ProtocolResult)) == 0
