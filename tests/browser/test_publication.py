"""Publication in the browser: the confirmation page with a competency declared not held, and a
correction after publication seen as a draft by experts, not by coordinators, until republished.

Screenshots of the confirmation page and the draft view go to /tmp/pubshots/."""
import os
import re

from playwright.sync_api import expect

from registry.extensions import db
from registry.services import marking, results

from .. import factories

SHOTS = "/tmp/pubshots"
WIDE, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}


def _login(page, live_server, user):
    page.goto(live_server + "/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Пароль").fill(factories.PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page).to_have_url(live_server + "/dashboard")


def _no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _shoot(page, name):
    """Screenshots at 1366×768 and 390×844; at neither width does the page scroll sideways."""
    os.makedirs(SHOTS, exist_ok=True)
    for size in (WIDE, PHONE):
        page.set_viewport_size(size)
        page.screenshot(path=f"{SHOTS}/{name}-{size['width']}.png", full_page=True)
        assert _no_sideways_scroll(page), size
    page.set_viewport_size(WIDE)


def _marked(competition, name, totals, last_names):
    """A competency with one criterion, its entries marked with ``totals``, the sheet submitted
    by an expert and confirmed by the chief expert."""
    offered = factories.make_offered(competition, name)
    oc = offered.offered_competency
    criterion = factories.make_scheme(oc, {"A": [("Всё", "100", "measurement")]})[0]
    entries = [factories.register_entry(offered, last_name=n) for n in last_names]
    chief = factories.make_assignment(oc, is_chief=True).user
    expert = factories.make_assignment(oc).user
    aspect = criterion.aspects[0]
    sheet = marking.save_marks(offered, criterion,
                               {(e.id, aspect.id): t for e, t in zip(entries, totals, strict=True)},
                               0, actor=expert)
    marking.submit_sheet(offered, criterion, sheet.version, actor=expert)
    marking.confirm_sheet(offered, criterion, actor=chief)
    db.session.commit()
    return offered, criterion, entries, chief


def _expect_awards(page, entries, awards):
    for entry, award in zip(entries, awards, strict=True):
        expect(page.get_by_test_id(f"award-{entry.id}")).to_have_attribute("data-award", award)


def test_organiser_declares_an_empty_competency_not_held_and_publishes(
        app, live_server, browser, csrf_enabled):
    competition = factories.make_competition(status="marking")
    offered, _criterion, entries, _chief = _marked(
        competition, "Сварочные технологии", ["80", "70", "60"],
        ["Алексеев", "Борисов", "Васильев"])
    oc = offered.offered_competency
    empty = factories.make_offered(competition, "Поварское дело")
    factories.register_entry(empty, last_name="Григорьев")
    factories.register_entry(empty, last_name="Дмитриев")
    empty_oc = empty.offered_competency
    organiser = factories.make_user(role="organiser")

    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    _login(page, live_server, organiser)
    page.goto(live_server + f"/results/{competition.id}")
    expect(page.get_by_test_id("results-state")).to_have_text("предварительные")
    page.get_by_test_id("publish").click()
    expect(page).to_have_url(live_server + f"/results/{competition.id}/publish/confirm")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # per competency and category: entries, sheets confirmed / total, entries without marks
    marked_row = page.get_by_test_id(f"ready-category-{offered.id}")
    expect(marked_row.locator("td").nth(1)).to_have_text("3")
    expect(page.get_by_test_id(f"sheets-{offered.id}")).to_have_text("1 / 1")
    expect(page.get_by_test_id(f"unmarked-{offered.id}")).to_have_text("0")
    expect(page.get_by_test_id(f"refusal-{oc.id}")).to_have_count(0)
    empty_row = page.get_by_test_id(f"ready-category-{empty.id}")
    expect(empty_row.locator("td").nth(1)).to_have_text("2")
    expect(page.get_by_test_id(f"sheets-{empty.id}")).to_have_text("0 / 0")
    expect(page.get_by_test_id(f"unmarked-{empty.id}")).to_have_text("2")
    # the empty competency is refused: publishing is not possible until it is declared not held
    expect(page.get_by_test_id(f"refusal-{empty_oc.id}")).to_have_text(
        "Оценок нет; организатор может признать компетенцию несостоявшейся.")
    expect(page.get_by_test_id("confirm-publish")).to_be_disabled()
    expect(page.get_by_test_id(f"not-held-form-{oc.id}")).to_have_count(0)  # it was held
    expect(page.get_by_test_id("change-summary")).to_contain_text("Награды получены: 3")
    _shoot(page, "confirm-not-held")
    # on a phone all four columns of the readiness table are in view
    page.set_viewport_size(PHONE)
    box = page.get_by_test_id(f"unmarked-{empty.id}").bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    page.set_viewport_size(WIDE)
    # an organiser's whole menu wraps rather than running off a laptop screen
    expect(page.get_by_role("button", name="Выйти")).to_be_in_viewport(ratio=1)

    # a blank reason is not sent (the field is required); with a reason it is declared
    page.get_by_test_id(f"not-held-{empty_oc.id}").click()
    expect(page.get_by_test_id(f"not-held-form-{empty_oc.id}")).to_be_visible()
    page.get_by_label("Почему не состоялась").fill("Менее трёх участников")
    page.get_by_test_id(f"not-held-{empty_oc.id}").click()
    expect(page.get_by_text("«Поварское дело»: компетенция признана несостоявшейся.")).to_be_visible()
    section = page.get_by_test_id(f"ready-{empty_oc.id}")
    expect(section.get_by_text("не состоялась", exact=True)).to_be_visible()
    expect(section.get_by_text("Не состоялась: Менее трёх участников")).to_be_visible()
    expect(page.get_by_test_id(f"refusal-{empty_oc.id}")).to_have_count(0)
    expect(page.get_by_test_id(f"not-held-form-{empty_oc.id}")).to_have_count(0)
    _shoot(page, "confirm-ready")

    page.get_by_test_id("confirm-publish").click()
    expect(page).to_have_url(live_server + f"/results/{competition.id}")
    expect(page.get_by_text("Результаты опубликованы (публикация 1).")).to_be_visible()
    expect(page.get_by_test_id("results-state")).to_have_text("опубликованы")
    expect(page.get_by_test_id(f"not-held-{empty.id}")).to_have_text("не состоялась")
    expect(page.get_by_text("Не состоялась: Менее трёх участников")).to_be_visible()
    expect(page.get_by_test_id(f"not-held-{offered.id}")).to_have_count(0)
    expect(page.get_by_test_id(f"category-state-{offered.id}")).to_have_text("опубликованы")
    _expect_awards(page, entries, ["gold", "silver", "bronze"])
    for entry, total in zip(entries, ["80,00", "70,00", "60,00"], strict=True):
        expect(page.get_by_test_id(f"total-{entry.id}")).to_have_text(total)
    expect(page.get_by_test_id("draft-notice")).to_have_count(0)
    # on a phone the standings keep place, name, total and award in view (region and
    # organisation go under the name) and the page does not scroll sideways
    page.set_viewport_size(PHONE)
    assert _no_sideways_scroll(page)
    award = page.get_by_test_id(f"award-{entries[0].id}")
    expect(award).to_be_visible()
    box = award.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    expect(page.get_by_test_id(f"row-{entries[0].id}").locator("td").nth(1).get_by_text(
        "Оренбургская область")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/standings-390.png", full_page=True)
    context.close()


def test_a_correction_is_a_draft_for_experts_until_the_chief_republishes(
        app, live_server, browser, csrf_enabled):
    competition = factories.make_competition(status="marking")
    offered, criterion, entries, chief = _marked(
        competition, "Сварочные технологии", ["80", "70", "60", "50"],
        ["Алексеев", "Борисов", "Васильев", "Григорьев"])
    oc = offered.offered_competency
    deputy = factories.make_assignment(oc, is_chief=True).user
    coordinator = factories.make_user(role="coordinator")
    results.publish(competition, oc, actor=chief)
    db.session.commit()

    # after publication: the chief unlocks with a reason, corrects a mark (50 → 90), submits,
    # and the deputy chief confirms
    sheet = marking.unlock_sheet(offered, criterion, "Апелляция участника", actor=chief)
    sheet = marking.save_marks(offered, criterion,
                               {(entries[3].id, criterion.aspects[0].id): "90"},
                               sheet.version, actor=chief)
    marking.submit_sheet(offered, criterion, sheet.version, actor=chief)
    marking.confirm_sheet(offered, criterion, actor=deputy)
    db.session.commit()
    published_awards = ["gold", "silver", "bronze", ""]

    # the chief sees the published result, a notice of the draft changes and the draft view
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    _login(page, live_server, chief)
    page.goto(live_server + f"/results/{competition.id}")
    expect(page.get_by_test_id("results-state")).to_have_text("опубликованы")
    expect(page.get_by_test_id("draft-notice")).to_contain_text(
        "После публикации оценки исправлены")
    _expect_awards(page, entries, published_awards)
    expect(page.get_by_test_id(f"total-{entries[3].id}")).to_have_text("50,00")
    page.get_by_test_id("draft-link").click()
    # an expert's pages show their own competency: the draft link names it
    expect(page).to_have_url(re.compile(
        re.escape(live_server + f"/results/{competition.id}/draft") + r"(\?competency=\d+)?$"))
    expect(page.get_by_role("heading", name="Черновик изменений")).to_be_visible()
    expect(page.get_by_test_id("change-summary")).to_have_text(
        "Награды получены: 1, потеряны: 1, изменены: 2; иные изменения результатов: 0.")
    kinds = {entries[0].id: "changed", entries[1].id: "changed", entries[2].id: "lost",
             entries[3].id: "gained"}
    for entry_id, kind in kinds.items():
        expect(page.get_by_test_id(f"change-{entry_id}")).to_have_attribute("data-kind", kind)
    gained = page.get_by_test_id(f"change-{entries[3].id}")
    expect(gained).to_contain_text("Григорьев")
    expect(gained.locator("td").nth(2)).to_have_text("4 · 50,00 · —")
    expect(gained.locator("td").nth(3)).to_contain_text("1 · 90,00 ·")
    expect(gained.locator("td").nth(4)).to_have_text("награда получена")
    expect(page.get_by_test_id(f"change-{entries[2].id}").locator("td").nth(4)).to_have_text(
        "награда потеряна")
    expect(page.get_by_test_id(f"change-{entries[0].id}").locator("td").nth(4)).to_have_text(
        "награда изменена")
    expect(page.get_by_test_id("changes").locator("th").nth(4)).to_have_text("Что изменилось")
    _shoot(page, "draft")
    # on a phone the competency goes under the name and what changed under the new result,
    # so the whole change is in view without scrolling the table sideways
    page.set_viewport_size(PHONE)
    for cell in (gained.locator("td").nth(3),
                 gained.locator("td").nth(3).get_by_text("награда получена")):
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box["x"] + box["width"] <= PHONE["width"]
    expect(gained.locator("td").nth(4)).to_be_hidden()
    expect(gained.locator("td").nth(1).get_by_text("Сварочные технологии · Основная")).to_be_visible()
    page.set_viewport_size(WIDE)

    # the coordinator sees only the published result: no notice, no draft link, no draft view
    coordinator_context = browser.new_context(viewport=WIDE)
    other = coordinator_context.new_page()
    _login(other, live_server, coordinator)
    other.goto(live_server + f"/results/{competition.id}")
    expect(other.get_by_test_id("results-state")).to_have_text("опубликованы")
    _expect_awards(other, entries, published_awards)
    expect(other.get_by_test_id(f"total-{entries[3].id}")).to_have_text("50,00")
    expect(other.get_by_test_id("draft-notice")).to_have_count(0)
    expect(other.get_by_test_id("draft-link")).to_have_count(0)
    expect(other.get_by_text("Черновик изменений")).to_have_count(0)
    assert other.goto(live_server + f"/results/{competition.id}/draft").status == 403

    # the chief republishes the competency through the confirmation page, which shows the change
    page.get_by_test_id(f"republish-{oc.id}").click()
    expect(page).to_have_url(
        live_server + f"/results/{competition.id}/publish/confirm?competency={oc.id}")
    expect(page.get_by_text("Что изменит публикация")).to_be_visible()
    expect(page.get_by_test_id("change-summary")).to_have_text(
        "Награды получены: 1, потеряны: 1, изменены: 2; иные изменения результатов: 0.")
    expect(page.get_by_test_id(f"change-{entries[3].id}")).to_have_attribute("data-kind", "gained")
    expect(page.get_by_test_id(f"sheets-{offered.id}")).to_have_text("1 / 1")
    expect(page.get_by_test_id(f"not-held-form-{oc.id}")).to_have_count(0)  # organisers only
    _shoot(page, "confirm-republish")
    page.get_by_test_id("confirm-publish").click()
    expect(page).to_have_url(live_server + f"/results/{competition.id}?competency={oc.id}")
    expect(page.get_by_text("Результаты опубликованы (публикация 2).")).to_be_visible()
    expect(page.get_by_test_id("draft-notice")).to_have_count(0)
    new_awards = ["silver", "bronze", "", "gold"]
    _expect_awards(page, entries, new_awards)
    expect(page.get_by_test_id(f"rank-{entries[3].id}")).to_have_text("1")
    expect(page.get_by_test_id(f"total-{entries[3].id}")).to_have_text("90,00")

    # and the coordinator now sees the new result
    other.goto(live_server + f"/results/{competition.id}")
    _expect_awards(other, entries, new_awards)
    expect(other.get_by_test_id(f"total-{entries[3].id}")).to_have_text("90,00")
    coordinator_context.close()
    context.close()
