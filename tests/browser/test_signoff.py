"""A chief expert who marked a sheet cannot confirm it; a deputy chief expert does. Saving the
submitted sheet first asks, and the deputy then sees who withdrew it."""
from playwright.sync_api import expect

from .. import factories
from .test_marking import _login


def test_chief_marks_deputy_confirms(app, live_server, page, browser, csrf_enabled):
    competition = factories.make_competition(status="marking")
    offered = factories.make_offered(competition)
    oc = offered.offered_competency
    criterion = factories.make_scheme(oc, {"A": [("Точность", "100", "measurement")]})[0]
    entries = [factories.register_entry(offered, last_name=name)
               for name in ("Алексеев", "Борисов")]
    chief = factories.make_assignment(oc, role="chief").user
    deputy = factories.make_assignment(oc, role="deputy").user
    (aspect,) = criterion.aspects
    sheet_url = live_server + f"/marking/sheets/{offered.id}/{criterion.id}"

    # the chief expert marks and submits; they may not confirm their own marks
    _login(page, live_server, chief)
    page.goto(sheet_url)
    for entry, value in zip(entries, ("80", "65"), strict=True):
        page.locator(f'input[name="m-{entry.id}-{aspect.id}"]').fill(value)
    page.get_by_test_id("save").click()
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("sheet-status")).to_have_attribute("class", "badge bg-warning")
    expect(page.get_by_test_id("confirmers")).to_contain_text(deputy.display_name)
    expect(page.get_by_test_id("confirm")).to_have_count(0)

    # changing the submitted sheet asks first; the change is kept until confirmed
    page.locator(f'input[name="m-{entries[1].id}-{aspect.id}"]').fill("66")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("withdraw-step")).to_be_visible()
    expect(page.locator(f'input[name="m-{entries[1].id}-{aspect.id}"]')).to_have_value("66")
    expect(page.get_by_test_id("sheet-status")).to_have_attribute("class", "badge bg-warning")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path="/tmp/signoff-withdraw-390.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.get_by_test_id("save-withdraw").click()
    expect(page.get_by_test_id("sheet-status")).to_have_attribute("class", "badge bg-secondary")

    # the deputy sees who withdrew it, then the chief submits again
    deputy_context = browser.new_context(viewport={"width": 1366, "height": 768})
    deputy_page = deputy_context.new_page()
    _login(deputy_page, live_server, deputy)
    deputy_page.goto(live_server + "/marking")
    expect(deputy_page.get_by_test_id(f"withdrawn-{offered.id}-{criterion.id}")).to_contain_text(
        chief.display_name)
    deputy_page.goto(sheet_url)
    expect(deputy_page.get_by_test_id("withdrawn")).to_contain_text(chief.display_name)
    page.get_by_test_id("submit").click()

    # the deputy confirms: locked
    deputy_page.reload()
    deputy_page.screenshot(path="/tmp/signoff-deputy-1366.png", full_page=True)
    deputy_page.get_by_test_id("confirm").click()
    expect(deputy_page.get_by_test_id("sheet-locked")).to_be_visible()
    expect(deputy_page.get_by_test_id("sheet-status")).to_have_attribute("class",
                                                                         "badge bg-success")
    expect(deputy_page.get_by_test_id("unlock")).to_have_count(0)  # unlocking is the chief's
    deputy_context.close()

    # the chief is offered the unlock, through a page that says what it does
    page.reload()
    page.get_by_test_id("unlock").click()
    expect(page.get_by_test_id("unlock-consequences")).to_be_visible()
    page.screenshot(path="/tmp/signoff-unlock-1366.png", full_page=True)
