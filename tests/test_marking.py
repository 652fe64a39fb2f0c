"""Marking: assignments, schemes, score sheets, sign-off, conflicts of interest, locking."""
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from registry import access
from registry.extensions import db
from registry.models import AuditEntry, Mark, ScoreSheet, ScoreSheetVersion
from registry.services import ServiceError, marking
from registry.services.marking import sheets

from . import factories


@pytest.fixture
def setup(app):
    competition = factories.make_competition(status="marking")
    offered = factories.make_offered(competition)
    oc = offered.offered_competency
    criteria = factories.make_scheme(oc)
    org = factories.make_organisation()
    entries = [factories.register_entry(offered, organisation=org if i == 0 else None)
               for i in range(3)]
    chief = factories.make_assignment(oc, is_chief=True)
    expert = factories.make_assignment(oc)
    mentor = factories.make_assignment(oc, organisation=org)
    return type("S", (), dict(competition=competition, offered=offered, oc=oc,
                              criteria=criteria, entries=entries, chief=chief.user,
                              expert=expert.user, mentor=mentor.user, org=org))


def full_values(s, criterion, value="10", judges=("3", "2", "2"), skip=()):
    values = {}
    for entry in s.entries:
        if entry.id in skip:
            continue
        for aspect in criterion.aspects:
            values[(entry.id, aspect.id)] = list(judges) if aspect.kind == "judgement" else value
    return values


def test_only_experts_are_assigned_and_one_chief(setup):
    s = setup
    with pytest.raises(ServiceError):
        marking.assign_expert(s.oc, factories.make_user(role="coordinator"))
    with pytest.raises(ServiceError):
        marking.assign_expert(s.oc, factories.make_user(role="expert"), is_chief=True)
    with pytest.raises(ServiceError):
        marking.assign_expert(s.oc, s.expert)
    assignment = marking.assign_expert(s.oc, factories.make_user(role="expert"))
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "expert.assign"))
    marking.remove_assignment(assignment)
    assert access.assignment_of(assignment.user, s.oc.id) is None


def test_expert_can_mark_only_assigned_competency(setup):
    s = setup
    other = factories.make_offered(s.competition, "Поварское дело")
    assert access.can_mark(s.expert, s.oc.id)
    assert not access.can_mark(s.expert, other.offered_competency_id)
    criterion = s.criteria[0]
    with pytest.raises(ServiceError):
        marking.save_marks(s.offered, criterion, {}, 0, actor=factories.make_user(role="expert"))


def test_scheme_total_and_freeze(setup):
    s = setup
    from registry.services.results import scheme_total

    assert scheme_total(s.oc.id) == D("100.00")
    assert not marking.scheme_frozen(s.oc.id)
    criterion = marking.add_criterion(s.oc, "c", "Безопасность")
    assert criterion.code == "C"
    marking.add_aspect(criterion, "Очки", "5,5", "measurement")
    with pytest.raises(ServiceError):
        marking.add_aspect(criterion, "Очки", "0", "measurement")
    with pytest.raises(ServiceError):
        marking.add_aspect(criterion, "Очки", "5.555", "measurement")
    with pytest.raises(ServiceError):
        marking.add_criterion(s.oc, "C", "Дубль")
    assert scheme_total(s.oc.id) == D("105.50")
    marking.save_marks(s.offered, s.criteria[1], {(s.entries[1].id, s.criteria[1].aspects[0].id):
                                                   "40"}, 0, actor=s.expert)
    assert marking.scheme_frozen(s.oc.id)
    with pytest.raises(ServiceError):
        marking.add_criterion(s.oc, "D", "Поздно")
    with pytest.raises(ServiceError):
        marking.delete_aspect(criterion.aspects[0])


def test_measurement_and_judgement_marks(setup):
    s = setup
    a = s.criteria[0]
    sheet = marking.save_marks(s.offered, a, full_values(s, a, value="12,34",
                                                          skip={s.entries[0].id}), 0,
                               actor=s.expert)
    marks = {(m.entry_id, m.aspect_id): m for m in sheet.marks}
    m1 = marks[(s.entries[1].id, a.aspects[0].id)]
    assert m1.value == D("12.34")
    j = marks[(s.entries[1].id, a.aspects[1].id)]
    # judges 3, 2, 2: mean 7/3, scaled to 20 → 15.555… → 15.56
    assert j.value == D("15.56") and j.judge_scores == [3, 2, 2]
    assert marking.judgement_mark([3, 3, 3], D(20)) == D("20.00")
    assert marking.judgement_mark([0, 0, 1], D(10)) == D("1.11")


@pytest.mark.parametrize("value", ["30.01", "-1", "1.005", "abc"])
def test_measurement_out_of_range_is_refused(setup, value):
    s = setup
    a = s.criteria[0]
    with pytest.raises(ServiceError):
        marking.save_marks(s.offered, a, {(s.entries[1].id, a.aspects[0].id): value}, 0,
                           actor=s.expert)
    assert db.session.scalar(select(ScoreSheet)) is None


@pytest.mark.parametrize("judges", [["4", "1", "1"], ["1", "", "1"], ["1", "1"], ["1.5", "1", "1"]])
def test_bad_judge_scores_are_refused(setup, judges):
    s = setup
    a = s.criteria[0]
    with pytest.raises(ServiceError):
        marking.save_marks(s.offered, a, {(s.entries[1].id, a.aspects[1].id): judges}, 0,
                           actor=s.expert)


def test_each_save_is_a_version_with_author_and_audited(setup):
    s = setup
    b = s.criteria[1]
    key = (s.entries[1].id, b.aspects[0].id)
    sheet = marking.save_marks(s.offered, b, {key: "10"}, 0, actor=s.expert)
    assert sheet.version == 1
    sheet = marking.save_marks(s.offered, b, {key: "20"}, 1, actor=s.chief)
    assert sheet.version == 2
    versions = db.session.scalars(select(ScoreSheetVersion).order_by(ScoreSheetVersion.number)).all()
    assert [(v.number, v.author_id) for v in versions] == [(1, s.expert.id), (2, s.chief.id)]
    assert versions[0].marks[f"{key[0]}:{key[1]}"]["value"] == "10.00"
    audits = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "mark.change")
                                .order_by(AuditEntry.id)).all()
    assert audits[1].details["changes"] == [
        {"entry": key[0], "aspect": key[1], "old": "10.00", "new": "20.00"}]
    assert audits[1].user_id == s.chief.id
    # a blank value clears the mark
    sheet = marking.save_marks(s.offered, b, {key: ""}, 2, actor=s.expert)
    assert db.session.scalar(select(Mark)) is None


def test_stale_version_is_a_conflict_not_an_overwrite(setup):
    s = setup
    b = s.criteria[1]
    key = (s.entries[1].id, b.aspects[0].id)
    marking.save_marks(s.offered, b, {key: "10"}, 0, actor=s.expert)
    # the chief opened the sheet at version 1 too; the expert saves first
    marking.save_marks(s.offered, b, {key: "11"}, 1, actor=s.expert)
    with pytest.raises(marking.SheetConflict) as error:
        marking.save_marks(s.offered, b, {key: "12"}, 1, actor=s.chief)
    assert s.expert.display_name in error.value.message
    assert db.session.scalar(select(Mark)).value == D("11")
    # two first saves of a new sheet: the second one conflicts
    a = s.criteria[0]
    marking.save_marks(s.offered, a, {(s.entries[1].id, a.aspects[0].id): "1"}, 0, actor=s.expert)
    with pytest.raises(marking.SheetConflict):
        marking.save_marks(s.offered, a, {(s.entries[2].id, a.aspects[0].id): "1"}, 0,
                           actor=s.chief)


def test_concurrent_update_is_caught_by_the_database(setup):
    """Both read version 1; the first UPDATE wins, the second matches no row."""
    s = setup
    b = s.criteria[1]
    key = (s.entries[1].id, b.aspects[0].id)
    sheet = marking.save_marks(s.offered, b, {key: "10"}, 0, actor=s.expert)
    sheet_id = sheet.id
    # simulate the other transaction having committed version 2 after our read
    db.session.execute(ScoreSheet.__table__.update().where(ScoreSheet.id == sheet_id)
                       .values(version=2))
    db.session.commit()
    stale = db.session.get(ScoreSheet, sheet_id)
    db.session.expire(stale)
    # our session believes it is at version 1
    from sqlalchemy.orm.attributes import set_committed_value
    stale = db.session.get(ScoreSheet, sheet_id)
    set_committed_value(stale, "version", 1)
    stale.updated_at = stale.updated_at
    stale.status = "submitted"
    with pytest.raises(marking.SheetConflict):
        sheets._flush_or_conflict(stale)


def test_conflict_of_interest_by_organisation(setup):
    s = setup
    a = s.criteria[0]
    data = marking.load_sheet(s.offered, a, s.mentor)
    assert set(data.conflicts) == {s.entries[0].id}
    assert s.org.name in data.conflicts[s.entries[0].id]
    with pytest.raises(ServiceError):
        marking.save_marks(s.offered, a, {(s.entries[0].id, a.aspects[0].id): "5"}, 0,
                           actor=s.mentor)
    # the other entries are fine
    marking.save_marks(s.offered, a, {(s.entries[1].id, a.aspects[0].id): "5"}, 0,
                       actor=s.mentor)
    assert marking.load_sheet(s.offered, a, s.expert).conflicts == {}


def test_conflict_of_interest_by_region(setup):
    s = setup
    far = factories.region("Республика Татарстан")
    assignment = factories.make_assignment(s.oc, region=factories.region())
    a = s.criteria[0]
    data = marking.load_sheet(s.offered, a, assignment.user)
    assert set(data.conflicts) == {e.id for e in s.entries}
    entry = factories.register_entry(s.offered, region=far)
    data = marking.load_sheet(s.offered, a, assignment.user)
    assert entry.id not in data.conflicts


def test_conflicts_are_answered_in_memory(setup, app):
    s = setup
    a = s.criteria[0]
    data = marking.load_sheet(s.offered, a, s.mentor)
    from sqlalchemy import event
    count = []
    listener = lambda *args: count.append(1)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        marking.conflicts(data.assignment, data.entries)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert count == []


def _submit_full(s, criterion, actor):
    sheet = marking.save_marks(s.offered, criterion, full_values(s, criterion, "10"),
                               0, actor=actor)
    return marking.submit_sheet(s.offered, criterion, sheet.version, actor=actor)


def test_submit_needs_every_mark(setup):
    s = setup
    b = s.criteria[1]
    marking.save_marks(s.offered, b, full_values(s, b, skip={s.entries[2].id}), 0,
                       actor=s.expert)
    with pytest.raises(ServiceError):
        marking.submit_sheet(s.offered, b, actor=s.expert)


def test_confirm_by_chief_not_author_and_locks(setup):
    s = setup
    b = s.criteria[1]
    sheet = _submit_full(s, b, s.expert)
    assert sheet.status == "submitted"
    with pytest.raises(ServiceError):  # not the chief
        marking.confirm_sheet(s.offered, b, actor=s.expert)
    sheet = marking.confirm_sheet(s.offered, b, actor=s.chief)
    assert sheet.status == "confirmed" and sheet.locked and sheet.confirmed_by_id == s.chief.id
    with pytest.raises(ServiceError):  # locked
        marking.save_marks(s.offered, b, {(s.entries[0].id, b.aspects[0].id): "1"},
                           sheet.version, actor=s.expert)
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "sheet.confirm" in actions and "sheet.submit" in actions


def test_chief_cannot_confirm_own_marks(setup):
    s = setup
    b = s.criteria[1]
    _submit_full(s, b, s.chief)
    with pytest.raises(ServiceError):
        marking.confirm_sheet(s.offered, b, actor=s.chief)


def test_unlock_needs_chief_and_reason_and_is_audited(setup):
    s = setup
    b = s.criteria[1]
    _submit_full(s, b, s.expert)
    marking.confirm_sheet(s.offered, b, actor=s.chief)
    with pytest.raises(ServiceError):
        marking.unlock_sheet(s.offered, b, "ошибка", actor=s.expert)
    with pytest.raises(ServiceError):
        marking.unlock_sheet(s.offered, b, "  ", actor=s.chief)
    sheet = marking.unlock_sheet(s.offered, b, "Ошибка ввода у участника 2", actor=s.chief)
    assert not sheet.locked and sheet.status == "draft"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "sheet.unlock"))
    assert entry.details["reason"] == "Ошибка ввода у участника 2"
    assert entry.user_id == s.chief.id
    marking.save_marks(s.offered, b, {(s.entries[0].id, b.aspects[0].id): "45"},
                       sheet.version, actor=s.expert)
    assert sheet.versions[-1].action == "save"
    assert [v.action for v in sheet.versions] == ["save", "submit", "confirm", "unlock", "save"]


def test_changing_a_submitted_sheet_returns_it_to_draft(setup):
    s = setup
    b = s.criteria[1]
    sheet = _submit_full(s, b, s.expert)
    sheet = marking.save_marks(s.offered, b, {(s.entries[0].id, b.aspects[0].id): "9"},
                               sheet.version, actor=s.expert)
    assert sheet.status == "draft"
