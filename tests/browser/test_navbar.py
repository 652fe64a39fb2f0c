"""The menu bar in Russian, for an administrator (the widest menu) with a long name: from 1200 px
one row, the name cut with an ellipsis and «Выйти» inside the window; below, the toggler opens
the menus; the dropdowns open their items."""
import re

import pytest
from playwright.sync_api import expect

from .. import factories
from .test_layout_crawl import _login

LONG_NAME = "Анастасия Владимировна Ростовцева-Никольская"


@pytest.fixture
def admin_page(app, live_server, browser, csrf_enabled):
    admin = factories.make_user(role="admin", name=LONG_NAME)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    _login(page, live_server, admin)
    yield page
    context.close()


def _inside(page, locator, width):
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


@pytest.mark.parametrize("width", [1200, 1280, 1366, 1440, 1556, 1920])
def test_the_bar_is_one_row_with_the_account_inside(admin_page, width):
    page = admin_page
    page.set_viewport_size({"width": width, "height": 800})
    logout = page.get_by_role("button", name="Выйти")
    user = page.get_by_test_id("current-user")
    expect(page.locator(".navbar-toggler")).to_be_hidden()
    expect(logout).to_be_visible()
    assert _inside(page, logout, width)
    assert _inside(page, user, width)
    assert user.bounding_box()["x"] + user.bounding_box()["width"] <= logout.bounding_box()["x"]
    # one row: the menus and the account buttons share the bar's line
    menu = page.get_by_test_id("menu-admin").bounding_box()
    assert abs(menu["y"] - logout.bounding_box()["y"]) < 20
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # the name is cut with an ellipsis; its full text stays in the title
    assert page.evaluate("el => el.scrollWidth > el.clientWidth", user.element_handle())
    expect(user).to_have_attribute("title", f"{LONG_NAME} · Администратор · Сменить пароль")
    page.get_by_test_id("menu-people").click()
    expect(page.get_by_role("link", name="Организации")).to_be_visible()


@pytest.mark.parametrize("width", [390, 992, 1199])
def test_below_1200_px_the_toggler_opens_the_menus(admin_page, width):
    page = admin_page
    page.set_viewport_size({"width": width, "height": 844})
    expect(page.get_by_test_id("menu-contests")).to_be_hidden()
    page.locator(".navbar-toggler").click()
    expect(page.get_by_test_id("menu-contests")).to_be_visible()
    # the menu has finished unfolding (Bootstrap's «collapsing» → «show») before a click in it
    expect(page.locator("#nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    page.get_by_test_id("menu-admin").click()
    expect(page.get_by_role("link", name="Пользователи")).to_be_visible()
    logout = page.get_by_role("button", name="Выйти")
    logout.scroll_into_view_if_needed()
    assert _inside(page, logout, width)
    assert _inside(page, page.get_by_test_id("current-user"), width)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
