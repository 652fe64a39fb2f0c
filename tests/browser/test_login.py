from playwright.sync_api import expect

from .. import factories


def test_login_through_the_real_page_shows_the_dashboard(app, live_server, page, csrf_enabled):
    user = factories.make_user(role="organiser", name="Дарья Чувашова")
    page.goto(live_server + "/dashboard")
    expect(page).to_have_url(live_server + "/login?next=%2Fdashboard")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Пароль").fill(factories.PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page).to_have_url(live_server + "/dashboard")
    expect(page.get_by_test_id("current-user")).to_contain_text("Дарья Чувашова")
    expect(page.get_by_test_id("no-season")).to_be_visible()  # the organiser's home page
    page.get_by_role("button", name="EN").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
