"""The permission matrix: every rule in ``app.url_map``, anonymous and each role.

``EXPECTED`` says, for every endpoint, which roles may use it ("public" for everyone).
A new view that is not listed here fails the test, so that nobody adds a page without
deciding who may open it.
"""
from __future__ import annotations

import pytest

from registry.models import ROLES
from registry.security import view_access

from . import factories

ALL = frozenset(ROLES)
STAFF = frozenset({"admin", "organiser", "coordinator"})

EXPECTED: dict[str, frozenset[str] | str] = {
    "auth.login": "public",
    "auth.set_language": "public",
    "auth.logout": ALL,
    "main.index": "public",
    "main.dashboard": ALL,
    "admin.users": frozenset({"admin"}),
    "admin.user_create": frozenset({"admin"}),
    "admin.user_edit": frozenset({"admin"}),
    "admin.user_password": frozenset({"admin"}),
    "admin.regions": STAFF,
    "admin.competencies": STAFF,
}


def _rules(app):
    return sorted(
        (r for r in app.url_map.iter_rules()
         if r.endpoint != "static" and not r.endpoint.endswith(".static")),
        key=lambda r: r.rule,
    )


def _sample_args(rule, objects) -> dict:
    values = {"user_id": objects["user"].id, "lang": "en"}
    missing = set(rule.arguments) - set(values)
    assert not missing, f"no sample value for {missing} in {rule.rule}: add one to _sample_args"
    return {name: values[name] for name in rule.arguments}


def _request(client, rule, objects):
    from flask import url_for

    with client.application.test_request_context():
        url = url_for(rule.endpoint, **_sample_args(rule, objects))
    if "GET" in rule.methods:
        return client.get(url)
    return client.post(url, data={})


def test_every_view_is_listed_and_declares_access(app):
    endpoints = {r.endpoint for r in _rules(app)}
    assert endpoints == set(EXPECTED), "EXPECTED and app.url_map differ"
    for endpoint in endpoints:
        assert view_access(app, endpoint) is not None, f"{endpoint} declares no access"


@pytest.mark.parametrize("role", [None, *ROLES])
def test_permission_matrix(app, client, login, role):
    objects = {"user": factories.make_user(role="expert")}
    if role is not None:
        login(client, role)
    failures = []
    for rule in _rules(app):
        if rule.endpoint == "auth.logout":
            continue  # would end the session for the rules after it; tested in test_auth
        expected = EXPECTED[rule.endpoint]
        response = _request(client, rule, objects)
        code = response.status_code
        if expected == "public":
            ok = code in (200, 302) and "/login" not in (response.location or "") or (
                rule.endpoint == "auth.login")
        elif role is None:
            ok = code == 302 and "/login" in response.location
        elif role in expected:
            ok = code in (200, 302)
        else:
            ok = code == 403
        if not ok:
            failures.append(f"{rule.endpoint} {rule.rule}: {code}")
    assert not failures, f"role {role}: " + "; ".join(failures)


def test_logout_needs_login_and_works(client, login):
    assert client.post("/logout").status_code == 302
    login(client, "expert")
    response = client.post("/logout")
    assert response.status_code == 302 and "/login" in response.location
    assert client.get("/dashboard").status_code == 302


def test_every_post_without_csrf_token_is_refused(app, client, login, csrf_enabled):
    objects = {"user": factories.make_user(role="expert")}
    app.config["WTF_CSRF_ENABLED"] = False
    login(client, "admin")
    app.config["WTF_CSRF_ENABLED"] = True
    checked = 0
    for rule in _rules(app):
        if "POST" not in rule.methods:
            continue
        from flask import url_for

        with app.test_request_context():
            url = url_for(rule.endpoint, **_sample_args(rule, objects))
        response = client.post(url, data={"email": "x@y.ru", "password": "p"})
        assert response.status_code == 400, f"{rule.rule} accepted a POST without CSRF token"
        checked += 1
    assert checked >= 5
