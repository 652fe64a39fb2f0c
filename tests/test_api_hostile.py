"""Hostile input against the API, as ``test_hostile_input.py`` does against the forms: every
``/api/v1`` rule gets hostile JSON bodies (its schema's fields with hostile values, and JSON
of any shape), hostile raw bodies and content types, hostile query strings and hostile
headers. Never a 500; every refusal is problem details; a refusal writes nothing (row counts
of every table, read on a connection of its own; the rate-limit counters in
``login_throttles`` and the token's ``last_used_at`` are the API's memory, not data)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry import create_app
from registry.api.openapi import api_rules

from . import factories
from .api_helpers import bearer, is_problem
from .test_hostile_input import HOSTILE_TEXT, SETTINGS, changed_tables, hostile_text, row_counts
from .test_permissions import _sample_args, _sample_objects

MAY_CHANGE = {"login_throttles", "audit_log"}  # audit: an export's run (200) is written


def _rules_by_method():
    probe = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                        "SECRET_KEY": "x"})
    found = {}
    for rule in api_rules(probe):
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            schema = probe.view_functions[rule.endpoint].api_operation.body
            fields = sorted(schema._declared_fields) if schema is not None else []
            found[(rule.endpoint, method)] = fields
    return found


RULES = _rules_by_method()
WRITES = sorted(k for k in RULES if k[1] != "GET")
READS = sorted(k for k in RULES if k[1] == "GET")

json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                        hostile_text, st.sampled_from(HOSTILE_TEXT))
json_value = st.recursive(json_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(hostile_text, inner, max_size=4)),
    max_leaves=12)


@pytest.fixture
def world(app, client):
    app.config.update(API_RATE_LIMIT_TOKEN=10**6, API_RATE_LIMIT_ADDRESS=10**6)
    objects = _sample_objects()
    objects["identifier"] = "participants"
    admin = factories.make_user(role="admin")
    token = factories.make_api_token(admin, ["read", "register", "results"])
    yield {"objects": objects, "headers": bearer(token.secret)}
    app.config.pop("API_RATE_LIMIT_TOKEN")
    app.config.pop("API_RATE_LIMIT_ADDRESS")


def _url(client, endpoint, objects):
    from flask import url_for

    rule = next(r for r in client.application.url_map.iter_rules() if r.endpoint == endpoint)
    with client.application.test_request_context():
        return url_for(endpoint, **_sample_args(rule, objects))


def _check(response, before):
    assert response.status_code < 500, response.text[:500]
    if response.status_code >= 400:
        assert is_problem(response), response.text[:300]
        assert not changed_tables(before) - MAY_CHANGE


@pytest.mark.parametrize(("endpoint", "method"), WRITES)
def test_hostile_bodies_never_fail_and_refusals_write_nothing(app, client, world, endpoint,
                                                              method):
    url = _url(client, endpoint, world["objects"])
    fields = RULES[(endpoint, method)]

    @SETTINGS
    @given(body=st.one_of(
        st.fixed_dictionaries({}, optional={name: json_value for name in fields}),
        st.dictionaries(st.sampled_from(fields or ["x"]), json_scalar, max_size=len(fields)),
        json_value))
    def post_json(body):
        before = row_counts()
        response = client.open(url, method=method, json=body, headers=world["headers"])
        _check(response, before)

    @SETTINGS
    @given(data=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)),
           content_type=st.sampled_from(["application/json", "text/plain",
                                         "multipart/form-data", "application/x-www-form-"
                                         "urlencoded", "application/json; charset=latin-1"]),
           key=st.one_of(st.none(), hostile_text.filter(lambda t: "\n" not in t
                                                        and "\r" not in t and "\x00" not in t)))
    def post_raw(data, content_type, key):
        headers = dict(world["headers"])
        if key is not None:
            headers["Idempotency-Key"] = key
        headers["If-Match"] = '"stale"'
        before = row_counts()
        response = client.open(url, method=method, data=data, content_type=content_type,
                               headers=headers)
        _check(response, before)

    post_json()
    post_raw()


@pytest.mark.parametrize(("endpoint", "method"), READS)
def test_hostile_queries_never_fail(app, client, world, endpoint, method):
    url = _url(client, endpoint, world["objects"])

    @SETTINGS
    @given(query=st.dictionaries(st.one_of(st.sampled_from(
        ["page", "per_page", "q", "kind", "year", "stage", "status", "region_id",
         "organisation_id", "competition_id", "person_id", "competition", "region", "state",
         "category", "competency", "award", "cursor", "limit"]), hostile_text), hostile_text, max_size=5),
        etag=st.one_of(st.none(), hostile_text.filter(lambda t: "\n" not in t
                                                       and "\r" not in t and "\x00" not in t)))
    def get(query, etag):
        headers = dict(world["headers"])
        if etag is not None:
            headers["If-None-Match"] = etag
        before = row_counts()
        response = client.get(url, query_string=query, headers=headers)
        _check(response, before)

    get()


@given(header=hostile_text.filter(lambda t: "\n" not in t and "\r" not in t))
@SETTINGS
def test_hostile_authorization_headers_are_401(app, client, header):
    for value in (header, "Bearer " + header, "bearer rgt_" + header):
        response = client.get("/api/v1/token", headers={"Authorization": value})
        assert response.status_code == 401 and is_problem(response)


@pytest.mark.parametrize("value", ["²", "٣", "１２", "9" * 11, "-1", " 1"])
def test_digits_that_int_refuses_are_422_not_500(app, client, world, value):
    for url in ("/api/v1/competitions", "/api/v1/public/competitions"):
        for name in ("year", "region"):
            response = client.get(url, query_string={name: value}, headers=world["headers"])
            assert response.status_code in (200, 422), (url, name, response.status_code)
            assert response.status_code == 200 or is_problem(response)
