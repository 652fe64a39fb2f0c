"""Every list keeps its filters in the URL: paging and sort links carry them, and the filter
form shows them back (issue 12, point 5)."""
import re
from datetime import date
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from registry.extensions import db
from registry.services.audit import record

from . import factories


@pytest.fixture
def small_pages(app):
    before = app.config.get("PAGE_SIZE")
    app.config["PAGE_SIZE"] = 1
    yield
    app.config["PAGE_SIZE"] = before


def _links(page: str, pattern: str) -> list[dict]:
    """The query strings of the links whose href matches ``pattern``."""
    hrefs = [unescape(h) for h in re.findall(r'href="([^"]+)"', page)]
    return [{k: v[0] for k, v in parse_qs(urlsplit(h).query).items()}
            for h in hrefs if re.search(pattern, h)]


def _page_links(page: str, path: str) -> list[dict]:
    return [q for q in _links(page, "^" + re.escape(path) + r"\?") if "page" in q]


def test_persons_pages_keep_search_and_region(client, login, small_pages):
    login(client, "organiser")
    tatarstan = factories.region("Республика Татарстан")
    for n in range(3):
        factories.make_person(last_name=f"Сафин{n}", region=tatarstan)
    factories.make_person(last_name="Сафин9")  # another region
    page = client.get(f"/persons?q=Сафин&region_id={tatarstan.id}").text
    links = _page_links(page, "/persons")
    assert links and all(q["q"] == "Сафин" and q["region_id"] == str(tatarstan.id) for q in links)
    assert 'value="Сафин"' in page
    assert f'<option value="{tatarstan.id}" selected>' in page


def test_organisations_pages_keep_search_and_region(client, login, small_pages):
    login(client, "organiser")
    region = factories.region("Оренбургская область")
    for n in range(3):
        factories.make_organisation(name=f"Колледж {n}", region=region)
    page = client.get(f"/organisations?q=Колледж&region_id={region.id}").text
    links = _page_links(page, "/organisations")
    assert links and all(q["q"] == "Колледж" and q["region_id"] == str(region.id) for q in links)
    assert 'value="Колледж"' in page


def test_participants_pages_and_sort_links_keep_the_filters(client, login, small_pages):
    login(client, "organiser")
    competition = factories.make_competition()
    welding = factories.make_offered(competition, "Сварочные технологии", "Основная")
    for n in range(3):
        factories.make_entry(welding, [factories.make_person(last_name=f"Орлов{n}")])
    base = f"/competitions/{competition.id}/participants"
    page = client.get(f"{base}?q=Орлов&status=registered&sort=region&dir=desc").text
    pages = [q for q in _page_links(page, base) if q["page"] in ("0", "2")]  # ‹ and ›
    assert len(pages) == 2 and all(q["q"] == "Орлов" and q["status"] == "registered"
                         and q["sort"] == "region" and q["dir"] == "desc" for q in pages)
    sorts = [q for q in _links(page, "^" + re.escape(base) + r"\?") if q.get("sort") == "name"]
    assert sorts and all(q["q"] == "Орлов" and q["status"] == "registered" for q in sorts)
    page2 = client.get(f"{base}?q=Орлов&status=registered&page=2").text
    assert 'value="Орлов"' in page2
    assert '<option value="registered" selected>' in page2


def test_offers_pages_keep_the_filters(client, login, small_pages):
    login(client, "coordinator")
    for n in range(3):
        factories.make_offer(factories.make_person(last_name=f"Гусев{n}"))
    page = client.get("/offers/?q=Гусев&kind=practice").text
    links = _page_links(page, "/offers/")
    assert len(links) == 3 and all(q["q"] == "Гусев" and q["kind"] == "practice" for q in links)
    assert 'value="Гусев"' in page


def test_audit_log_pages_keep_the_filters(client, login, small_pages):
    admin = login(client, "admin")
    for _n in range(3):
        record("export.run", object_type="export", user=admin, exporter="winners")
    db.session.commit()
    day = date.today().isoformat()
    page = client.get(f"/audit?action=export.run&date_from={day}").text
    links = _page_links(page, "/audit")
    assert links and all(q["action"] == "export.run" and q["date_from"] == day for q in links)
    assert f'value="{day}"' in page


def test_competitions_list_shows_its_filters_back(client, login):
    login(client, "organiser")
    competition = factories.make_competition(year=2024)
    page = client.get(f"/competitions/?kind={competition.kind_id}&year=2024&stage=regional").text
    assert re.search(r'<option selected value="2024">|<option value="2024" selected', page)
    assert re.search(r'<option selected value="regional">|<option value="regional" selected', page)


def test_export_page_shows_the_filters_from_the_url_and_a_refusal_keeps_them(client, login):
    login(client, "coordinator")
    page = client.get("/exports/?year=2025&stage=final").text
    assert 'id="winners-year"' in page and re.search(r'id="winners-year"[^>]*value="2025"', page)
    response = client.get("/exports/winners?year=abc&stage=final&format=xlsx&lang=ru&delimiter=%3B")
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["year"] == ["abc"] and query["stage"] == ["final"]
