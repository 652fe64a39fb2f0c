"""One transaction per request and per command (``registry/transaction.py``).

Each test lets a real operation run, then makes something fail after it, and reads the
database on a connection of its own: what the operation flushed must be gone. And the
ordinary path must still commit, once, at the boundary.
"""
from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from registry.competitions import routes as competition_routes
from registry.extensions import db
from registry.importers import commands as import_commands
from registry.importers import routes as import_routes
from registry.models import AuditEntry, Competition, Entry, Person
from registry.services import ServiceError
from registry.services import competitions as competition_service
from registry.services import persons as person_service
from registry.transaction import boundary

from . import factories
from .test_competitions import _form
from .test_hostile_input import row_counts
from .test_import_participants import csv_bytes, person_row


class AfterTheOperation(RuntimeError):
    """Something unexpected that goes wrong once the operation has written its rows."""


def _then_fail(real, error=AfterTheOperation("after the operation")):
    def wrapped(*args, **kwargs):
        real(*args, **kwargs)
        db.session.flush()
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) > 0
        raise error
    return wrapped


def _committed(model) -> int:
    return row_counts()[model.__tablename__]


def test_a_form_view_that_fails_after_its_operation_leaves_the_database_unchanged(
        app, client, login, monkeypatch):
    login(client, "organiser")
    before = row_counts()
    monkeypatch.setattr(competition_routes.competition_service, "create_competition",
                        _then_fail(competition_service.create_competition))
    with pytest.raises(AfterTheOperation):  # TESTING propagates the error to the test
        client.post("/competitions/new", data=_form())
    assert row_counts() == before
    assert db.session.scalar(select(func.count()).select_from(Competition)) == 0


def test_a_refusal_after_the_operation_is_shown_on_the_form_and_rolls_back(
        app, client, login, monkeypatch):
    login(client, "organiser")
    before = row_counts()
    monkeypatch.setattr(
        competition_routes.competition_service, "create_competition",
        _then_fail(competition_service.create_competition, ServiceError("Отказано правилом")))
    response = client.post("/competitions/new", data=_form())
    assert response.status_code == 200 and "Отказано правилом" in response.text
    assert row_counts() == before


def test_the_same_form_view_commits_once_when_it_succeeds(app, client, login):
    login(client, "organiser")
    before = row_counts()
    response = client.post("/competitions/new", data=_form())
    assert response.status_code == 302
    after = row_counts()
    assert after["competitions"] == before["competitions"] + 1
    assert after["audit_log"] == before["audit_log"] + 1  # the operation's own audit entry


@pytest.fixture
def upload_dir(app, tmp_path):
    app.config["IMPORT_UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config.pop("IMPORT_UPLOAD_DIR", None)


def test_an_import_confirm_that_fails_after_writing_leaves_the_database_unchanged(
        app, client, login, upload_dir, monkeypatch):
    competition = factories.make_competition()
    login(client, "organiser")
    client.post(f"/competitions/{competition.id}/import",
                data={"file": (io.BytesIO(csv_bytes([person_row()])), "p.csv")},
                content_type="multipart/form-data")
    with client.session_transaction() as session:
        token = session["participants_import"]["token"]
    before = row_counts()
    monkeypatch.setattr(import_routes, "apply", _then_fail(import_routes.apply))
    with pytest.raises(AfterTheOperation):
        client.post(f"/competitions/{competition.id}/import/confirm", data={"token": token})
    assert row_counts() == before
    assert _committed(Person) == 0 and _committed(Entry) == 0

    # without the failure, the same confirmation writes the rows
    monkeypatch.undo()
    client.post(f"/competitions/{competition.id}/import",
                data={"file": (io.BytesIO(csv_bytes([person_row()])), "p.csv")},
                content_type="multipart/form-data")
    with client.session_transaction() as session:
        token = session["participants_import"]["token"]
    assert client.post(f"/competitions/{competition.id}/import/confirm",
                       data={"token": token}).status_code == 302
    assert _committed(Person) == 1 and _committed(Entry) == 1


def test_a_cli_command_that_fails_after_its_operation_leaves_the_database_unchanged(
        app, monkeypatch, tmp_path):
    competition = factories.make_competition()
    path = tmp_path / "p.csv"
    path.write_bytes(csv_bytes([person_row()]))
    before = row_counts()
    monkeypatch.setattr(import_commands, "apply", _then_fail(import_commands.apply))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "participants", str(path),
                                 "--competition", str(competition.id)])
    assert result.exit_code != 0 and isinstance(result.exception, AfterTheOperation)
    assert row_counts() == before

    monkeypatch.undo()
    result = runner.invoke(args=["import", "participants", str(path),
                                 "--competition", str(competition.id)])
    assert result.exit_code == 0, result.output
    assert _committed(Person) == 1 and _committed(Entry) == 1


def test_a_cli_command_refused_by_a_rule_commits_nothing(app, monkeypatch):
    before = row_counts()
    monkeypatch.setattr(
        competition_service, "create_competition",
        _then_fail(competition_service.create_competition, ServiceError("Отказано")))
    result = app.test_cli_runner().invoke(args=[
        "competitions", "create", "--kind", "professionaly", "--year", "2025",
        "--stage", "final"])
    assert result.exit_code != 0 and "Отказано" in result.output
    assert row_counts() == before


def test_boundary_commits_on_success_and_on_a_zero_exit(app):
    data = person_service.PersonData(last_name="Иванов", first_name="Пётр", middle_name=None,
                                     birth_date=date(2005, 3, 14), region=factories.region())
    with boundary():
        person = person_service.create_person(data)
    assert _committed(Person) == 1
    person_id = person.id
    with pytest.raises(SystemExit), boundary():
        db.session.delete(db.session.get(Person, person_id))
        raise SystemExit(0)
    assert _committed(Person) == 0
    with pytest.raises(SystemExit), boundary():
        person_service.create_person(data)
        raise SystemExit(1)
    assert _committed(Person) == 0


def test_a_request_commits_without_expiring_what_it_loaded(app, client, login):
    """The session ends with the request, so its commit leaves the objects it loaded as they
    are (expiring the participants list's 210 objects cost 0.8 ms); every other commit
    still expires."""
    from sqlalchemy import inspect

    from registry.models import User

    seen = []

    def after_the_commit(_error):  # runs before the test harness's own expiry
        seen.append([bool(inspect(obj).expired_attributes)
                     for obj in db.session.identity_map.values() if isinstance(obj, User)])

    login(client, "organiser")
    teardowns = app.teardown_request_funcs.setdefault(None, [])
    teardowns.append(after_the_commit)
    try:
        assert client.get("/competitions/").status_code == 200
    finally:
        teardowns.remove(after_the_commit)
    assert seen == [[False]]  # the logged-in user, loaded for the page, not expired
    assert db.session().expire_on_commit
    user = db.session.scalar(select(User).limit(1))
    db.session.commit()
    assert inspect(user).expired_attributes
