"""Sign-off that cannot get stuck: assignment roles (chief, deputy, expert), who confirms a
sheet (a chief or deputy who did not write its current marks), the organiser's override with a
reason when nobody may, the withdrawal of a submitted sheet, and the confirmation steps of
removing an assignment and unlocking a sheet."""
from __future__ import annotations

from itertools import combinations

import pytest
from sqlalchemy import select

from registry.access import NotAllowed
from registry.extensions import db
from registry.models import AuditEntry, ExpertAssignment, ScoreSheet
from registry.services import ServiceError, marking

from . import factories

ASPECTS = {"A": [(f"Аспект {n}", "25", "measurement") for n in range(1, 5)]}


def _place(team: tuple[str, ...]):
    """A competency with two entries, one criterion of four aspects, and ``team``'s roles."""
    competition = factories.make_competition(status="marking")
    offered = factories.make_offered(competition)
    oc = offered.offered_competency
    criterion = factories.make_scheme(oc, ASPECTS)[0]
    entries = [factories.register_entry(offered) for _ in range(2)]
    members = [factories.make_assignment(oc, role=role) for role in team]
    cells = [(e.id, a.id) for e in entries for a in criterion.aspects]
    return type("P", (), dict(competition=competition, offered=offered, oc=oc,
                              criterion=criterion, entries=entries, members=members,
                              cells=cells))


def _mark_and_submit(p, authors: list[ExpertAssignment], value="10") -> ScoreSheet:
    """Each author writes a share of the cells (round robin); the last one submits."""
    version = 0
    for i, author in enumerate(authors):
        values = {cell: value for k, cell in enumerate(p.cells) if k % len(authors) == i}
        sheet = marking.save_marks(p.offered, p.criterion, values, version, actor=author.user)
        version = sheet.version
    return marking.submit_sheet(p.offered, p.criterion, version, actor=authors[-1].user)


# Every team shape (at most one chief, as the assignments allow) and every set of authors.
TEAMS = [("chief",), ("chief", "expert"), ("chief", "deputy"), ("chief", "deputy", "expert"),
         ("chief", "deputy", "deputy"), ("chief", "expert", "expert"),
         ("chief", "deputy", "expert", "expert"), ("deputy", "expert"), ("deputy",)]
CASES = [(team, authors) for team in TEAMS for n in range(1, len(team) + 1)
         for authors in combinations(range(len(team)), n)]


@pytest.mark.parametrize("team,authors", CASES,
                         ids=[f"{'+'.join(t)}:{'+'.join(t[i] + str(i) for i in a)}"
                              for t, a in CASES])
def test_every_submitted_sheet_has_a_confirmer_or_an_override(app, team, authors):
    p = _place(team)
    writers = [p.members[i] for i in authors]
    sheet = _mark_and_submit(p, writers)
    state = marking.signoff(sheet)
    assert state.authors == {w.user_id for w in writers}
    signers = [m for m in p.members if m.signs_off]
    expected = [m.user for m in signers if m not in writers]
    assert state.confirmers == expected
    assert state.blocked == [m for m in signers if m in writers]
    assert state.candidates == [m for m in p.members if not m.signs_off and m not in writers]
    organiser = factories.make_user(role="organiser")
    for member in writers:  # an author never confirms what they wrote
        with pytest.raises(ServiceError):
            marking.confirm_sheet(p.offered, p.criterion, actor=member.user)
    for member in p.members:
        if not member.signs_off and member not in writers:  # an expert does not confirm
            with pytest.raises(NotAllowed):
                marking.confirm_sheet(p.offered, p.criterion, actor=member.user)
    if expected:
        assert not state.stuck
        with pytest.raises(ServiceError):  # an override only when nobody may confirm
            marking.override_confirmation(p.offered, p.criterion, "Нет никого",
                                          actor=organiser)
        sheet = marking.confirm_sheet(p.offered, p.criterion, actor=expected[-1])
        assert sheet.confirmed_by_id == expected[-1].id
        assert sheet.versions[-1].action == "confirm"
    else:
        assert state.stuck
        sheet = marking.override_confirmation(p.offered, p.criterion,
                                              "Все главные эксперты оценивали", actor=organiser)
        assert sheet.confirmed_by_id == organiser.id
        assert (sheet.versions[-1].action, sheet.versions[-1].reason) == (
            "override", "Все главные эксперты оценивали")
    assert sheet.status == "confirmed" and sheet.locked


def test_a_save_that_changes_nothing_and_marks_confirmed_before_make_no_author(app):
    p = _place(("chief", "deputy", "expert"))
    chief, deputy, expert = p.members
    sheet = _mark_and_submit(p, [chief])
    # the deputy opens and saves without changing a mark: still not an author
    sheet = marking.save_marks(p.offered, p.criterion, {p.cells[0]: "10"}, sheet.version,
                               actor=deputy.user)
    assert marking.mark_authors(sheet) == {chief.user_id}
    sheet = marking.confirm_sheet(p.offered, p.criterion, actor=deputy.user)
    sheet = marking.unlock_sheet(p.offered, p.criterion, "Апелляция", sheet.version,
                                 actor=chief.user)
    # after the unlock only the expert's change is unconfirmed: the chief may confirm it
    sheet = marking.save_marks(p.offered, p.criterion, {p.cells[1]: "12"}, sheet.version,
                               actor=expert.user)
    assert marking.mark_authors(sheet) == {expert.user_id}
    marking.submit_sheet(p.offered, p.criterion, actor=expert.user)
    assert marking.confirm_sheet(p.offered, p.criterion, actor=chief.user).status == "confirmed"


def test_override_needs_an_organiser_a_reason_and_a_submitted_sheet(app):
    p = _place(("chief",))
    chief = p.members[0]
    organiser = factories.make_user(role="organiser")
    marking.save_marks(p.offered, p.criterion, {c: "5" for c in p.cells}, 0, actor=chief.user)
    with pytest.raises(ServiceError):  # a draft
        marking.override_confirmation(p.offered, p.criterion, "Причина", actor=organiser)
    marking.submit_sheet(p.offered, p.criterion, actor=chief.user)
    for who in (chief.user, factories.make_user(role="coordinator")):
        with pytest.raises(NotAllowed):
            marking.override_confirmation(p.offered, p.criterion, "Причина", actor=who)
    with pytest.raises(ServiceError):
        marking.override_confirmation(p.offered, p.criterion, "  ", actor=organiser)
    assert db.session.scalar(select(ScoreSheet)).status == "submitted"
    marking.override_confirmation(p.offered, p.criterion, "Единственный эксперт",
                                  actor=organiser)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "sheet.override"))
    assert entry.user_id == organiser.id and entry.details["reason"] == "Единственный эксперт"


def test_roles_when_assigning(app):
    p = _place(("chief",))
    deputies = [marking.assign_expert(p.oc, factories.make_user(role="expert"), role="deputy")
                for _ in range(2)]
    assert [d.role for d in deputies] == ["deputy", "deputy"]
    with pytest.raises(ServiceError):  # one chief
        marking.assign_expert(p.oc, factories.make_user(role="expert"), role="chief")
    with pytest.raises(ServiceError):
        marking.assign_expert(p.oc, factories.make_user(role="expert"), role="boss")
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "expert.assign")).all()[-1]
    assert entry.details["role"] == "deputy"
    assert not deputies[0].is_chief and deputies[0].signs_off and p.members[0].is_chief


def test_changing_a_submitted_sheet_asks_first_and_records_who_withdrew_it(app):
    p = _place(("chief", "expert"))
    chief, expert = p.members
    sheet = _mark_and_submit(p, [expert])
    version = sheet.version
    with pytest.raises(marking.WithdrawalNeeded):
        marking.save_marks(p.offered, p.criterion, {p.cells[0]: "7"}, version,
                           actor=expert.user, withdraw=False)
    db.session.expire_all()
    sheet = db.session.scalar(select(ScoreSheet))
    assert sheet.status == "submitted" and sheet.version == version
    assert marking.withdrawal(sheet) is None
    # saving without a change asks nothing and withdraws nothing
    marking.save_marks(p.offered, p.criterion, {p.cells[0]: "10"}, version,
                       actor=expert.user, withdraw=False)
    assert sheet.status == "submitted"
    sheet = marking.save_marks(p.offered, p.criterion, {p.cells[0]: "7"}, sheet.version,
                               actor=expert.user, withdraw=True)
    assert sheet.status == "draft" and sheet.versions[-1].action == "withdraw"
    assert marking.withdrawal(sheet).author_id == expert.user_id
    assert set(marking.withdrawals([sheet.id])) == {sheet.id}
    overview = marking.competency_overview(p.oc)
    assert overview.withdrawn[sheet.id].author_id == expert.user_id
    marking.submit_sheet(p.offered, p.criterion, actor=expert.user)
    assert marking.withdrawal(sheet) is None and marking.withdrawals([sheet.id]) == {}


# --- pages -------------------------------------------------------------------------------------

def _url(p, suffix=""):
    return f"/marking/sheets/{p.offered.id}/{p.criterion.id}{suffix}"


def _client_as(app, user):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email,
                                       "password": factories.PASSWORD}).status_code == 302
    return client


def test_the_sheet_page_names_the_confirmer_or_the_way_out(app):
    p = _place(("chief", "expert", "expert"))
    chief, expert, other = p.members
    _mark_and_submit(p, [chief, expert])
    page = _client_as(app, chief.user).get(_url(p)).text
    assert 'data-testid="confirm"' not in page and 'data-testid="signoff-stuck"' in page
    assert chief.user.display_name in page and other.user.display_name in page  # a candidate
    assert "подтверждает её своим решением" in page  # the organiser's override (ru)
    # the other expert becomes a deputy: now they confirm
    other.role = "deputy"
    db.session.commit()
    page = _client_as(app, other.user).get(_url(p)).text
    assert 'data-testid="signoff-stuck"' not in page and 'data-testid="confirm"' in page
    page = _client_as(app, chief.user).get(_url(p)).text
    assert 'data-testid="confirmers"' in page and 'data-testid="confirm"' not in page


def test_saving_a_submitted_sheet_through_the_page_asks_first(app):
    p = _place(("chief", "expert"))
    chief, expert = p.members
    sheet = _mark_and_submit(p, [expert])
    client = _client_as(app, expert.user)
    entry_id, aspect_id = p.cells[0]
    data = {"version": str(sheet.version), "save": "1", f"m-{entry_id}-{aspect_id}": "3"}
    response = client.post(_url(p), data=data)
    assert response.status_code == 409 and 'data-testid="withdraw-step"' in response.text
    assert 'value="3"' in response.text  # the typed value is kept for the second step
    db.session.expire_all()
    assert db.session.scalar(select(ScoreSheet)).status == "submitted"
    response = client.post(_url(p), data=data | {"withdraw": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(ScoreSheet)).status == "draft"
    chief_client = _client_as(app, chief.user)
    page = chief_client.get(_url(p)).text
    assert 'data-testid="withdrawn"' in page and expert.user.display_name in page
    overview = chief_client.get("/marking").text
    assert f'data-testid="withdrawn-{p.offered.id}-{p.criterion.id}"' in overview
    history = chief_client.get(_url(p, "/history")).text
    assert 'data-action="withdraw"' in history


def test_the_organiser_overrides_from_the_experts_page(app, client, login):
    p = _place(("chief",))
    chief = p.members[0]
    sheet = _mark_and_submit(p, [chief])
    login(client, "organiser")
    page = client.get(f"/marking/competitions/{p.competition.id}/experts").text
    assert f'data-testid="override-{sheet.id}"' in page and 'name="role"' in page
    url = (f"/marking/competitions/{p.competition.id}/sheets/{p.offered.id}/"
           f"{p.criterion.id}/override")
    page = client.get(url).text
    assert 'data-testid="override-consequences"' in page
    assert client.post(url, data={"version": str(sheet.version), "reason": ""}).status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(ScoreSheet)).status == "submitted"
    response = client.post(url, data={"version": str(sheet.version),
                                      "reason": "Главный эксперт один"})
    assert response.status_code == 302
    db.session.expire_all()
    sheet = db.session.scalar(select(ScoreSheet))
    assert sheet.status == "confirmed" and sheet.locked
    # another competition's id in the address: not found
    other = factories.make_competition()
    assert client.get(url.replace(f"competitions/{p.competition.id}/",
                                  f"competitions/{other.id}/")).status_code == 404
    history = _client_as(app, chief.user).get(_url(p, "/history")).text
    assert 'data-action="override"' in history and "Главный эксперт один" in history


def test_removing_an_assignment_asks_first(client, login):
    p = _place(("chief", "expert"))
    expert = p.members[1]
    login(client, "organiser")
    url = f"/marking/assignments/{expert.id}/remove"
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="remove-consequences"' in page.text
    assert expert.user.display_name in page.text
    assert db.session.get(ExpertAssignment, expert.id) is not None
    assert client.post(url, data={}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ExpertAssignment, expert.id) is None


def test_unlocking_asks_first_and_only_the_chief(app):
    p = _place(("chief", "deputy", "expert"))
    chief, deputy, expert = p.members
    _mark_and_submit(p, [expert])
    sheet = marking.confirm_sheet(p.offered, p.criterion, actor=deputy.user)
    db.session.commit()
    chief_client = _client_as(app, chief.user)
    assert 'href="' + _url(p, "/unlock") + '"' in chief_client.get(_url(p)).text
    page = chief_client.get(_url(p, "/unlock"))
    assert page.status_code == 200 and 'data-testid="unlock-consequences"' in page.text
    assert _client_as(app, deputy.user).get(_url(p, "/unlock")).status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(ScoreSheet)).locked
    response = chief_client.post(_url(p, "/unlock"), data={"version": str(sheet.version),
                                                           "reason": "Апелляция"})
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.scalar(select(ScoreSheet)).locked
