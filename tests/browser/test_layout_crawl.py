"""Every page fits (issue 12): each role crawls every page it can reach from its dashboard, in
Russian and in English, at 1366×768, 1440×900, 1920×1080 and 390×844.

On every page: no 5xx, no sideways scroll (scrollWidth <= innerWidth), every visible input,
select and textarea has a label, and, in Russian, no English message id of the catalogue is
shown untranslated. The crawl follows same-origin links (a[href]) breadth-first; it skips the
logout, downloads and URLs already seen in the same shape (path with numbers as {n}, sorted
query keys), at most MAX_PAGES pages per role.

Marked ``crawl``; skipped on PostgreSQL so that CI runs it once.
"""
from __future__ import annotations

import os
import re
import time
from collections import deque
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import expect

from registry.extensions import db
from registry.services import marking, results

from .. import factories

pytestmark = [
    pytest.mark.crawl,
    pytest.mark.skipif(os.environ.get("REGISTRY_TEST_BACKEND") == "postgresql",
                       reason="the crawl runs once, on SQLite"),
]

SIZES = [(1366, 768), (1440, 900), (1920, 1080), (390, 844)]
MAX_PAGES = 60
CATALOGUE = Path(__file__).resolve().parents[2] / "registry/translations/ru/LC_MESSAGES/messages.po"
DOWNLOAD = re.compile(r"(\.(xlsx|csv|pdf|zip)$)|^/exports/[^/]+$")
SKIP = re.compile(r"^/(logout|language/)")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]")

CHECK_PAGE = """() => {
  const visible = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)
                        && getComputedStyle(el).visibility !== 'hidden';
  const unlabelled = [];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    const type = (el.getAttribute('type') || '').toLowerCase();
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type) || !visible(el)) continue;
    const labelled = (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`))
      || el.closest('label') || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!labelled) unlabelled.push(el.outerHTML.slice(0, 120));
  }
  const doc = document.documentElement;
  let widest = '';
  if (doc.scrollWidth > window.innerWidth) {
    const clipped = el => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        if (getComputedStyle(p).overflowX !== 'visible') return true;
      }
      return false;
    };
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();  // the box, or its content overflowing the box
      if (Math.max(r.right, r.left + el.scrollWidth) > window.innerWidth + 1 && !clipped(el)) {
        widest = el.outerHTML.slice(0, 160);  // the last, innermost one that sticks out
      }
    }
  }
  return {scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth, unlabelled, widest};
}"""


def _untranslated_ids() -> list[str]:
    """English fragments (two words or more) of every msgid whose Russian text differs."""
    with CATALOGUE.open("rb") as f:
        catalog = read_po(f)
    fragments = set()
    for message in catalog:
        if not message.id or not message.string:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        msgstr = message.string if isinstance(message.string, str) else message.string[0]
        if msgstr == msgid:
            continue
        for piece in PLACEHOLDER.split(msgid):
            piece = piece.strip(" .,:;«»()—-")
            if len(piece.split()) >= 2:
                fragments.add(piece)
    return sorted(fragments)


def _shape(url: str) -> tuple:
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/|$)", "/{n}", parts.path)
    return path, tuple(sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}))


def _world():
    """A competition in marking with two competencies (sheets draft, submitted, confirmed; one
    competency published with medals), a second one in registration, special awards, an offer."""
    competition = factories.make_competition(status="marking", title="Профессионалы 2024, "
                                             "региональный этап Оренбургской области")
    kind = competition.kind
    welding = factories.make_offered(competition, "Сварочные технологии", kind.categories[0])
    oc = welding.offered_competency
    criterion = factories.make_scheme(oc, {"A": [("Размеры шва", "60", "measurement"),
                                                 ("Эстетика", "40", "judgement")]})[0]
    org = factories.make_organisation(name="ГАПОУ «Оренбургский колледж экономики и информатики»")
    entries = [factories.register_entry(welding, last_name=name, organisation=org)
               for name in ("Алексеев", "Борисов", "Васильев", "Константинопольский-Щедрин")]
    chief = factories.make_assignment(oc, is_chief=True).user
    expert = factories.make_user(role="expert", name="Екатерина Александровна Преображенская-Оболенская")
    factories.make_assignment(oc, user=expert)
    values = {}
    for entry, total in zip(entries, (50, 45, 40, 30), strict=True):
        values[(entry.id, criterion.aspects[0].id)] = str(total)
        values[(entry.id, criterion.aspects[1].id)] = ["3", "2", "2"]
    sheet = marking.save_marks(welding, criterion, values, 0, actor=expert)
    marking.submit_sheet(welding, criterion, sheet.version, actor=expert)
    marking.confirm_sheet(welding, criterion, actor=chief)
    db.session.commit()

    cooking = factories.make_offered(competition, "Поварское дело", kind.categories[0])
    factories.make_offered(competition, "Поварское дело", kind.categories[1])
    cook_oc = cooking.offered_competency
    cook_a, cook_b = factories.make_scheme(cook_oc, {
        "A": [("Вкус", "50", "judgement")], "B": [("Время подачи", "50", "measurement")]})
    cooks = [factories.register_entry(cooking, last_name=n) for n in ("Григорьев", "Дмитриев")]
    factories.make_assignment(cook_oc, user=expert, is_chief=True)
    draft = marking.save_marks(cooking, cook_b, {(cooks[0].id, cook_b.aspects[0].id): "30"}, 0,
                               actor=expert)
    sheet = marking.save_marks(cooking, cook_a, {
        (e.id, cook_a.aspects[0].id): ["2", "2", "2"] for e in cooks}, 0, actor=expert)
    marking.submit_sheet(cooking, cook_a, sheet.version, actor=expert)
    db.session.commit()
    assert draft is not None

    later = factories.make_competition(kind_slug="abilympics", title="Абилимпикс 2025", year=2025)
    factories.register_entry(factories.make_offered(later, "Поварское дело",
                                                    later.kind.categories[0]), last_name="Егоров")
    results.publish(competition, oc, actor=chief)
    db.session.commit()
    person = entries[0].members[0].person
    factories.make_health_record(person)
    factories.make_special_award(person)
    factories.make_offer(person, description="Практика на заводе с последующим трудоустройством")
    return {"expert": expert}


def _login(page, live_server, user):
    page.goto(live_server + "/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Пароль").fill(factories.PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page).to_have_url(live_server + "/dashboard")


def _check(page, url, lang, ids, failures):
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        found = page.evaluate(CHECK_PAGE)
        where = f"{lang} {width}px {url}"
        if found["scrollWidth"] > found["innerWidth"]:
            failures.append(f"{where}: {found['scrollWidth']} px wide ({found['widest']})")
        for html in found["unlabelled"]:
            failures.append(f"{where}: no label for {html}")
    if lang == "ru":
        text = page.evaluate("document.body.innerText")
        failures.extend(f"ru {url}: untranslated «{i}»" for i in ids if i in text)


def _visit(page, live_server, url, failures, lang):
    try:
        response = page.goto(live_server + url)
    except Exception as error:  # a download
        if "Download is starting" in str(error):
            return False
        raise
    if response is None:
        return False
    if response.status >= 500:
        failures.append(f"{lang} {url}: {response.status}")
        return False
    return "text/html" in (response.headers.get("content-type") or "")


def _links(page, live_server):
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    found = []
    for href in hrefs:
        absolute = urljoin(page.url, href)
        if not absolute.startswith(live_server + "/"):
            continue
        url = absolute[len(live_server):].split("#", 1)[0]
        path = urlsplit(url).path
        if url and not SKIP.search(path) and not DOWNLOAD.search(path):
            found.append(url)
    return found


def _crawl(page, live_server, ids, failures) -> list[str]:
    """Russian: breadth-first from the dashboard; returns the pages visited."""
    seen, queue, visited = {_shape("/dashboard")}, deque(["/dashboard"]), []
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        if not _visit(page, live_server, url, failures, "ru"):
            continue
        visited.append(url)
        _check(page, url, "ru", ids, failures)
        page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
        for link in _links(page, live_server):
            if _shape(link) not in seen:
                seen.add(_shape(link))
                queue.append(link)
    return visited


@pytest.mark.parametrize("role", ["admin", "organiser", "expert", "coordinator"])
def test_every_page_fits_for_every_role(app, live_server, browser, role, csrf_enabled):
    world = _world()
    user = world["expert"] if role == "expert" else factories.make_user(
        role=role, name="Анастасия Владимировна Ростовцева-Никольская")
    ids = _untranslated_ids()
    assert len(ids) > 100  # the catalogue was read
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ru-RU")
    page = context.new_page()
    failures: list[str] = []
    started = time.monotonic()
    _login(page, live_server, user)
    page.locator('button[lang="ru"]').click()
    visited = _crawl(page, live_server, ids, failures)
    assert len(visited) >= 5, visited
    page.goto(live_server + "/dashboard")
    page.locator('button[lang="en"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    for url in visited:
        if _visit(page, live_server, url, failures, "en"):
            _check(page, url, "en", ids, failures)
    context.close()
    print(f"{role}: {len(visited)} pages × 2 languages × {len(SIZES)} sizes "
          f"in {time.monotonic() - started:.1f} s")
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:80])


def _public_world():
    """A released competition with long names, a team, points shown: what an anonymous
    visitor can reach from /public."""
    from datetime import date

    from registry.services import release

    from ..public_fixtures import marked

    org = factories.make_organisation(
        name="ГАПОУ «Оренбургский колледж экономики, информатики и сервиса имени В. И. Иванова»")
    people = [factories.make_person(last_name=name, organisation=org, publication_consent=True,
                                    birth_date=date(1999, 1, 1))
              for name in ("Константинопольский-Щедрин", "Преображенская-Оболенская",
                           "Алексеев", "Борисов")]
    competition = factories.make_competition(
        status="marking", title="Профессионалы 2024, региональный этап Оренбургской области")
    marked(competition, "Сварочные технологии", people, ["90", "80", "70", "60"])
    marked(competition, "Поварское дело", [[factories.make_person(), factories.make_person()],
                                           [factories.make_person(), factories.make_person()]],
           ["70", "60"])
    results.publish(competition)
    competition.show_points = True
    release.release(competition)
    db.session.commit()


def _public_crawl(page, live_server, ids, failures) -> list[str]:
    seen, queue, visited = {_shape("/public/")}, deque(["/public/"]), []
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        if not _visit(page, live_server, url, failures, "ru"):
            continue
        visited.append(url)
        lang = "en" if "lang=en" in url else "ru"
        _check(page, url, lang, ids, failures)
        page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
        for link in _links(page, live_server):
            if urlsplit(link).path.startswith("/public") and _shape(link) not in seen:
                seen.add(_shape(link))
                queue.append(link)
    return visited


def test_every_public_page_fits_for_an_anonymous_visitor(app, live_server, browser):
    _public_world()
    ids = _untranslated_ids()
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ru-RU")
    page = context.new_page()
    failures: list[str] = []
    visited = _public_crawl(page, live_server, ids, failures)
    context.close()
    paths = {urlsplit(u).path for u in visited}
    assert any("/competencies/" in p for p in paths) and "/public/medals" in paths, visited
    assert any("lang=en" in u for u in visited), visited  # both languages were crawled
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:80])
