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
    "auth.password": ALL,
    "main.index": "public",
    "main.dashboard": ALL,
    "admin.users": frozenset({"admin"}),
    "admin.user_create": frozenset({"admin"}),
    "admin.user_edit": frozenset({"admin"}),
    "admin.user_password": frozenset({"admin"}),
    "admin.regions": STAFF,
    "admin.competencies": STAFF,
    "admin.competency_create": frozenset({"admin"}),
    "admin.category_create": frozenset({"admin"}),
    "admin.alias_create": frozenset({"admin"}),
    "competitions.index": STAFF,
    "competitions.create": frozenset({"admin", "organiser"}),
    "competitions.detail": STAFF,
    "competitions.edit": frozenset({"admin", "organiser"}),
    "competitions.offer": frozenset({"admin", "organiser"}),
    "competitions.withdraw": frozenset({"admin", "organiser"}),
    "competitions.team_rule": frozenset({"admin", "organiser"}),
    "competitions.reopen": frozenset({"admin", "organiser"}),
    "advancement.advance": frozenset({"admin", "organiser"}),
    "registration.organisations": STAFF,
    "registration.organisation_create": frozenset({"admin", "organiser"}),
    "registration.organisation_edit": frozenset({"admin", "organiser"}),
    "registration.persons": STAFF,
    "registration.person_create": frozenset({"admin", "organiser"}),
    "registration.person_detail": STAFF,
    "registration.person_by_number": STAFF,
    "registration.person_edit": frozenset({"admin", "organiser"}),
    "registration.health_edit": frozenset({"admin", "organiser"}),
    "registration.health_delete": frozenset({"admin", "organiser"}),
    "registration.participants": STAFF,
    "registration.entry_create": frozenset({"admin", "organiser"}),
    "registration.entry_create_person": frozenset({"admin", "organiser"}),
    "registration.team_create": frozenset({"admin", "organiser"}),
    "registration.entry_detail": STAFF,
    "registration.entry_status": frozenset({"admin", "organiser"}),
    "registration.entry_out_of_competition": frozenset({"admin", "organiser"}),
    "registration.entry_add_member": frozenset({"admin", "organiser"}),
    "registration.entry_remove_member": frozenset({"admin", "organiser"}),
    "imports.results": frozenset({"admin", "organiser"}),
    "imports.results_confirm": frozenset({"admin", "organiser"}),
    "imports.results_preview": frozenset({"admin", "organiser"}),
    "imports.results_cancel": frozenset({"admin", "organiser"}),
    "imports.participants": frozenset({"admin", "organiser"}),
    "imports.confirm": frozenset({"admin", "organiser"}),
    "imports.preview": frozenset({"admin", "organiser"}),
    "imports.cancel": frozenset({"admin", "organiser"}),
    "imports.template": frozenset({"admin", "organiser"}),
    # marking and results: object-level checks refuse experts who are not assigned (as the
    # sample expert is not), so the sheet pages are open to nobody here; see test_marking_pages
    "marking.index": ALL,
    "marking.sheets": frozenset({"admin", "organiser", "expert"}),
    "marking.assignments": frozenset({"admin", "organiser"}),
    "marking.assignment_remove": frozenset({"admin", "organiser"}),
    "marking.scheme": frozenset({"admin", "organiser"}),
    "marking.scheme_import": frozenset({"admin", "organiser"}),
    "marking.criterion_delete": frozenset({"admin", "organiser"}),
    "marking.aspect_delete": frozenset({"admin", "organiser"}),
    "marking.sheet": frozenset(),
    "marking.sheet_submit": frozenset(),
    "marking.sheet_confirm": frozenset(),
    "marking.sheet_unlock": frozenset(),
    "marking.sheet_override": frozenset({"admin", "organiser"}),
    "marking.sheet_history": frozenset(),
    "marking.standings": STAFF,
    "marking.publish": frozenset({"admin", "organiser"}),
    "marking.publish_confirm": frozenset({"admin", "organiser"}),
    "marking.not_held": frozenset({"admin", "organiser"}),
    "marking.draft": frozenset({"admin", "organiser"}),
    "audit.log": frozenset({"admin", "organiser"}),
    "exports.index": STAFF,
    "exports.download": STAFF,
    # a job's page, status and file: its owner, whatever the role (``jobs.own``); the sample
    # job is nobody's, so every role gets the 404 of HIDDEN (tests/test_jobs.py: the owner)
    "jobs.status": frozenset(), "jobs.status_json": frozenset(), "jobs.download": frozenset(),
    "medals.index": STAFF,
    "awards.special_for_entry": frozenset({"admin", "organiser"}),
    "awards.special_for_person": frozenset({"admin", "organiser"}),
    "awards.special_revoke": frozenset({"admin", "organiser"}),
    "awards.offers": STAFF,
    "awards.offer_new": STAFF,
    "awards.offer_edit": STAFF,
    "awards.offer_state": STAFF,
    "tokens.index": frozenset({"admin"}),
    "tokens.revoke": frozenset({"admin"}),
    # the public pages (a released competition's published results) and their release
    "public.index": "public",
    "public.competition": "public",
    "public.competency": "public",
    "public.competition_medals": "public",
    "public.medals": "public",
    "public.search": "public",
    "competitions.release": frozenset({"admin", "organiser"}),
    "competitions.public_points": frozenset({"admin", "organiser"}),
    "diplomas.competition": STAFF,
    "diplomas.competition_download": STAFF,
    "diplomas.person": STAFF,
    "diplomas.person_download": STAFF,
    "diplomas.templates": frozenset({"admin"}),
    "diplomas.template_edit": frozenset({"admin"}),
    "diplomas.template_reset": frozenset({"admin"}),
    "diplomas.template_preview": frozenset({"admin"}),
    "diplomas.verify": "public",
    "duplicates.persons": frozenset({"admin", "organiser"}),
    "duplicates.person_merge_view": frozenset({"admin", "organiser"}),
    "duplicates.person_distinct": frozenset({"admin", "organiser"}),
    "duplicates.person_undo": frozenset({"admin", "organiser"}),
    "duplicates.organisations": frozenset({"admin", "organiser"}),
    "duplicates.organisation_merge_view": frozenset({"admin", "organiser"}),
    "duplicates.organisation_distinct": frozenset({"admin", "organiser"}),
    "duplicates.organisation_undo": frozenset({"admin", "organiser"}),
}


# Object-level refusals: a role that holds the permission but is not assigned to the object
# (an expert and another competency's sheet) gets 404, so that existence does not leak.
HIDDEN: dict[str, frozenset[str]] = {
    "marking.scheme": frozenset({"expert"}),
    "marking.scheme_import": frozenset({"expert"}),
    "marking.criterion_delete": frozenset({"expert"}),
    "marking.aspect_delete": frozenset({"expert"}),
    "marking.sheet": frozenset({"expert"}),
    "marking.sheet_submit": frozenset({"expert"}),
    "marking.sheet_confirm": frozenset({"expert"}),
    "marking.sheet_unlock": frozenset({"expert"}),
    "marking.sheet_history": frozenset({"expert"}),
    "marking.standings": frozenset({"expert"}),
    "marking.publish": frozenset({"expert"}),
    "marking.publish_confirm": frozenset({"expert"}),
    "marking.draft": frozenset({"expert"}),
    # a background job: only its owner; the sample job is nobody's in the matrix
    "jobs.status": ALL, "jobs.status_json": ALL, "jobs.download": ALL,
}


def _rules(app):
    """The rules of the pages; the API's (``api.*``: bearer tokens, no session, no CSRF) have
    their own matrix in ``test_api_permissions.py``."""
    return sorted(
        (r for r in app.url_map.iter_rules()
         if r.endpoint != "static" and not r.endpoint.endswith(".static")
         and not r.endpoint.startswith("api.")),
        key=lambda r: r.rule,
    )


def _sample_args(rule, objects) -> dict:
    values = {"user_id": objects["user"].id, "lang": "en",
              "competition_id": objects["competition"].id,
              "offered_category_id": objects["offered_category"].id,
              "person_id": objects["person"].id,
              "organisation_id": objects["organisation"].id,
              "entry_id": objects["entry"].id}
    values.update({"offered_competency_id": objects["offered_competency"].id,
                   "criterion_id": objects["criterion"].id,
                   "aspect_id": objects["aspect"].id,
                   "assignment_id": objects["assignment"].id})
    values.update({"identifier": "participants", "award_id": objects["award"].id,
                   "offer_id": objects["offer"].id, "token_id": objects["token"].id,
                   "job_id": "0" * 32, "number": str(objects["person"].number)})
    values.update({"kind": "gold", "code": objects["diploma"].code})
    missing = set(rule.arguments) - set(values)
    assert not missing, f"no sample value for {missing} in {rule.rule}: add one to _sample_args"
    return {name: values[name] for name in rule.arguments}


def _sample_objects() -> dict:
    competition = factories.make_competition()
    objects = {
        "user": factories.make_user(role="expert"),
        "competition": competition,
        "offered_category": factories.make_offered(competition),
    }
    objects["organisation"] = factories.make_organisation()
    objects["person"] = factories.make_person(organisation=objects["organisation"])
    objects["entry"] = factories.make_entry(objects["offered_category"], [objects["person"]])
    objects["offered_competency"] = objects["offered_category"].offered_competency
    criterion = factories.make_scheme(objects["offered_competency"])[0]
    objects["criterion"], objects["aspect"] = criterion, criterion.aspects[0]
    objects["assignment"] = factories.make_assignment(objects["offered_competency"])
    objects["award"] = factories.make_special_award(objects["person"])
    objects["offer"] = factories.make_offer(objects["person"])
    objects["token"] = factories.make_api_token(objects["user"])
    _publish_and_release(competition, objects)
    objects["diploma"] = factories.make_diploma(objects["person"])
    return objects


def _publish_and_release(competition, objects) -> None:
    """The sample competition's one entry published (written directly) and released, so
    that the public pages have something to show."""
    from registry.extensions import db
    from registry.models import Publication, utcnow

    db.session.add(Publication(
        competition_id=competition.id, number=1, published_at=utcnow(),
        snapshot={"standings": {str(objects["offered_category"].id):
                                [[objects["entry"].id, None, 1, "gold"]]}}))
    competition.released_at = utcnow()
    db.session.commit()


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
    objects = _sample_objects()
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
        elif role in HIDDEN.get(rule.endpoint, ()):
            ok = code == 404
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
    objects = _sample_objects()
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
