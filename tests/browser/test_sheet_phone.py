"""An expert fills a score sheet with judgement aspects on a phone (390×844)."""
from playwright.sync_api import expect

from .. import factories


def _login(page, live_server, user):
    page.goto(live_server + "/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Пароль").fill(factories.PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page).to_have_url(live_server + "/dashboard")


def _no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_expert_fills_a_sheet_on_a_phone(app, live_server, browser, csrf_enabled):
    competition = factories.make_competition(status="marking")
    offered = factories.make_offered(competition)
    oc = offered.offered_competency
    criterion = factories.make_scheme(oc, {"B": [("Точность", "60", "measurement"),
                                                 ("Эстетика", "40", "judgement"),
                                                 ("Подача", "20", "judgement")]})[0]
    entries = [factories.register_entry(offered, last_name=name)
               for name in ("Алексеев", "Борисов")]
    expert = factories.make_assignment(oc).user
    measure, looks, manner = criterion.aspects
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    _login(page, live_server, expert)
    page.goto(live_server + f"/marking/sheets/{offered.id}/{criterion.id}")
    assert _no_sideways_scroll(page)

    first, second = (page.get_by_test_id(f"entry-{e.id}") for e in entries)
    # every input has a visible label: the aspect, the judge and the 0–3 scale
    for row in (first, second):
        expect(row.get_by_text("Эстетика (макс. 40,00)")).to_be_visible()
        expect(row.get_by_text("Подача (макс. 20,00)")).to_be_visible()
        expect(row.get_by_text("Точность:")).to_be_visible()
        inputs = row.locator("input")
        expect(inputs).to_have_count(1 + 3 + 3)
        for i in range(inputs.count()):
            name = inputs.nth(i).get_attribute("name")
            label = row.locator(f'label[for="{name}"]')
            expect(label).to_be_visible()
            if name.startswith("j-"):
                expect(label).to_contain_text(f"Судья {int(name.rsplit('-', 1)[1]) + 1}")
        expect(row.get_by_text("каждый 0–3").first).to_be_visible()
    judge = first.get_by_label("Судья 2: Эстетика, 0–3")
    expect(judge).to_be_visible()

    # the total follows the marks as they are typed
    total = page.get_by_test_id(f"total-{entries[0].id}")
    expect(total).to_have_text("—")
    first.get_by_label("Точность: оценка, 0–60,00").fill("50,5")
    expect(total).to_have_text("50,50")
    expect(page.get_by_test_id(f"total-note-{entries[0].id}")).to_be_visible()
    for k, score in enumerate(("3", "2", "2")):
        first.locator(f'input[name="j-{entries[0].id}-{looks.id}-{k}"]').fill(score)
    expect(page.get_by_test_id(f"value-{entries[0].id}-{looks.id}")).to_have_text("31,11")
    expect(total).to_have_text("81,61")
    for k in range(3):
        first.locator(f'input[name="j-{entries[0].id}-{manner.id}-{k}"]').fill("3")
    expect(total).to_have_text("101,61")

    # leaving with unsaved marks asks first
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="История").click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    expect(page).to_have_url(live_server + f"/marking/sheets/{offered.id}/{criterion.id}")

    # a wrong value on the second entry: refused, that cell highlighted beside its message
    second.locator(f'input[name="m-{entries[1].id}-{measure.id}"]').fill("70")
    for aspect in (looks, manner):
        for k in range(3):
            second.locator(f'input[name="j-{entries[1].id}-{aspect.id}-{k}"]').fill("1")
    page.get_by_test_id("save").click()
    problem = page.get_by_test_id(f"problem-{entries[1].id}-{measure.id}")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("от 0 до 60.00")
    wrong = page.locator(f'input[name="m-{entries[1].id}-{measure.id}"]')
    expect(wrong).to_have_class("form-control form-control-sm text-end mark-input is-invalid")
    expect(wrong).to_have_value("70")
    expect(page.locator(f'input[name="m-{entries[0].id}-{measure.id}"]')).not_to_have_class(
        "form-control form-control-sm text-end mark-input is-invalid")
    box, message = wrong.bounding_box(), problem.bounding_box()
    assert 0 <= message["y"] - (box["y"] + box["height"]) < 40  # right below the input
    expect(page.get_by_test_id("sheet-version")).to_have_text("0")
    assert _no_sideways_scroll(page)

    # corrected, it saves; the server's totals are shown
    page.once("dialog", lambda dialog: dialogs.append(dialog.type))  # none expected on save
    wrong.fill("60")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("sheet-version")).to_have_text("1")
    expect(page.get_by_test_id(f"total-{entries[0].id}")).to_have_text("101,61")
    expect(page.get_by_test_id(f"total-{entries[1].id}")).to_have_text("80,00")
    expect(page.get_by_test_id(f"total-note-{entries[0].id}")).to_be_hidden()
    assert dialogs == ["beforeunload"]
    assert _no_sideways_scroll(page)
    context.close()
