"""What the API promises beyond permissions: the same operations and audit as the pages
(with the token's name), problem details, ETag / If-Match conflicts, Idempotency-Key, rate
limits in the database, the participants import's row-numbered problems, the token pages
and the ``flask tokens create`` command."""
from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from registry.api import ratelimit, tokens
from registry.extensions import db
from registry.models import ApiToken, AuditEntry, Entry, Person

from . import factories
from .api_helpers import bearer, is_problem, token_for

PERSON = {"last_name": "Петрова", "first_name": "Анна", "middle_name": "Сергеевна",
          "birth_date": "2006-04-12", "region": "Оренбургская область",
          "organisation": "Оренбургский колледж", "consent_date": "2024-01-10"}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_write_is_audited_with_the_token_name(client):
    secret, _token = token_for("organiser", name="Портал Оренбурга")
    response = client.post("/api/v1/persons", json=PERSON, headers=bearer(secret))
    assert response.status_code == 201, response.text
    assert response.headers["Location"].endswith(f"/api/v1/persons/{response.json['id']}")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.create"))
    assert entry.details["api_token"] == "Портал Оренбурга"


def test_the_same_rules_as_the_form_refuse_with_the_field(client):
    secret, _token = token_for("organiser")
    response = client.post("/api/v1/persons", json={**PERSON, "birth_date": "2099-01-01"},
                           headers=bearer(secret))
    assert response.status_code == 422 and is_problem(response)
    assert response.json["errors"][0]["field"] == "birth_date"
    response = client.post("/api/v1/persons", json={**PERSON, "last_name": "Пет\u202eрова"},
                           headers=bearer(secret))
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "last_name"
    response = client.post("/api/v1/persons", json={**PERSON, "shoe_size": 42},
                           headers=bearer(secret))
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "shoe_size"
    assert _count(Person) == 0


def test_a_duplicate_person_is_409_with_the_others_location(client):
    secret, _token = token_for("organiser")
    first = client.post("/api/v1/persons", json=PERSON, headers=bearer(secret))
    again = client.post("/api/v1/persons", json=PERSON, headers=bearer(secret))
    assert again.status_code == 409 and is_problem(again)
    assert again.headers["Location"] == first.headers["Location"]


def test_idempotency_key_replays_the_first_answer(client):
    secret, _token = token_for("organiser")
    headers = {**bearer(secret), "Idempotency-Key": "person-1"}
    first = client.post("/api/v1/persons", json=PERSON, headers=headers)
    second = client.post("/api/v1/persons", json=PERSON, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json == first.json and second.headers["Idempotent-Replayed"] == "true"
    assert _count(Person) == 1
    other = client.post("/api/v1/persons", json={**PERSON, "first_name": "Мария"},
                        headers=headers)
    assert other.status_code == 422 and is_problem(other)
    # another token's same key is its own
    secret2, _token2 = token_for("organiser")
    third = client.post("/api/v1/persons", json={**PERSON, "first_name": "Ольга"},
                        headers={**bearer(secret2), "Idempotency-Key": "person-1"})
    assert third.status_code == 201 and _count(Person) == 2


def test_a_failed_request_leaves_its_key_free_for_the_retry(client):
    secret, _token = token_for("organiser")
    headers = {**bearer(secret), "Idempotency-Key": "k"}
    bad = client.post("/api/v1/persons", json={**PERSON, "region": "Атлантида"},
                      headers=headers)
    assert bad.status_code == 422
    fixed = client.post("/api/v1/persons", json=PERSON, headers=headers)
    assert fixed.status_code == 201 and _count(Person) == 1


def test_if_match_with_a_stale_etag_is_409_and_changes_nothing(client):
    secret, _token = token_for("organiser")
    competition = factories.make_competition()
    read = client.get(f"/api/v1/competitions/{competition.id}", headers=bearer(secret))
    etag = read.headers["ETag"]
    assert client.get(f"/api/v1/competitions/{competition.id}",
                      headers={**bearer(secret), "If-None-Match": etag}).status_code == 304
    changed = client.patch(f"/api/v1/competitions/{competition.id}",
                           json={"title": "Новое название"},
                           headers={**bearer(secret), "If-Match": etag})
    assert changed.status_code == 200 and changed.json["title"] == "Новое название"
    assert changed.headers["ETag"] != etag
    stale = client.patch(f"/api/v1/competitions/{competition.id}", json={"title": "Другое"},
                         headers={**bearer(secret), "If-Match": etag})
    assert stale.status_code == 409 and is_problem(stale)
    db.session.expire_all()
    assert db.session.get(type(competition), competition.id).title == "Новое название"
    update = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "competition.update"))
    assert update.details["api_token"] == "test organiser"


def test_rate_limit_per_token_is_429_with_retry_after(app, client):
    secret, token = token_for("organiser")
    app.config["API_RATE_LIMIT_TOKEN"] = 3
    try:
        codes = [client.get("/api/v1/token", headers=bearer(secret)).status_code
                 for _ in range(5)]
    finally:
        app.config.pop("API_RATE_LIMIT_TOKEN")
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    response = client.get("/api/v1/token", headers=bearer(secret))
    assert response.status_code == 429 or response.status_code == 200


def test_rate_limit_per_address_counts_bad_tokens_too(app, client):
    app.config["API_RATE_LIMIT_ADDRESS"] = 2
    try:
        codes = [client.get("/api/v1/token", headers=bearer("rgt_guess")).status_code
                 for _ in range(3)]
        limited = client.get("/api/v1/token", headers=bearer("rgt_guess"))
    finally:
        app.config.pop("API_RATE_LIMIT_ADDRESS")
    assert codes == [401, 401, 429]
    assert is_problem(limited) and int(limited.headers["Retry-After"]) >= 1


def test_the_rate_window_starts_again(app):
    with app.app_context():
        assert ratelimit.hit("api:t:test", 1, 60, now=1000.0) == 0
        assert ratelimit.hit("api:t:test", 1, 60, now=1010.0) == 50
        assert ratelimit.hit("api:t:test", 1, 60, now=1061.0) == 0


FIRST_NAMES = ("Пётр", "Иван", "Олег", "Денис", "Артём", "Глеб")


def _rows(n=3, **extra):
    return [{"last_name": "Сидоров", "first_name": FIRST_NAMES[i],
             "birth_date": "12.05.2005", "region": "Оренбургская область",
             "organisation": "Колледж №1", "competency": "Сварочные технологии",
             "category": "Основная", "consent_date": "01.02.2024", **extra}
            for i in range(n)]


def test_participants_import_previews_then_writes_all_or_nothing(client):
    secret, _token = token_for("organiser")
    offered = factories.make_offered()
    cid = offered.offered_competency.competition_id
    rows = _rows(3)
    rows[1]["birth_date"] = "31.02.2005"
    preview = client.post(f"/api/v1/competitions/{cid}/imports/participants/preview",
                          json={"rows": rows}, headers=bearer(secret))
    assert preview.status_code == 422 and not preview.json["ok"]
    assert is_problem(preview)
    problem = preview.json["errors"][0]
    assert problem["row"] == 3 and problem["item"] == 1 and problem["column"] == "birth_date"
    confirm = client.post(f"/api/v1/competitions/{cid}/imports/participants",
                          json={"rows": rows}, headers=bearer(secret))
    assert confirm.status_code == 422 and is_problem(confirm)
    assert confirm.json["errors"][0]["row"] == 3
    assert _count(Entry) == 0
    rows[1]["birth_date"] = "28.02.2005"
    ok = client.post(f"/api/v1/competitions/{cid}/imports/participants/preview",
                     json={"rows": rows}, headers=bearer(secret))
    assert ok.status_code == 200 and ok.json["ok"] and _count(Entry) == 0
    done = client.post(f"/api/v1/competitions/{cid}/imports/participants",
                       json={"rows": rows}, headers=bearer(secret))
    assert done.status_code == 201 and done.json["written"]
    assert done.json["counts"]["entries"] == 3 and _count(Entry) == 3
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "participants.import"))
    assert audit is not None and audit.details.get("api_token") == "test organiser"


def test_participants_import_takes_a_file_too(client):
    secret, _token = token_for("organiser")
    offered = factories.make_offered()
    cid = offered.offered_competency.competition_id
    text = ("Фамилия;Имя;Дата рождения;Регион;Организация;Компетенция;Категория;"
            "Согласие на обработку ПДн\r\n"
            "Кузнецов;Илья;01.03.2005;Оренбургская область;Колледж;Сварочные технологии;"
            "Основная;01.02.2024\r\n")
    response = client.post(f"/api/v1/competitions/{cid}/imports/participants",
                           data={"file": (io.BytesIO(text.encode("utf-8")), "p.csv")},
                           headers=bearer(secret), content_type="multipart/form-data")
    assert response.status_code == 201, response.text
    assert _count(Entry) == 1


def test_a_formula_in_json_rows_is_refused_like_in_a_file(client):
    secret, _token = token_for("organiser")
    offered = factories.make_offered()
    cid = offered.offered_competency.competition_id
    response = client.post(f"/api/v1/competitions/{cid}/imports/participants/preview",
                           json={"rows": _rows(1, organisation="=HYPERLINK(\"x\")")},
                           headers=bearer(secret))
    assert response.status_code == 422 and is_problem(response)
    assert response.json["errors"][0]["column"] == "organisation"


def test_entry_by_api_follows_the_registration_rules(client):
    secret, _token = token_for("organiser")
    offered = factories.make_offered()
    cid = offered.offered_competency.competition_id
    person = client.post("/api/v1/persons", json=PERSON, headers=bearer(secret)).json
    response = client.post(f"/api/v1/competitions/{cid}/entries",
                           json={"offered_category_id": offered.id, "person_ids": [person["id"]]},
                           headers=bearer(secret))
    assert response.status_code == 201, response.text
    entry = response.json
    again = client.post(f"/api/v1/competitions/{cid}/entries",
                        json={"offered_category_id": offered.id, "person_ids": [person["id"]]},
                        headers=bearer(secret))
    assert again.status_code in (409, 422) and is_problem(again)
    withdraw = client.patch(f"/api/v1/entries/{entry['id']}", json={"status": "disqualified"},
                            headers=bearer(secret))
    assert withdraw.status_code == 422 and withdraw.json["errors"][0]["field"] == "reason"
    listed = client.get(f"/api/v1/competitions/{cid}/entries", headers=bearer(secret)).json
    assert [e["id"] for e in listed["items"]] == [entry["id"]]


def test_health_data_only_for_roles_that_see_it(client):
    person = factories.make_person()
    factories.make_health_record(person)
    organiser, _t = token_for("organiser")
    coordinator, _t = token_for("coordinator")
    seen = client.get(f"/api/v1/persons/{person.id}", headers=bearer(organiser)).json
    hidden = client.get(f"/api/v1/persons/{person.id}", headers=bearer(coordinator)).json
    assert seen["health"] is not None and "health" not in hidden


def test_an_export_as_json_is_audited(client):
    secret, _token = token_for("coordinator")
    offered = factories.make_offered()
    factories.make_entry(offered)
    cid = offered.offered_competency.competition_id
    response = client.get(f"/api/v1/exports/participants?competition={cid}",
                          headers=bearer(secret))
    assert response.status_code == 200, response.text
    assert len(response.json["rows"]) == 1 and response.json["columns"]
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export.run"))
    assert audit.details["format"] == "json" and audit.details["api_token"]
    bad = client.get("/api/v1/exports/participants?colour=red", headers=bearer(secret))
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "colour"


def test_the_token_is_stored_hashed_and_shown_once(app, client, login):
    user = login(client, "admin")
    owner = factories.make_user(role="organiser", email="portal@example.ru")
    page = client.post("/admin/tokens", data={"user_id": owner.id, "name": "Портал",
                                              "scopes": ["read", "register"], "days": 30})
    assert page.status_code == 200
    secret = re.search(r'data-testid="token-secret">(rgt_[^<]+)<', page.text).group(1)
    token = db.session.scalar(select(ApiToken))
    assert token.token_hash == tokens.hash_secret(secret) and secret not in token.token_hash
    assert token.created_by_id == user.id and token.scopes == "read,register"
    assert secret not in client.get("/admin/tokens").text
    assert client.get("/api/v1/token", headers=bearer(secret)).json["user"] == owner.email
    client.post(f"/admin/tokens/{token.id}/revoke")
    assert client.get("/api/v1/token", headers=bearer(secret)).status_code == 401
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"api_token.create", "api_token.revoke"} <= actions


def test_cli_creates_a_token_printed_on_its_last_line(app, client):
    owner = factories.make_user(role="coordinator", email="college@example.ru")
    result = app.test_cli_runner().invoke(args=[
        "tokens", "create", "college@example.ru", "--name", "Колледж", "--scopes", "read",
        "--days", "7"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    info = client.get("/api/v1/token", headers=bearer(secret))
    assert info.status_code == 200 and info.json["role"] == owner.role
    assert info.json["scopes"] == ["read"]
    refused = app.test_cli_runner().invoke(args=[
        "tokens", "create", "college@example.ru", "--name", "X", "--scopes", "admin"])
    assert refused.exit_code != 0


def test_unknown_paths_and_methods_are_problems(client):
    assert is_problem(client.get("/api/v1/nothing-here"))
    response = client.delete("/api/v1/competitions")
    assert response.status_code == 405 and is_problem(response)


def test_control_characters_in_json_rows_are_named_by_row_and_column(client):
    secret, _token = token_for("organiser")
    offered = factories.make_offered()
    cid = offered.offered_competency.competition_id
    rows = _rows(2)
    rows[1]["organisation"] = "Колледж\x1b[31m"
    response = client.post(f"/api/v1/competitions/{cid}/imports/participants/preview",
                           json={"rows": rows}, headers=bearer(secret))
    assert response.status_code == 422 and is_problem(response)
    assert response.json["errors"] == [{"row": 3, "item": 1, "column": "organisation",
                                        "detail": response.json["errors"][0]["detail"]}]


def test_messages_follow_accept_language(client):
    russian = client.get("/api/v1/token")
    english = client.get("/api/v1/token", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert russian.json["detail"] != english.json["detail"]
    assert english.json["detail"].startswith("An API token is required")


def test_old_idempotency_keys_are_forgotten(client):
    from datetime import timedelta

    from registry.models import ApiIdempotencyKey, utcnow

    secret, _token = token_for("organiser")
    headers = {**bearer(secret), "Idempotency-Key": "old"}
    assert client.post("/api/v1/persons", json=PERSON, headers=headers).status_code == 201
    stored = db.session.scalar(select(ApiIdempotencyKey))
    stored.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    again = client.post("/api/v1/persons", json=PERSON, headers=headers)
    assert again.status_code == 409 and "Idempotent-Replayed" not in again.headers


def test_results_import_by_api_then_standings(client):
    secret, _token = token_for("organiser", scopes=("read", "results"))
    offered = factories.make_offered()
    cid = offered.offered_competency.competition_id
    people = [factories.make_person(last_name=name, first_name="Иван")
              for name in ("Алексеев", "Борисов")]
    for person in people:
        factories.make_entry(offered, [person])
    rows = [{"competency": "Сварочные технологии", "category": offered.category.name,
             "last_name": p.last_name, "first_name": p.first_name, "points": points}
            for p, points in zip(people, ("71,5", 64), strict=True)]
    url = f"/api/v1/competitions/{cid}/imports/results"
    preview = client.post(url + "/preview", json={"rows": rows}, headers=bearer(secret))
    assert preview.status_code == 200, preview.text
    assert preview.json["counts"] == {"results": 2}
    done = client.post(url, json={"rows": rows}, headers=bearer(secret))
    assert done.status_code == 201 and done.json["counts"] == {"results": 2}
    standings = client.get(f"/api/v1/competitions/{cid}/standings",
                           headers=bearer(secret)).json
    ranked = standings["categories"][0]["rows"]
    assert [(r["name"].split()[0], r["total"], r["rank"]) for r in ranked] == [
        ("Алексеев", "71.50", 1), ("Борисов", "64.00", 2)]
    no_scope, _t = token_for("organiser", scopes=("read", "register"))
    assert client.post(url, json={"rows": rows}, headers=bearer(no_scope)).status_code == 403


def test_a_person_read_by_the_api_carries_the_registry_number(client):
    from registry.services.person_numbers import format_number

    secret, _token = token_for("organiser")
    created = client.post("/api/v1/persons", json=PERSON, headers=bearer(secret))
    assert created.status_code == 201
    person = db.session.get(Person, created.json["id"])
    assert created.json["number"] == format_number(person.number)
    assert created.json["number"].startswith("П-")
    read = client.get(f"/api/v1/persons/{person.id}", headers=bearer(secret))
    assert read.json["number"] == created.json["number"]
