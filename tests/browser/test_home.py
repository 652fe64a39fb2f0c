"""The home pages in Chromium, in Russian, on a laptop (1366 px) and a phone (390 px): the
numbers are links that lead to their lists, and nothing scrolls sideways."""
import pytest
from playwright.sync_api import expect

from .. import factories
from ..test_home_pages import _competency, _sheet


def _login(page, live_server, user):
    page.goto(live_server + "/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Пароль").fill(factories.PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page).to_have_url(live_server + "/dashboard")


def _world():
    competition = factories.make_competition(status="marking", year=2025,
                                             title="Региональный чемпионат «Профессионалы»")
    welding, welding_scheme, people = _competency(competition, "Сварочные технологии")
    turning, turning_scheme, _p = _competency(competition, "Токарные работы на станках с ЧПУ")
    for criterion in welding_scheme:
        _sheet(welding, criterion, "confirmed", people)
    _sheet(turning, turning_scheme[0], "draft")
    _sheet(turning, turning_scheme[1], "submitted")
    expert = factories.make_user(role="expert", name="Ольга Смирнова")
    factories.make_assignment(welding.offered_competency, user=expert, is_chief=True)
    factories.make_assignment(turning.offered_competency, user=expert, role="deputy")
    return competition, expert


@pytest.mark.parametrize("width", [1366, 390])
def test_expert_and_organiser_home_pages(app, live_server, browser, csrf_enabled, width):
    competition, expert = _world()
    organiser = factories.make_user(role="organiser", name="Дарья Чувашова")
    for user, name in ((expert, "expert"), (organiser, "organiser")):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        _login(page, live_server, user)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=f"/tmp/home-{name}-{width}.png", full_page=True)
        if name == "expert":
            expect(page.get_by_test_id("count-waiting")).to_contain_text("1")
            expect(page.get_by_test_id("count-ready")).to_contain_text("1")
            page.get_by_test_id("count-waiting").click()
            expect(page.get_by_test_id("sheet-row")).to_have_count(1)
        else:
            count = page.get_by_test_id(f"count-registered-{competition.id}")
            expect(count).to_contain_text("4")
            count.click()
            expect(page.get_by_test_id("total")).to_have_text("4")
        context.close()


@pytest.mark.parametrize("width", [1366, 390])
def test_coordinator_and_admin_home_pages(app, live_server, browser, csrf_enabled, width):
    factories.make_competition(status="results_published", year=2025,
                               title="Финал «Профессионалы» 2025")
    coordinator = factories.make_user(role="coordinator", name="Анна Коваленко")
    admin = factories.make_user(role="admin", name="Илья Петров")
    for user, name in ((coordinator, "coordinator"), (admin, "admin")):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        _login(page, live_server, user)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=f"/tmp/home-{name}-{width}.png", full_page=True)
        if name == "admin":
            page.get_by_test_id("count-role-coordinator").click()
            expect(page.get_by_test_id("user-row")).to_have_count(1)
            expect(page.get_by_label("Роль")).to_have_value("coordinator")
        context.close()
