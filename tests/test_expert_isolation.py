"""Experts see only their competencies: an expert assigned to A asks for everything of B, in
the same competition, published or not, and gets 404 each time; the whole-competition views
show them A only."""
from __future__ import annotations

import pytest
from flask import url_for

from registry.extensions import db
from registry.services import marking
from registry.services import results as results_service

from . import factories


def _competency(competition, name):
    offered = factories.make_offered(competition, name, "Основная")
    oc = offered.offered_competency
    criterion = factories.make_scheme(oc, {"A": [("Всё", "100", "measurement")]})[0]
    entries = [factories.register_entry(offered, last_name=f"{name[:5]}{i}") for i in range(2)]
    chief = factories.make_assignment(oc, is_chief=True).user
    expert = factories.make_assignment(oc).user
    values = {(e.id, criterion.aspects[0].id): str(70 + i) for i, e in enumerate(entries)}
    sheet = marking.save_marks(offered, criterion, values, 0, actor=expert)
    marking.submit_sheet(offered, criterion, sheet.version, actor=expert)
    marking.confirm_sheet(offered, criterion, actor=chief)
    db.session.commit()
    return offered, criterion, expert, entries


@pytest.fixture
def two(app):
    competition = factories.make_competition(status="marking")
    a = _competency(competition, "Сварочные технологии")
    b = _competency(competition, "Поварское дело")
    return competition, a, b


@pytest.mark.parametrize("published", [False, True], ids=["draft", "published"])
def test_an_expert_of_a_gets_404_for_everything_of_b(app, client, login, two, published):
    competition, (offered_a, _ca, expert_a, _ea), (offered_b, criterion_b, _xb, entries_b) = two
    if published:
        results_service.publish(competition, actor=factories.make_user(role="organiser"))
        db.session.commit()
    client.post("/login", data={"email": expert_a.email, "password": factories.PASSWORD})
    oc_b = offered_b.offered_competency_id
    for url in (
        f"/results/{competition.id}?competency={oc_b}",
        f"/results/{competition.id}/draft?competency={oc_b}",
        f"/results/{competition.id}/publish/confirm?competency={oc_b}",
        f"/marking/competencies/{oc_b}/scheme",
        f"/marking/sheets/{offered_b.id}/{criterion_b.id}",
        f"/marking/sheets/{offered_b.id}/{criterion_b.id}/history",
    ):
        assert client.get(url).status_code == 404, url
    for url in (f"/results/{competition.id}", f"/results/{competition.id}?all=1",
                f"/results/{competition.id}/draft"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert all(e.members[0].person.last_name not in page.text for e in entries_b), url
        assert "Поварское дело" not in page.text, url


def test_staff_still_see_every_competency(app, client, login, two):
    competition = two[0]
    login(client, "coordinator")
    page = client.get(f"/results/{competition.id}")
    assert page.status_code == 200 and "Поварское дело" in page.text


COMPETENCY_ARGUMENTS = {"offered_competency_id", "offered_category_id", "criterion_id",
                        "aspect_id", "assignment_id"}


def test_every_rule_that_names_an_object_of_b_is_refused_to_an_expert_of_a(app, client, two):
    """The permission matrix at object level: every rule of ``app.url_map`` whose URL names
    a competency, category, criterion, aspect or assignment, filled with B's, GET and POST.
    Where the expert's role admits the view, the answer is 404 (B's existence does not
    leak); elsewhere 403 or 404; and nothing is written."""
    from registry.models import ExpertAssignment
    from registry.security import PERMISSIONS, view_access

    from .test_hostile_input import changed_tables, end_request, row_counts
    from .test_permissions import _rules

    competition, (offered_a, _ca, expert_a, _ea), (offered_b, criterion_b, _xb, _eb) = two
    assignment_b = db.session.scalar(db.select(ExpertAssignment).where(
        ExpertAssignment.offered_competency_id == offered_b.offered_competency_id))
    values = {"competition_id": competition.id, "offered_category_id": offered_b.id,
              "offered_competency_id": offered_b.offered_competency_id,
              "criterion_id": criterion_b.id, "aspect_id": criterion_b.aspects[0].id,
              "assignment_id": assignment_b.id}
    client.post("/login", data={"email": expert_a.email, "password": factories.PASSWORD})
    end_request()
    tried, failures = [], []
    for rule in _rules(app):
        if not COMPETENCY_ARGUMENTS & set(rule.arguments):
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
        admitted = "expert" in PERMISSIONS.get(view_access(app, rule.endpoint), ())
        for method in sorted(rule.methods & {"GET", "POST"}):
            before = row_counts()
            response = client.open(url, method=method, data={})
            end_request()
            tried.append(f"{method} {rule.rule}")
            wanted = {404} if admitted else {403, 404}
            if response.status_code not in wanted or changed_tables(before):
                failures.append(f"{method} {url}: {response.status_code}")
    assert len(tried) >= 10, tried  # the scheme, sheets, history, assignments, imports …
    assert not failures, failures
