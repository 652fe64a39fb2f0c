"""Long commands show a progress bar on stderr when it is a terminal, and nothing extra when
it is not (a pipe, a log, these tests): the import of participants, the demo load, exports."""
from __future__ import annotations

import io

import pytest

from registry import progress as progress_module

from . import factories
from .test_import_participants import WELDING, csv_bytes, person_row


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal(monkeypatch):
    screen = Terminal()
    monkeypatch.setattr(progress_module, "_stderr", lambda: screen)
    return screen


def _participants(tmp_path):
    competition = factories.make_competition()
    factories.make_offered(competition, WELDING, "Основная")
    path = tmp_path / "participants.csv"
    path.write_bytes(csv_bytes([person_row(), person_row("Петров", born="01.02.2004")]))
    return competition, path


def _import(app, competition, path, *extra):
    return app.test_cli_runner().invoke(args=[
        "import", "participants", str(path), "--competition", str(competition.id), *extra])


def test_the_import_is_quiet_without_a_terminal(app, tmp_path):
    competition, path = _participants(tmp_path)
    result = _import(app, competition, path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "#" not in result.stdout and "%" not in result.stdout


def test_the_import_shows_its_progress_on_a_terminal(app, tmp_path, terminal):
    competition, path = _participants(tmp_path)
    result = _import(app, competition, path)
    assert result.exit_code == 0, result.output
    screen = terminal.getvalue()
    assert "#" in screen
    assert "3/3" in screen and "1/1" in screen  # checking the rows (file lines), then writing
    assert "3/3" not in result.stdout and "#" not in result.stdout  # not in what people pipe


def test_an_export_shows_its_progress_on_a_terminal_only(app, tmp_path, monkeypatch):
    out = tmp_path / "medals.csv"
    quiet = app.test_cli_runner().invoke(args=["export", "medals", "--output", str(out)])
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stderr == "" and "writing" not in quiet.stdout
    screen = Terminal()
    monkeypatch.setattr(progress_module, "_stderr", lambda: screen)
    shown = app.test_cli_runner().invoke(args=["export", "medals", "--output", str(out)])
    assert shown.exit_code == 0, shown.output
    assert "medals: writing" in screen.getvalue()
    assert out.read_bytes()


def test_the_demo_load_shows_stages_on_a_terminal_and_step_lines_without(app, monkeypatch):
    from .conftest import _wipe

    plain = app.test_cli_runner().invoke(args=["demo", "load", "--scale", "50"])
    assert plain.exit_code == 0, plain.output
    assert plain.stderr == "" and "regional stages" in plain.stdout
    _wipe()
    screen = Terminal()
    monkeypatch.setattr(progress_module, "_stderr", lambda: screen)
    shown = app.test_cli_runner().invoke(args=["demo", "load", "--scale", "50"])
    assert shown.exit_code == 0, shown.output
    assert "Stages" in screen.getvalue() and "#" in screen.getvalue()
    assert "regional stages" not in shown.stdout  # the bar stands for the step lines
    assert "Done in" in shown.stdout


def test_progress_draws_nothing_on_a_pipe():
    pipe = io.StringIO()
    with progress_module.progress("Work", length=3, file=pipe) as bar:
        for _ in range(3):
            bar.update()
        bar.to(3, 3)
        bar.finish()
    assert pipe.getvalue() == ""
    screen = Terminal()
    with progress_module.progress("Work", file=screen) as bar:
        bar.to(2, 4)
        bar.finish()
    assert "Work" in screen.getvalue() and "4/4" in screen.getvalue()


def test_the_results_import_shows_its_progress_on_a_terminal(app, tmp_path, terminal):
    from datetime import date

    competition = factories.make_competition(kind_slug="master_of_the_year")
    offered = factories.make_offered(competition)
    for last in ("Орлов", "Соколов"):
        person = factories.make_person(last_name=last, first_name="Иван",
                                       birth_date=date(2005, 1, 2))
        factories.register_entry(offered, [person])
    path = tmp_path / "protocol.csv"
    path.write_bytes(("Компетенция;Категория;Фамилия;Имя;Баллы\n"
                      f"Сварочные технологии;{offered.category.name};Орлов;Иван;91,5\n"
                      f"Сварочные технологии;{offered.category.name};Соколов;Иван;80\n"
                      ).encode())
    result = app.test_cli_runner().invoke(args=[
        "import", "results", str(path), "--competition", str(competition.id)])
    assert result.exit_code == 0, result.output
    screen = terminal.getvalue()
    assert "3/3" in screen and "1/1" in screen  # checking the rows (file lines), then writing
    assert "#" not in result.stdout
    assert "баллы 91,5, место 1" in result.stdout  # the decimal comma of Russian
    assert "Импортировано результатов: 2." in result.stdout
