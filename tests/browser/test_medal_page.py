"""The medal-table page and the results page's charts in Chromium, in Russian: at 1366 px, on a
phone (390 px) and printed; the SVG draws under the strict CSP (no violation reported)."""
from decimal import Decimal

from playwright.sync_api import expect

from registry.services.results import publish

from .. import factories
from ..test_awards_exports import _person, _set_totals

REGIONS = ("Оренбургская область", "Республика Татарстан", "Москва",
           "Ханты-Мансийский автономный округ — Югра", "Самарская область")


def _season():
    competition = factories.make_competition(title="Профессионалы 2024, региональный этап",
                                             medallion_threshold=Decimal(60))
    for c, name in enumerate(("Сварочные технологии", "Поварское дело", "Веб-технологии")):
        offered = factories.make_offered(competition, name, "Основная")
        totals = {}
        for i, region in enumerate(REGIONS * 2):
            entry = factories.register_entry(offered, [_person(f"Участник{c}{i}", region)])
            totals[entry] = 95 - 3 * i - c * (i % 3)
        _set_totals(offered, totals)
    publish(competition)
    return competition


def _login(page, live_server, user):
    page.goto(live_server + "/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Пароль").fill(factories.PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page).to_have_url(live_server + "/dashboard")


def _csp_watch(page) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)
    return violations


def _no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_medal_page_on_a_laptop_a_phone_and_paper(app, live_server, browser, csrf_enabled):
    _person.orgs = {}
    competition = _season()
    coordinator = factories.make_user(role="coordinator")
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ru-RU")
    page = context.new_page()
    violations = _csp_watch(page)
    _login(page, live_server, coordinator)
    page.goto(live_server + "/exports/")
    page.get_by_test_id("medal-page").click()
    expect(page.get_by_role("heading", name="Медальный зачёт по регионам")).to_be_visible()
    chart = page.locator('svg[data-chart="bars"]')
    expect(chart).to_be_visible()
    expect(chart.locator("rect[data-award]").first).to_be_visible()
    box = chart.bounding_box()
    assert box["width"] > 600 and box["height"] > 200
    page.screenshot(path="/tmp/medals-1366.png", full_page=True)

    # sorting by a column re-orders table and chart; a second click reverses it
    page.get_by_test_id("sort-region").click()
    first_row = page.locator('[data-testid="medal-table"] tbody tr').first
    expect(first_row).to_have_attribute("data-region", "Москва")
    assert chart.locator("g.chart-row").first.get_attribute("data-region") == "Москва"
    page.get_by_test_id("sort-region").click()
    expect(first_row).to_have_attribute("data-region",
                                        "Ханты-Мансийский автономный округ — Югра")

    # filtering keeps the sort, and the chart follows
    page.locator('select[name="competition"]').select_option(str(competition.id))
    page.get_by_test_id("medal-filter").click()
    expect(page).to_have_url(f"{live_server}/medals?kind=&year=&stage=&competition="
                             f"{competition.id}&order=&sort=region&dir=desc")
    expect(first_row).to_have_attribute("data-region",
                                        "Ханты-Мансийский автономный округ — Югра")

    # ranked by points (4, 3, 2, 1): the points column appears and ranks the table
    page.locator('select[name="order"]').select_option("points")
    page.get_by_test_id("medal-filter").click()
    expect(page.get_by_test_id("sort-points")).to_be_visible()
    page.locator('select[name="order"]').select_option("")
    page.get_by_test_id("medal-filter").click()
    expect(page.get_by_test_id("sort-points")).to_have_count(0)

    # printed: the chart keeps its width on the page, nothing cut at the right edge
    page.emulate_media(media="print")
    assert chart.bounding_box()["x"] + chart.bounding_box()["width"] <= 1366
    expect(page.locator('[data-testid="medal-filters"]')).to_be_hidden()
    expect(page.get_by_test_id("navbar")).to_be_hidden()
    expect(page.get_by_test_id("medal-table")).to_be_visible()
    page.screenshot(path="/tmp/medals-print.png", full_page=True)
    page.emulate_media(media="screen")

    # the results page shows both charts from the published standings
    page.goto(live_server + f"/results/{competition.id}")
    expect(page.get_by_test_id("results-medal-chart").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("results-points-chart").locator("svg circle")).to_have_count(30)
    page.screenshot(path="/tmp/results-charts-1366.png", full_page=True)
    assert violations == []
    context.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="ru-RU")
    page = phone.new_page()
    violations = _csp_watch(page)
    _login(page, live_server, coordinator)
    page.goto(live_server + "/medals")
    expect(page.locator('svg[data-chart="bars"]')).to_be_visible()
    assert _no_sideways_scroll(page)  # the chart scrolls in its own box, not the page
    page.screenshot(path="/tmp/medals-390.png", full_page=True)
    page.goto(live_server + f"/results/{competition.id}")
    assert _no_sideways_scroll(page)
    page.screenshot(path="/tmp/results-charts-390.png", full_page=False)
    assert violations == []
    phone.close()
