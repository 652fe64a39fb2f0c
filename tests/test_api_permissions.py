"""The API's permission matrix: every ``/api/v1`` rule in ``app.url_map`` × no token, each
role × the scopes (only the one the rule needs, every other one).

``EXPECTED`` says, per endpoint, which roles may use it and which scope it needs; a new API
rule that is not listed fails ``test_every_api_rule_is_listed``. A token acts as its user:
the role table decides (403), an expert's object rule hides another competition (404), the
scope narrows further (403), and without a valid token everything but the document is 401.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from registry.api.openapi import api_rules
from registry.extensions import db
from registry.models import API_SCOPES, ROLES, utcnow

from . import factories
from .api_helpers import bearer, is_problem
from .test_permissions import _sample_args, _sample_objects

ALL = frozenset(ROLES)
STAFF = frozenset({"admin", "organiser", "coordinator"})
MANAGERS = frozenset({"admin", "organiser"})
OPEN = "open"  # no token needed

EXPECTED: dict[str, tuple[frozenset[str] | str, str | None]] = {
    "api.document": (OPEN, None),
    "api.docs": (OPEN, None),
    "api.public_competitions": (OPEN, None),
    "api.public_competition": (OPEN, None),
    "api.public_results": (OPEN, None),
    "api.public_competition_medals": (OPEN, None),
    "api.public_medals": (OPEN, None),
    "api.token_info": (ALL, None),
    "api.competitions": (STAFF, "read"),
    "api.competition": (STAFF, "read"),
    "api.competition_create": (MANAGERS, "register"),
    "api.competition_update": (MANAGERS, "register"),
    "api.offerings": (STAFF, "read"),
    "api.offer": (MANAGERS, "register"),
    "api.persons": (STAFF, "read"),
    "api.person": (STAFF, "read"),
    "api.person_create": (MANAGERS, "register"),
    "api.person_update": (MANAGERS, "register"),
    "api.entries": (STAFF, "read"),
    "api.entry": (STAFF, "read"),
    "api.entry_create": (MANAGERS, "register"),
    "api.entry_update": (MANAGERS, "register"),
    "api.participants_preview": (MANAGERS, "register"),
    "api.participants_confirm": (MANAGERS, "register"),
    "api.results_preview": (MANAGERS, "results"),
    "api.results_confirm": (MANAGERS, "results"),
    "api.standings": (ALL, "read"),
    "api.awards": (STAFF, "read"),
    "api.offers": (STAFF, "read"),
    "api.exports": (STAFF, "read"),
    "api.export": (STAFF, "read"),
}
# Roles that hold the permission but not the object: 404, existence does not leak.
HIDDEN = {"api.standings": frozenset({"expert"})}


def _request(client, rule, objects, headers):
    from flask import url_for

    with client.application.test_request_context():
        url = url_for(rule.endpoint, **_sample_args(rule, objects))
    method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
    if method == "GET":
        return client.get(url, headers=headers)
    return client.open(url, method=method, json={}, headers=headers)


def test_every_api_rule_is_listed(app):
    assert {r.endpoint for r in api_rules(app)} == set(EXPECTED)


def _objects():
    objects = _sample_objects()
    objects["identifier"] = "participants"
    return objects


def test_without_a_valid_token_everything_but_the_document_is_401(app, client):
    objects = _objects()
    user = factories.make_user(role="admin")
    revoked = factories.make_api_token(user, API_SCOPES, name="revoked")
    revoked.revoked_at = utcnow()
    expired = factories.make_api_token(user, API_SCOPES, name="expired")
    expired.expires_at = utcnow() - timedelta(seconds=1)
    inactive_user = factories.make_user(role="admin")
    inactive = factories.make_api_token(inactive_user, API_SCOPES, name="inactive")
    inactive_user.active = False
    db.session.commit()
    variants = [{}, {"Authorization": "Bearer"}, {"Authorization": "Basic abc"},
                bearer("rgt_not-a-token"), bearer(revoked.secret), bearer(expired.secret),
                bearer(inactive.secret)]
    failures = []
    for rule in api_rules(app):
        for headers in variants:
            response = _request(client, rule, objects, headers)
            expected = EXPECTED[rule.endpoint][0]
            if expected == OPEN:
                ok = response.status_code == 200
            else:
                ok = response.status_code == 401 and is_problem(response) \
                    and "Bearer" in response.headers.get("WWW-Authenticate", "")
            if not ok:
                failures.append(f"{rule.endpoint} {headers}: {response.status_code}")
    assert not failures, "; ".join(failures)


def test_a_session_cookie_is_not_a_token(app, client, login):
    objects = _objects()
    open_rules = [r for r in api_rules(app) if EXPECTED[r.endpoint][0] == OPEN
                  and r.endpoint != "api.docs"]
    anonymous = {r.endpoint: _request(client, r, objects, {}).get_data() for r in open_rules}
    login(client, "admin")
    for rule in api_rules(app):
        if EXPECTED[rule.endpoint][0] != OPEN:
            assert _request(client, rule, objects, {}).status_code == 401, rule.endpoint
    for rule in open_rules:  # the reads without a token: a session is not used either
        response = _request(client, rule, objects, {})
        assert response.status_code == 200, rule.endpoint
        assert response.get_data() == anonymous[rule.endpoint], rule.endpoint


@pytest.mark.parametrize("role", ROLES)
def test_the_public_reads_need_no_token_and_a_token_changes_nothing(app, client, role):
    objects = _objects()
    user = factories.make_user(role=role)
    tokens = [factories.make_api_token(user, [scope], name=scope) for scope in API_SCOPES]
    for rule in api_rules(app):
        if EXPECTED[rule.endpoint][0] != OPEN or rule.endpoint == "api.docs":
            continue
        anonymous = _request(client, rule, objects, {})
        assert anonymous.status_code == 200, rule.endpoint
        for token in tokens:
            response = _request(client, rule, objects, bearer(token.secret))
            assert response.get_data() == anonymous.get_data(), (rule.endpoint, token.name)


@pytest.mark.parametrize("role", ROLES)
def test_api_permission_matrix(app, client, role):
    objects = _objects()
    user = factories.make_user(role=role)
    tokens = {scope: factories.make_api_token(user, [scope], name=scope)
              for scope in API_SCOPES}
    failures = []
    for rule in api_rules(app):
        roles, needed = EXPECTED[rule.endpoint]
        if roles == OPEN:
            continue
        for scope, token in tokens.items():
            response = _request(client, rule, objects, bearer(token.secret))
            code = response.status_code
            if role not in roles:
                ok = code == 403 and is_problem(response)
            elif needed is not None and scope != needed:
                ok = code == 403 and is_problem(response)
            elif role in HIDDEN.get(rule.endpoint, ()):
                ok = code == 404 and is_problem(response)
            else:
                ok = code not in (401, 403, 404) and code < 500 and (
                    code < 400 or is_problem(response))
            if not ok:
                failures.append(f"{rule.endpoint} scope {scope}: {code}")
    assert not failures, f"role {role}: " + "; ".join(failures)


def test_an_assigned_expert_reads_the_standings_of_their_competency_only(app, client):
    competition = factories.make_competition()
    mine = factories.make_offered(competition)
    other = factories.make_offered(competition, "Веб-технологии")
    expert = factories.make_user(role="expert")
    factories.make_assignment(mine.offered_competency, user=expert)
    token = factories.make_api_token(expert, ["read"])
    response = client.get(f"/api/v1/competitions/{competition.id}/standings",
                          headers=bearer(token.secret))
    assert response.status_code == 200
    seen = {c["offered_category_id"] for c in response.get_json()["categories"]}
    assert mine.id in seen and other.id not in seen
