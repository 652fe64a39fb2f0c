"""Concurrency and faults: two experts saving the same sheet, two organisers importing the
same people at once, a crash in the middle of an import. Nothing lost, nothing duplicated.

The threads are real: each has its own application context, hence its own database session
and connection, on the live test database (the SQLite file in WAL mode, or PostgreSQL). A
``threading.Barrier`` lines them up just before the competing write. What the database does
then (SQLite: one writer, the other waits or finds its snapshot stale; PostgreSQL: row locks
and unique indexes) decides who wins; the tests assert the outcome, never the timing.
"""
from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.importers import participants as participants_importer
from registry.importers import participants_write
from registry.importers import results as protocol
from registry.importers.participants import ImportRefused
from registry.models import (
    Competition,
    Criterion,
    Entry,
    EntryMember,
    Mark,
    OfferedCategory,
    Organisation,
    Person,
    ProtocolResult,
    ScoreSheet,
    ScoreSheetVersion,
    User,
)
from registry.services import ServiceError, registration
from registry.services import marking as marking_service
from registry.transaction import boundary

from . import factories
from .test_hostile_input import end_request, row_counts

WELDING = "Сварочные технологии"
HEADER = "Фамилия;Имя;Отчество;Дата рождения;Регион;Организация;Компетенция;Категория\r\n"


def run_together(app, *jobs, timeout: float = 60):
    """Run each ``job(barrier)`` in its own thread and application context; return what each
    returned or raised, in order."""
    barrier = threading.Barrier(len(jobs), timeout=timeout)
    outcomes: list = [None] * len(jobs)

    def runner(index, job):
        with app.app_context():
            try:
                with boundary():  # each thread is one request: one transaction
                    outcomes[index] = ("ok", job(barrier))
            except BaseException as error:  # noqa: BLE001 - reported to the test
                db.session.rollback()
                outcomes[index] = ("error", error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a thread hung"
    return outcomes


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- two experts, one sheet ------------------------------------------------------------------

@pytest.fixture
def sheet_setup(app):
    competition = factories.make_competition(status="marking")
    offered = factories.make_offered(competition)
    oc = offered.offered_competency
    criterion = factories.make_scheme(oc, {"A": [("Размеры", "30", "measurement")]})[0]
    entries = [factories.register_entry(offered) for _ in range(2)]
    first = factories.make_assignment(oc).user
    second = factories.make_assignment(oc, is_chief=True).user
    ids = {"offered": offered.id, "criterion": criterion.id, "aspect": criterion.aspects[0].id,
           "entries": [e.id for e in entries], "experts": [first.id, second.id]}
    end_request()
    return ids


def _saver(ids, expert_index: int, value: str, base_version: int):
    def job(barrier):
        offered = db.session.get(OfferedCategory, ids["offered"])
        criterion = db.session.get(Criterion, ids["criterion"])
        expert = db.session.get(User, ids["experts"][expert_index])
        values = {(entry_id, ids["aspect"]): value for entry_id in ids["entries"]}
        barrier.wait()
        marking_service.save_marks(offered, criterion, values, base_version, actor=expert)
        return value
    return job


@pytest.mark.parametrize("base_version", [0, 1], ids=["new-sheet", "existing-sheet"])
def test_two_experts_saving_the_same_sheet_at_once(app, sheet_setup, base_version):
    ids = sheet_setup
    if base_version:
        with boundary():  # one request
            _saver(ids, 0, "1", 0)(threading.Barrier(1))
        end_request()
    outcomes = run_together(app, _saver(ids, 0, "10", base_version),
                            _saver(ids, 1, "20", base_version))
    won = [value for status, value in outcomes if status == "ok"]
    lost = [error for status, error in outcomes if status == "error"]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert isinstance(lost[0], marking_service.SheetConflict), repr(lost[0])
    assert lost[0].message.strip()

    # the winner's marks stand, once each; one more version than before, no more
    marks = db.session.scalars(select(Mark)).all()
    assert sorted((m.entry_id, m.aspect_id) for m in marks) == sorted(
        (e, ids["aspect"]) for e in ids["entries"])
    assert {m.value for m in marks} == {Decimal(won[0])}
    assert count(ScoreSheet) == 1
    sheet = db.session.scalar(select(ScoreSheet))
    assert sheet.version == base_version + 1
    assert count(ScoreSheetVersion) == base_version + 1

    # the loser reloads and saves on the version it now sees: nothing lost since
    end_request()
    loser = 1 if won[0] == "10" else 0
    with boundary():  # one request
        _saver(ids, loser, "5", base_version + 1)(threading.Barrier(1))
    end_request()
    assert {m.value for m in db.session.scalars(select(Mark))} == {Decimal(5)}
    assert count(Mark) == 2 and count(ScoreSheetVersion) == base_version + 2


# --- two organisers, one competition, the same people ----------------------------------------

def _row(last, first="Пётр", born="14.03.2005"):
    return f"{last};{first};Сергеевич;{born};г. Москва;ГБПОУ «Колледж связи № 54»;{WELDING};Основная"


def _file(*lasts) -> bytes:
    return (HEADER + "".join(_row(last) + "\r\n" for last in lasts)).encode("utf-8")


def _importer(competition_id: int, data: bytes, barrier_before_apply: bool = True):
    def job(barrier):
        competition = db.session.get(Competition, competition_id)
        plan = participants_importer.build_plan(competition, data)
        assert plan.ok, [str(p) for p in plan.problems]
        if barrier_before_apply:
            barrier.wait()  # both plans are made before either writes
        return participants_importer.apply(plan).as_dict()
    return job


def _people_state():
    return {
        "persons": count(Person),
        "distinct identities": db.session.scalar(
            select(func.count(func.distinct(Person.identity_key)))),
        "organisations": count(Organisation),
        "entries": count(Entry),
        "members": count(EntryMember),
        "distinct members": db.session.scalar(select(func.count()).select_from(
            select(EntryMember.offered_category_id, EntryMember.person_id).distinct()
            .subquery())),
    }


def test_two_organisers_importing_the_same_people_at_once(app):
    competition = factories.make_competition()
    factories.make_offered(competition, WELDING, "Основная")
    competition_id = competition.id
    end_request()
    shared = ["Иванов", "Петров", "Сидоров", "Кузнецов"]
    first = _file(*shared, "Орлов")
    second = _file(*reversed(shared), "Соколов")

    outcomes = run_together(app, _importer(competition_id, first),
                            _importer(competition_id, second))
    for status, value in outcomes:
        if status == "error":
            # refused as a whole, with a message for people; never anything else
            assert isinstance(value, ImportRefused), repr(value)
            assert value.problems and str(value.problems[0]).strip()
    assert any(status == "ok" for status, _value in outcomes), outcomes

    # whoever was refused uploads the same file again: it completes, and what was imported
    # by the other is reused, not duplicated
    for (status, _value), data in zip(outcomes, (first, second), strict=True):
        if status == "error":
            with boundary():  # one request
                counts = _importer(competition_id, data, barrier_before_apply=False)(None)
            assert counts["persons_created"] == 1 and counts["persons_reused"] == 4
            end_request()
    state = _people_state()
    assert state == {"persons": 6, "distinct identities": 6, "organisations": 1,
                     "entries": 6, "members": 6, "distinct members": 6}, state

    # and importing both again creates nothing at all
    before = row_counts()
    for data in (first, second):
        with boundary():  # one request
            counts = _importer(competition_id, data, barrier_before_apply=False)(None)
        assert counts["persons_created"] == 0 and counts["entries"] == 0
        assert counts["already_registered"] == 5
        end_request()
    after = row_counts()
    assert {k: after[k] for k in after if k != "audit_log"} == {
        k: before[k] for k in before if k != "audit_log"}


# --- a crash in the middle of an import ------------------------------------------------------

def _crash_half_way(real):
    """``bulk_create_entries`` that writes the first half of the entries, then crashes."""
    def crashing(entries, *args, **kwargs):
        real(entries[: len(entries) // 2], *args, **kwargs)
        db.session.flush()
        raise RuntimeError("the server was switched off")
    return crashing


def _crash_at_the_end(real):
    """The audit entry, the last thing written before the commit, crashes."""
    def crashing(*args, **kwargs):
        raise RuntimeError("the server was switched off")
    return crashing


@pytest.mark.parametrize(("target", "where", "crash"), [
    (registration, "bulk_create_entries", _crash_half_way),
    (participants_write, "record", _crash_at_the_end),
], ids=["half-way", "at-the-end"])
def test_a_crash_in_the_middle_of_a_participants_import_writes_nothing(app, monkeypatch, target,
                                                                        where, crash):
    """Not a rule broken (``test_import_participants`` covers a ServiceError) but a crash:
    an exception nobody expects, after persons and some entries were already written in the
    transaction."""
    competition = factories.make_competition()
    factories.make_offered(competition, WELDING, "Основная")
    factories.make_person(last_name="Иванов", first_name="Пётр", middle_name="Сергеевич",
                          birth_date=date(2005, 3, 14))  # one of them exists already
    data = _file("Иванов", "Петров", "Сидоров", "Кузнецов", "Орлов")
    competition_id = competition.id
    end_request()

    before = row_counts()
    plan = participants_importer.build_plan(db.session.get(Competition, competition_id), data)
    assert plan.ok
    monkeypatch.setattr(target, where, crash(getattr(target, where)))
    with pytest.raises(RuntimeError), boundary():
        participants_importer.apply(plan)
    assert row_counts() == before  # committed: nothing
    end_request()
    assert row_counts() == before
    monkeypatch.undo()

    plan = participants_importer.build_plan(db.session.get(Competition, competition_id), data)
    with boundary():  # one request
        counts = participants_importer.apply(plan)
    assert counts.persons_created == 4 and counts.persons_reused == 1 and counts.entries == 5
    end_request()
    assert _people_state() == {"persons": 5, "distinct identities": 5, "organisations": 1,
                               "entries": 5, "members": 5, "distinct members": 5}


def test_a_crash_in_the_middle_of_a_results_import_loses_nothing(app, monkeypatch):
    """The protocol import replaces the results of its categories: a crash after the old
    rows were deleted and some new ones added must leave the old results as they were."""
    competition = factories.make_competition()
    offered = factories.make_offered(competition, WELDING, "Основная")
    names = ("Орлов", "Соколов", "Воронов")
    for last in names:
        factories.register_entry(offered, [factories.make_person(
            last_name=last, first_name="Иван", birth_date=date(2005, 1, 2))])
    competition_id = competition.id
    header = "Компетенция;Категория;Фамилия;Имя;Баллы\n"

    def protocol_file(points):
        return (header + "".join(f"{WELDING};Основная;{last};Иван;{p}\n"
                                 for last, p in zip(names, points, strict=True))).encode()

    plan = protocol.build_plan(competition, protocol_file(("90", "80", "70")))
    assert plan.ok, plan.errors
    with boundary():  # one request
        assert protocol.apply(plan) == 3
    end_request()
    first_results = sorted(db.session.execute(
        select(ProtocolResult.entry_id, ProtocolResult.points, ProtocolResult.place)).all())

    added = []
    real_add = db.session.add

    def crashing_add(obj, *args, **kwargs):
        if isinstance(obj, ProtocolResult):
            added.append(obj)
            if len(added) == 2:
                raise RuntimeError("the server was switched off")
        return real_add(obj, *args, **kwargs)

    competition = db.session.get(Competition, competition_id)
    plan = protocol.build_plan(competition, protocol_file(("10", "20", "30")))
    assert plan.ok, plan.errors
    monkeypatch.setattr(db.session, "add", crashing_add)
    before = row_counts()
    try:
        with pytest.raises(RuntimeError), boundary():
            protocol.apply(plan)
    finally:
        monkeypatch.undo()
    assert row_counts() == before  # nothing committed: the old rows are not deleted
    end_request()
    assert sorted(db.session.execute(
        select(ProtocolResult.entry_id, ProtocolResult.points, ProtocolResult.place)).all()
    ) == first_results

    competition = db.session.get(Competition, competition_id)
    plan = protocol.build_plan(competition, protocol_file(("10", "20", "30")))
    with boundary():  # one request
        assert protocol.apply(plan) == 3
    end_request()
    assert sorted(p for p in db.session.scalars(select(ProtocolResult.points))) == [
        Decimal(10), Decimal(20), Decimal(30)]
    assert count(ProtocolResult) == 3


def test_two_results_imports_at_once_leave_one_complete_protocol(app):
    competition = factories.make_competition()
    offered = factories.make_offered(competition, WELDING, "Основная")
    names = ("Орлов", "Соколов", "Воронов")
    for last in names:
        factories.register_entry(offered, [factories.make_person(
            last_name=last, first_name="Иван", birth_date=date(2005, 1, 2))])
    competition_id = competition.id
    end_request()
    header = "Компетенция;Категория;Фамилия;Имя;Баллы\n"

    def job_for(points):
        data = (header + "".join(f"{WELDING};Основная;{last};Иван;{p}\n"
                                 for last, p in zip(names, points, strict=True))).encode()

        def job(barrier):
            plan = protocol.build_plan(db.session.get(Competition, competition_id), data)
            assert plan.ok, plan.errors
            barrier.wait()
            return protocol.apply(plan)
        return job

    outcomes = run_together(app, job_for(("90", "80", "70")), job_for(("10", "20", "30")))
    for status, value in outcomes:
        if status == "error":
            assert isinstance(value, ServiceError), repr(value)
            assert value.message.strip()
    assert any(status == "ok" for status, _value in outcomes), outcomes
    points = sorted(db.session.scalars(select(ProtocolResult.points)))
    assert count(ProtocolResult) == 3
    assert points in ([Decimal(70), Decimal(80), Decimal(90)],
                      [Decimal(10), Decimal(20), Decimal(30)]), points


# --- SQLite under concurrent writes: WAL, a busy timeout, no «database is locked» -----------

def test_sqlite_connections_use_wal_a_busy_timeout_and_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite connection settings")
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
        # long enough for a writer to wait for another's transaction instead of failing
        assert raw.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    # every new connection, not only the first one of the pool
    fresh = db.engine.raw_connection()
    try:
        assert fresh.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert fresh.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        fresh.close()


SAVERS = 4


@pytest.fixture
def many_sheets(app):
    competition = factories.make_competition(status="marking")
    offered = factories.make_offered(competition)
    oc = offered.offered_competency
    criteria = factories.make_scheme(oc, {f"K{n}": [("Размеры", "30", "measurement")]
                                          for n in range(SAVERS)})
    entries = [factories.register_entry(offered) for _ in range(3)]
    experts = [factories.make_assignment(oc).user for _ in range(SAVERS)]
    ids = {"offered": offered.id, "entries": [e.id for e in entries],
           "sheets": [(c.id, c.aspects[0].id) for c in criteria],
           "experts": [u.id for u in experts]}
    end_request()
    return ids


def _sheet_saver(ids, index: int, rounds: int):
    """An expert saving their own sheet ``rounds`` times, each on the version they saw."""
    def job(barrier):
        criterion_id, aspect_id = ids["sheets"][index]
        offered = db.session.get(OfferedCategory, ids["offered"])
        criterion = db.session.get(Criterion, criterion_id)
        expert = db.session.get(User, ids["experts"][index])
        barrier.wait()
        for version in range(rounds):
            values = {(entry_id, aspect_id): str(version + index) for entry_id in ids["entries"]}
            marking_service.save_marks(offered, criterion, values, version, actor=expert)
            db.session.commit()  # the end of one request; the next save is the next request
        return rounds
    return job


def test_experts_saving_their_own_sheets_at_once_never_meet_a_locked_database(app, many_sheets):
    """Four experts save four sheets of one category at the same moment, twice each: on
    SQLite each write waits for the one before it (busy timeout) instead of failing with
    «database is locked»; every save is kept."""
    ids = many_sheets
    rounds = 2
    outcomes = run_together(app, *(_sheet_saver(ids, i, rounds) for i in range(SAVERS)))
    assert outcomes == [("ok", rounds)] * SAVERS, [
        (status, repr(value)) for status, value in outcomes]
    assert count(ScoreSheet) == SAVERS
    assert count(ScoreSheetVersion) == SAVERS * rounds
    assert count(Mark) == SAVERS * len(ids["entries"])
    for sheet in db.session.scalars(select(ScoreSheet)):
        assert sheet.version == rounds
