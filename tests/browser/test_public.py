"""The public pages as an anonymous visitor in Chromium (issue 14): from the list of released
competitions to a competency's results, the medal table with its chart and the search; on a
laptop and on a phone (390 px: no sideways scroll, the menu folds), in Russian and English,
under the strict CSP (no violation reported), with no staff navigation shown."""
from __future__ import annotations

from datetime import date

from playwright.sync_api import expect

from registry.extensions import db

from .. import factories
from ..public_fixtures import released_competition


def _competition():
    region = factories.region("Республика Татарстан")
    org = factories.make_organisation(name="ГАПОУ «Казанский техникум информационных технологий и связи»",
                                      region=region)
    people = [
        factories.make_person(last_name="Константинопольский-Щедрин", first_name="Аристарх",
                              middle_name="Всеволодович", organisation=org, region=region,
                              birth_date=date(1999, 4, 2), publication_consent=True),
        factories.make_person(last_name="Преображенская", first_name="Евдокия",
                              middle_name="Никифоровна", organisation=org, region=region,
                              birth_date=date(2000, 6, 1)),
        factories.make_person(last_name="Алексеев", organisation=org),
    ]
    competition, offered, _entries, _organiser = released_competition(
        people, ["91.5", "80", "70"], show_points=True,
        title="Профессионалы 2024, региональный этап Республики Татарстан")
    db.session.commit()
    return competition, offered


def _csp_watch(page) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)
    return violations


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_anonymous_visitor_finds_the_results(app, live_server, browser):
    competition, offered = _competition()
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ru-RU")
    page = context.new_page()
    violations = _csp_watch(page)
    page.goto(live_server + "/public/")
    expect(page.get_by_role("heading", name="Результаты чемпионатов")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_count(0)
    expect(page.get_by_test_id("navbar")).to_have_count(0)  # not the staff layout
    page.get_by_label("Этап").select_option("regional")
    page.get_by_role("button", name="Показать").click()
    expect(page).to_have_url(f"{live_server}/public/?kind=&year=&stage=regional&region=")
    page.get_by_role("link", name=competition.title).click()
    expect(page.get_by_test_id("public-competition-title")).to_have_text(competition.title)
    page.get_by_role("link", name="Сварочные технологии").click()
    results = page.get_by_test_id("public-results")
    expect(results).to_contain_text("Константинопольский-Щедрин Аристарх Всеволодович")
    expect(results).to_contain_text("Преображенская Е. Н.")
    expect(results).not_to_contain_text("Евдокия")
    expect(results).to_contain_text("91,50")
    expect(results).to_contain_text("золото")
    page.get_by_test_id("public-competition-medals").click()
    chart = page.locator('svg[data-chart="bars"]')
    expect(chart).to_be_visible()
    expect(page.locator('tr[data-region="Республика Татарстан"]')).to_be_visible()
    page.get_by_test_id("public-menu-search").click()
    page.get_by_label("Фамилия").fill("Преображ")
    page.get_by_role("button", name="Найти").click()
    expect(page.get_by_test_id("public-search")).to_contain_text("Преображенская Е. Н.")
    page.get_by_role("link", name="EN", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Search by name")).to_be_visible()
    expect(page.get_by_test_id("public-search")).to_contain_text("Преображенская Е. Н.")
    assert "lang=en" in page.url
    assert violations == []
    context.close()


def test_the_results_on_a_phone(app, live_server, browser):
    competition, offered = _competition()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ru-RU",
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    violations = _csp_watch(page)
    url = f"/public/competitions/{competition.id}/competencies/{offered.offered_competency_id}"
    for path in ("/public/", f"/public/competitions/{competition.id}", url,
                 f"/public/competitions/{competition.id}/medals", "/public/medals",
                 "/public/search?q=Преображенская", url + "?lang=en"):
        page.goto(live_server + path)
        assert _fits(page), path
    page.goto(live_server + url)
    # the results table becomes cards: each cell under its column's name
    first = page.get_by_test_id("public-results").locator("tbody tr").first
    expect(first.locator("td").first).to_have_css("display", "block")
    expect(first.locator('td[data-label="Место"]')).to_have_text("1")
    # the folded menu opens and leads on
    page.get_by_role("button", name="Меню").click()
    page.get_by_test_id("public-menu-medals").click()
    expect(page.get_by_role("heading", name="Медальный зачёт по регионам")).to_be_visible()
    assert _fits(page)
    assert violations == []
    context.close()


def test_withdrawn_results_are_gone_for_visitors(app, live_server, browser):
    from registry.services import release

    competition, offered = _competition()
    release.withdraw(competition)
    db.session.commit()
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ru-RU")
    page = context.new_page()
    response = page.goto(f"{live_server}/public/competitions/{competition.id}")
    assert response.status == 404
    page.goto(live_server + "/public/")
    expect(page.get_by_test_id("public-empty")).to_be_visible()
    context.close()
