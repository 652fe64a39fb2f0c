"""The home page of each role: every number is a link to a list that shows exactly that many
rows; nothing links to a page the role may not open; the reads are a fixed number of
queries. And the users list's search, filters and paging."""
from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import event

from registry.extensions import db
from registry.models import Mark, ScoreSheet
from registry.security import PERMISSIONS, view_access

from . import factories


class _Page(HTMLParser):
    """The number links (``data-count``), every link, and the rows a list shows."""

    def __init__(self):
        super().__init__()
        self.numbers: list[tuple[str, int, str]] = []  # (testid, number, href)
        self.links: list[str] = []
        self.testids: list[str] = []
        self.states: list[str] = []  # data-state of the standings' category badges

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-testid" in attrs:
            self.testids.append(attrs["data-testid"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
            if "data-count" in attrs:
                self.numbers.append((attrs["data-testid"], int(attrs["data-count"]),
                                     attrs["href"]))
        if attrs.get("data-testid", "").startswith("category-state-"):
            self.states.append(attrs.get("data-state"))


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


COMPETENCIES = ("Интернет вещей", "Охрана труда", "Промышленный дизайн", "Реклама")
ROW_IDS = ("sheet-row", "user-row", "competition-row", "region-row", "competency-row")


def _rows(path: str, html: str) -> int:
    """How many rows the list at ``path`` shows: its data-testid rows, the participants'
    total, the published categories of a standings page, the cards of the marking page."""
    page = _parse(html)
    if "/participants" in path:
        start = html.index('data-testid="total">') + len('data-testid="total">')
        return int(html[start:html.index("<", start)])
    if path.startswith("/results/"):
        return page.states.count("published")
    if path == "/marking":
        return sum(1 for t in page.testids if t.startswith("assignment-"))
    counted = [t for t in page.testids if t in ROW_IDS]
    return len(counted)


def _check_numbers(client, html: str, expected_keys: set[str] | None = None) -> dict:
    """Follow every number link; each list shows exactly that many rows. Returns
    ``{testid: number}``."""
    page = _parse(html)
    assert page.numbers, "the home page shows no number links"
    found = {}
    for testid, number, href in page.numbers:
        response = client.get(href)
        assert response.status_code == 200, (testid, href, response.status_code)
        assert _rows(urlsplit(href).path, response.text) == number, (testid, href, number)
        found[testid] = number
    if expected_keys is not None:
        assert expected_keys <= set(found), set(found)
    return found


def _check_links_open(app, client, role: str, html: str) -> None:
    """Every link on the page is to a view the role's permission admits."""
    adapter = app.url_map.bind("localhost")
    for href in _parse(html).links:
        parts = urlsplit(href)
        if parts.scheme or not parts.path.startswith("/") or parts.path.startswith("/static"):
            continue
        endpoint, _args = adapter.match(parts.path, method="GET")
        access = view_access(app, endpoint)
        assert access == "public" or role in PERMISSIONS[access], (href, access)


def _sheet(offered, criterion, status, entries=()):
    sheet = ScoreSheet(offered_category_id=offered.id, criterion_id=criterion.id, status=status)
    db.session.add(sheet)
    db.session.flush()
    for entry in entries:
        for aspect in criterion.aspects:
            db.session.add(Mark(sheet_id=sheet.id, entry_id=entry.id, aspect_id=aspect.id,
                                value=Decimal("5")))
    db.session.commit()
    return sheet


def _competency(competition, name, category=None, *, entries=2, criteria=("A", "B", "C")):
    offered = factories.make_offered(competition, name, category)
    spec = {code: [(f"Аспект {code}", "10", "measurement")] for code in criteria}
    scheme = factories.make_scheme(offered.offered_competency, spec)
    people = [factories.register_entry(offered) for _ in range(entries)]
    return offered, scheme, people


# --- expert and chief expert -----------------------------------------------------------------

@pytest.fixture
def marking_world():
    """Two competitions; the expert is chief of «Сварочные» (all confirmed: ready), deputy
    of «Токарные» (one draft, two submitted) and marker of «Кондитерское дело» (one submitted), and
    has nothing to do with «Мехатроника» (two submitted, of another chief)."""
    competition = factories.make_competition(status="marking", year=2025)
    other = factories.make_competition(status="marking", year=2025, stage="regional",
                                       title="Региональный этап")
    welding, welding_scheme, welding_people = _competency(competition, "Сварочные технологии")
    turning, turning_scheme, _p = _competency(competition, "Токарные работы на станках с ЧПУ")
    cooking, cooking_scheme, _p = _competency(other, "Кондитерское дело")
    plumbing, plumbing_scheme, _p = _competency(competition, "Мехатроника")
    for criterion in welding_scheme:
        _sheet(welding, criterion, "confirmed", welding_people)
    _sheet(turning, turning_scheme[0], "draft")
    _sheet(turning, turning_scheme[1], "submitted")
    _sheet(turning, turning_scheme[2], "submitted")
    _sheet(cooking, cooking_scheme[0], "submitted")
    _sheet(plumbing, plumbing_scheme[0], "submitted")
    _sheet(plumbing, plumbing_scheme[1], "submitted")
    factories.make_assignment(plumbing.offered_competency, is_chief=True)
    return {"welding": welding, "turning": turning, "cooking": cooking, "plumbing": plumbing}


def test_expert_home_numbers_link_to_lists_of_exactly_that_many(app, client, login,
                                                                 marking_world):
    expert = login(client, "expert")
    w, t, c = (marking_world[k].offered_competency for k in ("welding", "turning", "cooking"))
    factories.make_assignment(w, user=expert, is_chief=True)
    factories.make_assignment(t, user=expert, role="deputy")
    factories.make_assignment(c, user=expert)
    html = client.get("/dashboard").text
    found = _check_numbers(client, html)
    assert found["count-competencies"] == 3
    assert found[f"count-confirmed-{w.id}"] == 3
    assert (found[f"count-draft-{t.id}"], found[f"count-submitted-{t.id}"]) == (1, 2)
    assert found[f"count-submitted-{c.id}"] == 1
    # waiting for me: submitted where I confirm (deputy of «Токарные»), not «Кондитерское дело»
    assert found["count-waiting"] == 2
    assert found["count-ready"] == 1  # «Сварочные»: every sheet confirmed, not published
    assert "Мехатроника" not in html
    page = _parse(html)
    assert f"next-step-{t.id}" in page.testids and f"next-step-{w.id}" in page.testids
    _check_links_open(app, client, "expert", html)
    assert "/persons" not in html and "/participants" not in html


def test_expert_sees_only_own_sheets_in_the_list(client, login, marking_world):
    expert = login(client, "expert")
    factories.make_assignment(marking_world["cooking"].offered_competency, user=expert)
    page = client.get("/marking/sheets?status=submitted").text
    assert page.count('data-testid="sheet-row"') == 1 and "Кондитерское дело" in page
    plumbing = marking_world["plumbing"].offered_competency
    page = client.get(f"/marking/sheets?competency={plumbing.id}").text
    assert 'data-testid="sheet-row"' not in page  # another's competency: nothing of it


def test_expert_without_assignments_is_told_so(client, login):
    login(client, "expert")
    html = client.get("/dashboard").text
    assert 'data-testid="no-assignments"' in html
    assert _check_numbers(client, html) == {"count-competencies": 0}


def test_ready_to_publish_counts_out_a_published_competency(app, client, login, marking_world):
    from registry.services import results as results_service

    expert = login(client, "expert")
    welding = marking_world["welding"].offered_competency
    factories.make_assignment(welding, user=expert, is_chief=True)
    results_service.publish(welding.competition, welding, actor=expert)
    db.session.commit()
    found = _check_numbers(client, client.get("/dashboard").text)
    assert found["count-ready"] == 0


# --- organiser -------------------------------------------------------------------------------

def test_organiser_home_is_the_current_season_with_links(app, client, login, marking_world):
    from registry.services import results as results_service

    old = factories.make_competition(year=2023, title="Старый чемпионат")
    factories.register_entry(factories.make_offered(old))
    welding = marking_world["welding"]
    team_offered = factories.make_offered(welding.offered_competency.competition,
                                          "Командная работа на производстве", team=True)
    factories.register_entry(team_offered, persons=[factories.make_person() for _ in range(3)],
                             team_name="Команда")
    withdrawn = factories.register_entry(welding)
    withdrawn.status = "withdrawn"
    db.session.commit()
    organiser = login(client, "organiser")
    results_service.publish(welding.offered_competency.competition,
                            welding.offered_competency, actor=organiser)
    db.session.commit()
    html = client.get("/dashboard").text
    assert "2025" in html and "Старый чемпионат" not in html
    found = _check_numbers(client, html)
    first = welding.offered_competency.competition_id
    second = marking_world["cooking"].offered_competency.competition_id
    assert found["count-season"] == 2
    # 3 competencies × 2 persons, the team of 3; not the withdrawn entry
    assert found[f"count-registered-{first}"] == 9
    assert found[f"count-submitted-{first}"] == 4
    assert found[f"count-confirmed-{first}"] == 3
    assert found[f"count-draft-{first}"] == 1
    assert found[f"count-published-{first}"] == 1
    assert found[f"count-submitted-{second}"] == 1
    _check_links_open(app, client, "organiser", html)


def test_organiser_home_without_competitions(client, login):
    login(client, "organiser")
    assert 'data-testid="no-season"' in client.get("/dashboard").text


# --- coordinator -----------------------------------------------------------------------------

def test_coordinator_home_lists_published_competitions_with_exports(app, client, login):
    published = [factories.make_competition(status="results_published", year=year,
                                            title=f"Финал {year}") for year in (2024, 2025)]
    factories.make_competition(status="marking", year=2025, title="Идёт оценка")
    login(client, "coordinator")
    html = client.get("/dashboard").text
    assert _check_numbers(client, html) == {"count-published": 2}
    assert "Идёт оценка" not in html
    for competition in published:
        assert f'data-testid="published-{competition.id}"' in html
        links = [href for href in _parse(html).links
                 if href.startswith("/exports/winners?") and f"competition={competition.id}&" in href]
        assert len(links) == 1
        response = client.get(links[0])  # one click: the file itself
        assert response.status_code == 200 and "spreadsheetml" in response.mimetype
    _check_links_open(app, client, "coordinator", html)


# --- administrator ---------------------------------------------------------------------------

def test_admin_home_accounts_and_reference_data_link_to_filtered_lists(app, client, login):
    for role, active in (("expert", True), ("expert", False), ("organiser", True),
                         ("coordinator", False)):
        factories.make_user(role=role, active=active)
    factories.competency("Кондитерское дело")
    login(client, "admin")
    html = client.get("/dashboard").text
    found = _check_numbers(client, html)
    assert found["count-users"] == 5
    assert (found["count-role-expert"], found["count-role-admin"]) == (2, 1)
    assert found["count-inactive"] == 2
    assert found["count-regions"] == 89 and found["count-competencies"] >= 1
    _check_links_open(app, client, "admin", html)


# --- the users list --------------------------------------------------------------------------

def _user_rows(client, query: str) -> int:
    return client.get(f"/admin/users{query}").text.count('data-testid="user-row"')


def test_users_list_search_role_and_state_filters(client, login):
    login(client, "admin", email="root@example.org")
    factories.make_user(role="expert", name="Иванов Пётр", email="petr@example.org")
    factories.make_user(role="expert", name="Сидорова Анна", email="anna@example.org",
                        active=False)
    factories.make_user(role="coordinator", name="Иванова Мария", email="maria@region.ru")
    assert _user_rows(client, "") == 4
    assert _user_rows(client, "?q=иванов") == 2  # Cyrillic, any case
    assert _user_rows(client, "?q=ИВАНОВ+петр") == 0  # «Пётр» is spelt with ё
    assert _user_rows(client, "?q=region.ru") == 1
    assert _user_rows(client, "?q=ANNA") == 1  # the e-mail, any case
    assert _user_rows(client, "?role=expert") == 2
    assert _user_rows(client, "?role=expert&state=active") == 1
    assert _user_rows(client, "?state=inactive") == 1
    assert _user_rows(client, "?role=nobody") == 4  # an unknown role is no filter
    assert _user_rows(client, "?q=100%25") == 0  # LIKE wildcards are literal
    assert _user_rows(client, "?q=" + "я" * 30000) == 0  # was a 500: pattern too complex
    page = client.get("/admin/users?q=иванов&role=coordinator").text
    assert 'value="иванов"' in page and '<option value="coordinator" selected>' in page


def test_users_list_pages_keep_the_filters(app, client, login):
    login(client, "admin")
    for n in range(5):
        factories.make_user(role="expert", email=f"expert{n}@example.org")
    factories.make_user(role="coordinator")
    app.config["PAGE_SIZE"] = 2
    try:
        first = client.get("/admin/users?role=expert").text
        assert first.count('data-testid="user-row"') == 2
        assert "/admin/users?role=expert&amp;page=2" in first
        third = client.get("/admin/users?role=expert&page=3").text
        assert third.count('data-testid="user-row"') == 1 and "expert4@" in third
        assert client.get("/admin/users?role=expert&page=99").text.count(
            'data-testid="user-row"') == 1  # past the last: the last
    finally:
        app.config["PAGE_SIZE"] = 50


def test_competitions_list_filters_by_status(client, login):
    factories.make_competition(status="results_published")
    factories.make_competition(status="marking", stage="regional")
    login(client, "organiser")
    page = client.get("/competitions/?status=results_published").text
    assert page.count('data-testid="competition-row"') == 1
    assert client.get("/competitions/").text.count('data-testid="competition-row"') == 2


# --- the number of queries ------------------------------------------------------------------

def _queries(client, url: str) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


@pytest.mark.parametrize("role", ["expert", "organiser", "coordinator", "admin"])
def test_home_page_queries_do_not_grow_with_the_data(client, login, role):
    user = login(client, role)

    def grow(n: int):
        competition = factories.make_competition(status="marking", year=2025,
                                                 title=f"Чемпионат {n}")
        offered, scheme, people = _competency(competition, COMPETENCIES[n], entries=2)
        for criterion in scheme:
            _sheet(offered, criterion, "submitted")
        competition.status = "results_published"
        db.session.commit()
        factories.make_user(role="expert")
        if role == "expert":
            factories.make_assignment(offered.offered_competency, user=user, role="deputy")

    grow(0)
    client.get("/dashboard")  # warm caches (kinds, translations)
    small = _queries(client, "/dashboard")
    for n in range(1, 4):
        grow(n)
    assert _queries(client, "/dashboard") == small
