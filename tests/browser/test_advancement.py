"""Advancing award holders in the browser: from the competition's page to the preview and the
confirmation, at a desktop and a phone width (no sideways scroll). Screenshots go to
/tmp/advanceshots/."""
import os
from datetime import date

from playwright.sync_api import expect

from .. import factories
from ..test_advancement import _award

SHOTS = "/tmp/advanceshots"
WIDE, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}


def _login(page, live_server, user):
    page.goto(live_server + "/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Пароль").fill(factories.PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page).to_have_url(live_server + "/dashboard")


def _shoot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    for size in (WIDE, PHONE):
        page.set_viewport_size(size)
        page.screenshot(path=f"{SHOTS}/{name}-{size['width']}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), size
    page.set_viewport_size(WIDE)


def test_organiser_advances_the_gold_winners(page, live_server):
    regional = factories.make_competition(status="results_published",
                                          title="Профессионалы 2024, Оренбургская область")
    selection = factories.make_competition(stage="selection", title="Профессионалы 2024, отбор",
                                           starts_on=date(2024, 5, 1), ends_on=date(2024, 5, 3))
    source = factories.make_offered(regional)
    factories.make_offered(selection)
    winner = factories.make_entry(source, [factories.make_person(last_name="Золотов")])
    _award(winner)
    _award(factories.make_entry(source, [factories.make_person(last_name="Серебров")]),
           "silver", 2)
    organiser = factories.make_user("organiser")

    page.set_viewport_size(WIDE)
    _login(page, live_server, organiser)
    page.goto(f"{live_server}/competitions/{regional.id}")
    page.get_by_role("link", name="Перевести награждённых на следующий этап").click()
    page.get_by_label("В соревнование").select_option(label=selection.title)
    page.get_by_role("button", name="Показать предпросмотр").click()
    preview = page.get_by_test_id("advance-preview")
    expect(preview.locator('tr[data-status="add"]')).to_have_count(1)
    expect(preview).to_contain_text("Золотов")
    expect(preview).not_to_contain_text("Серебров")
    _shoot(page, "preview")

    page.get_by_role("button", name="Зарегистрировать").click()
    expect(page).to_have_url(f"{live_server}/competitions/{selection.id}/participants")
    expect(page.locator("main")).to_contain_text("Золотов")
