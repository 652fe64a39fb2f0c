"""The public reads of the API (issue 15, point 2): no token, only what the public pages show
(the same service functions), paged by an opaque cursor, ETag / If-None-Match, rate-limited
per address; and the leak test of the public pages (``test_public_privacy.py``) run against
the JSON: a person without the consent to publication is «Фамилия И. О.», and nothing else of
theirs (birth date, contacts, health) is in any answer."""
from __future__ import annotations

import json

from registry.extensions import db
from registry.services import public_names, release

from . import factories
from .api_helpers import bearer, is_problem, token_for
from .public_fixtures import released_competition
from .test_public_privacy import _leaks, scene  # noqa: F401  (the fixture)


def _released(n: int, **values):
    return [released_competition(**values)[0] for _ in range(n)]


def test_the_list_is_what_the_public_list_shows_and_pages_by_cursor(app, client):
    shown = _released(5, year=2024)
    hidden = factories.make_competition(year=2024)  # not released
    db.session.commit()
    seen, cursor, pages = [], None, 0
    while True:
        query = {"cursor": cursor} if cursor else {"limit": 2, "year": 2024}
        response = client.get("/api/v1/public/competitions", query_string=query)
        assert response.status_code == 200, response.text
        body = response.get_json()
        assert body["total"] == 5 and len(body["items"]) <= 2
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert sorted(seen) == sorted(c.id for c in shown) and len(seen) == len(set(seen))
    assert hidden.id not in seen
    # the order is the public list's: the same service, the same page
    from registry.services import public_results as pub
    with app.test_request_context():
        assert seen == [c.id for c in pub.released_competitions(per_page=10).items]
    item = client.get("/api/v1/public/competitions").get_json()["items"][0]
    assert set(item) == {"id", "title", "kind", "year", "stage", "host_region", "starts_on",
                         "ends_on"}


def test_filters_as_the_public_list(app, client):
    regional = released_competition(year=2023)[0]
    final = released_competition(year=2024, stage="final", kind_slug="abilympics")[0]

    def ids(**query):
        response = client.get("/api/v1/public/competitions", query_string=query)
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.get_json()["items"]]

    assert ids(year=2023) == [regional.id]
    assert ids(stage="final") == [final.id]
    assert ids(kind="abilympics") == [final.id]
    assert ids(region=str(regional.host_region_id)) == [regional.id]
    assert ids(region=regional.host_region.name) == [regional.id]
    for query in ({"kind": "nothing"}, {"year": "two"}, {"stage": "galactic"},
                  {"region": "Атлантида"}, {"region": "²"}, {"region": "9" * 40},
                  {"limit": "0"}, {"limit": "1000"}):
        response = client.get("/api/v1/public/competitions", query_string=query)
        assert response.status_code == 422 and is_problem(response), query


def test_a_tampered_cursor_is_a_problem_not_a_500(app, client):
    _released(3)
    first = client.get("/api/v1/public/competitions?limit=1").get_json()
    cursor = first["next_cursor"]
    changed = cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB")
    payload, _dot, signature = cursor.partition(".")
    for bad in (changed, "x" * 600, "", "...", "eyJmIjp7fSwibiI6MSwicCI6OTk5fQ",
                payload[::-1] + "." + signature, "\u202e" + cursor):
        response = client.get("/api/v1/public/competitions", query_string={"cursor": bad})
        if bad == "":
            assert response.status_code == 200  # no cursor: the first page
            continue
        assert response.status_code == 400 and is_problem(response), bad
        assert response.get_json()["errors"][0]["field"] == "cursor"
    # a cursor made with another secret is refused too
    from itsdangerous import URLSafeSerializer
    forged = URLSafeSerializer("guessed", salt="registry.api.public.cursor").dumps(
        {"f": {}, "n": 100, "p": 1})
    assert client.get("/api/v1/public/competitions",
                      query_string={"cursor": forged}).status_code == 400
    # the next page of a cursor is the one it was made for, whatever the query adds
    second = client.get("/api/v1/public/competitions",
                        query_string={"cursor": cursor, "limit": 50}).get_json()
    assert len(second["items"]) == 1 and second["items"][0]["id"] != first["items"][0]["id"]


def test_a_page_past_the_end_is_empty(app, client):
    _released(1)
    from registry.api import public
    with app.test_request_context():
        cursor = public._cursor({}, 1, 7)
    body = client.get("/api/v1/public/competitions", query_string={"cursor": cursor}).get_json()
    assert body["items"] == [] and body["next_cursor"] is None and body["total"] == 1


def test_one_competition_its_results_and_medals(app, client):
    people = [factories.make_person(last_name="Зайцев", publication_consent=False),
              factories.make_person(last_name="Волков")]
    competition, offered, entries, _organiser = released_competition(people, ["90", "80"],
                                                                      show_points=True)
    base = f"/api/v1/public/competitions/{competition.id}"
    overview = client.get(base).get_json()
    assert overview["competition"]["id"] == competition.id
    [competency] = overview["competencies"]
    assert competency["offered_competency_id"] == offered.offered_competency_id
    assert competency["categories"][0]["results"] == 2
    results = client.get(f"{base}/competencies/{offered.offered_competency_id}").get_json()
    rows = results["categories"][0]["rows"]
    assert [r["place"] for r in rows] == [1, 2]
    assert [r["points"] for r in rows] == ["90.00", "80.00"] or \
        [str(r["points"]).rstrip("0").rstrip(".") for r in rows] == ["90", "80"]
    assert rows[0]["members"][0]["name"] == public_names.public_name(people[0])
    medals = client.get(f"{base}/medals").get_json()
    assert medals["competition_id"] == competition.id
    assert sum(r["total"] for r in medals["rows"]) >= 1
    table = client.get("/api/v1/public/medals", query_string={"year": competition.year})
    assert table.status_code == 200
    assert table.get_json()["rows"] == medals["rows"]
    assert client.get(f"{base}/competencies/999999").status_code == 404


def test_an_unreleased_competition_is_404_everywhere(app, client):
    competition, offered, _entries, _organiser = released_competition()
    release.withdraw(competition)
    factories.make_competition()  # never released
    db.session.commit()
    base = f"/api/v1/public/competitions/{competition.id}"
    for url in (base, f"{base}/competencies/{offered.offered_competency_id}", f"{base}/medals"):
        response = client.get(url)
        assert response.status_code == 404 and is_problem(response), url
    assert client.get("/api/v1/public/competitions").get_json()["items"] == []
    assert client.get("/api/v1/public/medals").get_json()["rows"] == []


def test_etag_and_if_none_match(app, client):
    competition, offered, entries, _organiser = released_competition()
    base = f"/api/v1/public/competitions/{competition.id}"
    for url in ("/api/v1/public/competitions", "/api/v1/public/medals", base, f"{base}/medals",
                f"{base}/competencies/{offered.offered_competency_id}"):
        first = client.get(url)
        tag = first.headers["ETag"]
        assert first.status_code == 200 and tag
        assert "public" in first.headers["Cache-Control"]
        again = client.get(url, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    # a consent withdrawn changes the results' ETag (the names shown change)
    url = f"{base}/competencies/{offered.offered_competency_id}"
    tag = client.get(url).headers["ETag"]
    person = entries[0].members[0].person
    person.publication_consent = not person.publication_consent
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 200
    # the filters are part of the list's ETag
    assert client.get("/api/v1/public/competitions?year=2024").headers["ETag"] != \
        client.get("/api/v1/public/competitions?year=2023").headers["ETag"]


def test_no_token_needed_none_used_and_a_session_changes_nothing(app, client, login):
    competition, offered, _e, _o = released_competition()
    urls = ["/api/v1/public/competitions", "/api/v1/public/medals",
            f"/api/v1/public/competitions/{competition.id}",
            f"/api/v1/public/competitions/{competition.id}/competencies/"
            f"{offered.offered_competency_id}"]
    anonymous = {url: client.get(url).get_data() for url in urls}
    secret, _token = token_for("admin")
    for url in urls:
        assert client.get(url, headers=bearer(secret)).get_data() == anonymous[url]
        # a bad token is not even looked at: these reads need none
        assert client.get(url, headers=bearer("rgt_nonsense")).status_code == 200
    login(client, "admin")
    for url in urls:
        response = client.get(url)
        assert response.get_data() == anonymous[url]
        assert "Set-Cookie" not in response.headers


def test_rate_limited_per_address(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT_ADDRESS", 3)
    codes = [client.get("/api/v1/public/medals").status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    refused = client.get("/api/v1/public/competitions")
    assert refused.status_code == 429 and is_problem(refused)
    assert int(refused.headers["Retry-After"]) >= 1
    other = client.get("/api/v1/public/medals", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200


def test_the_public_json_shows_nothing_more_than_allowed(app, client, scene):  # noqa: F811
    competition = scene["competition"]
    base = f"/api/v1/public/competitions/{competition.id}"
    urls = ["/api/v1/public/competitions", "/api/v1/public/medals", base, f"{base}/medals",
            f"/api/v1/public/competitions?kind={competition.kind.slug}&year={competition.year}"
            f"&stage=regional&region={competition.host_region_id}"]
    urls += [f"{base}/competencies/{oc}" for oc in scene["competencies"]]
    texts = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.text)
        body = response.get_json()
        # as text, and as JSON decoded (no \u escapes hide anything)
        texts += [response.get_data(as_text=True), json.dumps(body, ensure_ascii=False),
                  "\n".join(f"{k}: {v}" for k, v in response.headers.items())]
    text = "\n".join(texts)
    assert _leaks(text, scene) == []
    names = {p.last_name: public_names.public_name(p) for p, _h in scene["people"]}
    assert names["Белозёрова"] == "Белозёрова Ф. П."
    for name in names.values():
        assert name in text
    # no field but the public ones: nothing a person's record holds under its own key
    for key in ("birth_date", "email", "phone", "health", "guardian_name", "consent_date",
                "first_name", "middle_name", "disability_group", "notes"):
        assert f'"{key}"' not in text, key
