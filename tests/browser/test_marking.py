"""An expert marks, the chief expert confirms and publishes, the standings show medals."""
from playwright.sync_api import expect

from .. import factories


def _login(page, live_server, user):
    page.goto(live_server + "/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Пароль").fill(factories.PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page).to_have_url(live_server + "/dashboard")


def test_mark_confirm_publish_and_see_medals(app, live_server, page, browser, csrf_enabled):
    competition = factories.make_competition(status="marking")
    offered = factories.make_offered(competition)
    oc = offered.offered_competency
    criterion = factories.make_scheme(oc, {"A": [("Точность", "60", "measurement"),
                                                 ("Эстетика", "40", "judgement")]})[0]
    entries = [factories.register_entry(offered, last_name=name)
               for name in ("Алексеев", "Борисов", "Васильев", "Григорьев")]
    expert = factories.make_assignment(oc).user
    chief = factories.make_assignment(oc, is_chief=True).user
    measure, judge = criterion.aspects
    marks = {entries[0].id: ("55", "3"), entries[1].id: ("55", "3"),
             entries[2].id: ("40", "2"), entries[3].id: ("10,5", "0")}

    # the expert marks every entry on one sheet and submits it
    _login(page, live_server, expert)
    page.goto(live_server + "/marking")
    page.get_by_test_id(f"sheet-{offered.id}-{criterion.id}").click()
    for entry_id, (value, score) in marks.items():
        row = page.get_by_test_id(f"entry-{entry_id}")
        row.locator(f'input[name="m-{entry_id}-{measure.id}"]').fill(value)
        for k in range(3):
            row.locator(f'input[name="j-{entry_id}-{judge.id}-{k}"]').fill(score)
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("sheet-version")).to_have_text("1")
    expect(page.get_by_test_id(f"total-{entries[0].id}")).to_have_text("95,00")
    expect(page.get_by_test_id(f"total-{entries[3].id}")).to_have_text("10,50")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("sheet-status")).to_have_attribute("class", "badge bg-warning")

    # the chief expert confirms (locks) and publishes
    chief_context = browser.new_context()
    chief_page = chief_context.new_page()
    _login(chief_page, live_server, chief)
    chief_page.goto(live_server + f"/marking/sheets/{offered.id}/{criterion.id}")
    chief_page.get_by_test_id("confirm").click()
    expect(chief_page.get_by_test_id("sheet-locked")).to_be_visible()
    chief_page.goto(live_server + f"/results/{competition.id}")
    expect(chief_page.get_by_test_id("results-state")).to_have_class("badge bg-warning text-dark")
    # the chief publishes their competency (the whole competition is the organiser's), after
    # the confirmation page
    chief_page.get_by_test_id(f"publish-{offered.offered_competency_id}").click()
    chief_page.get_by_test_id("confirm-publish").click()
    expect(chief_page.get_by_test_id("results-state")).to_have_class("badge bg-success")

    # two golds, no silver, bronze next
    for entry, award, rank in zip(entries, ["gold", "gold", "bronze", ""], ["1", "1", "3", "4"],
                                  strict=True):
        expect(chief_page.get_by_test_id(f"award-{entry.id}")).to_have_attribute(
            "data-award", award)
        expect(chief_page.get_by_test_id(f"rank-{entry.id}")).to_have_text(rank)
    chief_context.close()

    # the expert's sheet is now locked for them
    page.reload()
    expect(page.get_by_test_id("sheet-locked")).to_be_visible()
    expect(page.get_by_test_id("save")).to_have_count(0)
