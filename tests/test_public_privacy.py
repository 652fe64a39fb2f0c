"""The leak test of the public pages (152-ФЗ): every public URL (the rules of the ``public``
blueprint in ``app.url_map``, filled in, with the query variants the pages take) is fetched
as an anonymous visitor, and nothing about a person appears but what is allowed — the
surname, the region, the organisation, and the given name and patronymic only when the
consent to publication covers them (the person's own when of age, the guardian's for a
minor). Every other column of ``persons`` and of ``health_records`` that holds a value is
looked for in every format it could be written in: a column added later is checked too."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import inspect as sa_inspect

from registry.extensions import db
from registry.models import HealthRecord, Person
from registry.services import public_names, release, results

from . import factories
from .public_fixtures import marked

MONTHS_RU = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
             "сентября", "октября", "ноября", "декабря")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")
# Shown on the public pages: the surname always, the region and organisation by their names;
# the given name and patronymic with consent. Flags and ids are not looked for as text.
ALLOWED = {"last_name", "region_id", "organisation_id", "id"}
WITH_CONSENT = {"first_name", "middle_name"}
NOT_TEXT = {"publication_consent", "guardian_publication_consent", "created_at", "updated_at"}


def date_forms(day: date) -> set[str]:
    return {day.strftime("%d.%m.%Y"), day.isoformat(), day.strftime("%d/%m/%Y"),
            day.strftime("%m/%d/%Y"), day.strftime("%d.%m.%y"), f"{day.day}.{day.month}.{day.year}",
            f"{day.day} {MONTHS_RU[day.month - 1]} {day.year}",
            f"{MONTHS_EN[day.month - 1]} {day.day}, {day.year}",
            f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}", day.strftime("%Y%m%d")}


def text_forms(value: str) -> set[str]:
    forms = {value}
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) >= 7:  # a phone or a number written without its separators
        forms |= {digits, digits[1:]}
    return forms


def forbidden(person: Person, health: HealthRecord | None) -> dict[str, set[str]]:
    """``{column: forms}`` of everything about ``person`` the public pages must not show."""
    consent = public_names.consents_to_publication(person)
    found: dict[str, set[str]] = {}
    for column in sa_inspect(Person).columns:
        key = column.key
        if key in ALLOWED or key in NOT_TEXT or (consent and key in WITH_CONSENT):
            continue
        value = getattr(person, key)
        if value is None or isinstance(value, bool | int):
            continue
        if key == "identity_key":  # names and birth date, covered by their own columns
            continue
        if isinstance(value, datetime):
            value = value.date()
        found[key] = date_forms(value) if isinstance(value, date) else text_forms(str(value))
    if not consent:
        found["full_name"] = {person.full_name, f"{person.last_name} {person.first_name}",
                              f"{person.first_name} {person.last_name}"}
    if health is not None:
        for column in sa_inspect(HealthRecord).columns:
            value = getattr(health, column.key)
            if column.key in ("person_id", "updated_at") or value is None:
                continue
            found[f"health.{column.key}"] = (date_forms(value) if isinstance(value, date)
                                             else text_forms(str(value)))
    return found


def _person(n: int, *, adult: bool, consent: bool = False, guardian: bool = False):
    today = date.today()
    first = ("Евлампий", "Феоктиста", "Акакий", "Пульхерия", "Варфоломей", "Агриппина")[n]
    middle = ("Варсонофьевич", "Пафнутьевна", "Ипатьевич", "Елпидифоровна", "Мефодьевич",
              "Евграфовна")[n]
    born = date(1990, 5, 17 + n) if adult else date(today.year - 15, 10, 3 + n)
    person = factories.make_person(
        last_name=("Тихомиров", "Белозёрова", "Громыхалов", "Снегирёва", "Дубравин",
                   "Ясенева")[n],
        first_name=first, middle_name=middle, birth_date=born,
        email=f"secret{n}@example.org", phone=f"+7 912 345-67-8{n}",
        consent_date=date(2023, 2, 11 + n), publication_consent=consent,
        guardian_publication_consent=guardian,
        guardian_name=None if adult else "Опекунова Зинаида Львовна",
        guardian_consent_date=None if adult else date(2023, 4, 21 + n),
        organisation=factories.make_organisation(name=f"ГБПОУ «Колледж связи № {n + 1}»"))
    health = factories.make_health_record(person, disability_group="III группа инвалидности",
                                          notes=f"Слабослышащий, нужен сурдопереводчик {n}",
                                          written_consent_date=date(2023, 6, 7 + n))
    return person, health


@pytest.fixture
def scene(app):
    """Adults with and without consent, minors with their own consent only and with their
    guardian's, individuals and a team, in a released competition."""
    people = [
        _person(0, adult=True, consent=True),     # full name
        _person(1, adult=True, consent=False),    # «Белозёрова Ф. П.»
        _person(2, adult=False, consent=True),    # a minor's own consent is not enough
        _person(3, adult=False, guardian=True),   # the guardian's consent: full name
        _person(4, adult=True, consent=False),    # in a team
        _person(5, adult=False, consent=False),   # in a team, minor without consent
    ]
    competition = factories.make_competition(status="marking", kind_slug="abilympics",
                                             title="Абилимпикс 2024, региональный этап")
    persons = [p for p, _h in people]
    offered, _entries = marked(competition, "Сварочные технологии", persons[:4],
                               ["90", "80", "70", "60"], category="Студенты")
    team_offered, _team = marked(competition, "Поварское дело", [persons[4:6], [
        factories.make_person(), factories.make_person()]], ["75", "65"], category="Студенты")
    organiser = factories.make_user(role="organiser")
    results.publish(competition, actor=organiser)
    competition.show_points = True
    release.release(competition, actor=organiser)
    db.session.commit()
    return {"competition": competition, "people": people,
            "competencies": [offered.offered_competency_id, team_offered.offered_competency_id]}


def public_urls(app, scene) -> list[str]:
    """Every rule of the public blueprint, filled in, with the query variants its pages
    read (language, filters, paging, search by each surname and by full names)."""
    from flask import url_for

    competition = scene["competition"]
    queries = ["", "lang=en", "page=2",
               f"kind={competition.kind_id}&year={competition.year}&stage=regional"
               f"&region={competition.host_region_id}"]
    for person, _health in scene["people"]:
        queries += [f"q={person.last_name}", f"q={person.last_name} {person.first_name}",
                    f"q={person.first_name}", f"q={person.last_name[:3]}&lang=en"]
    rules = [r for r in app.url_map.iter_rules()
             if r.endpoint.startswith("public.") and r.endpoint != "public.static"]
    assert {r.endpoint for r in rules} >= {"public.index", "public.competition",
                                            "public.competency", "public.search"}
    urls = []
    with app.test_request_context():
        for rule in rules:
            fills = [{"competition_id": competition.id, "offered_competency_id": oc}
                     for oc in scene["competencies"]]
            for values in fills:
                url = url_for(rule.endpoint, **{k: values[k] for k in rule.arguments})
                urls += [f"{url}?{q}" if q else url for q in queries]
    return sorted(set(urls))


_SEARCH_INPUT = re.compile(r'<input[^>]*name="q"[^>]*>')


def _walk(client, urls, statuses=(200, 400)) -> str:
    """The pages and their headers; the search box, which echoes the visitor's own query,
    is left out."""
    pages = []
    for url in urls:
        response = client.get(url)
        assert response.status_code in statuses, (url, response.status_code)
        if response.status_code == 404:
            continue  # the error page: it only echoes the address asked for
        pages.append(_SEARCH_INPUT.sub("", response.get_data(as_text=True)))
        pages.append("\n".join(f"{k}: {v}" for k, v in response.headers.items()))
    return "\n".join(pages)


def _leaks(text: str, scene) -> list[str]:
    leaks = []
    for person, health in scene["people"]:
        for column, forms in forbidden(person, health).items():
            for form in forms:
                if form in text:
                    leaks.append(f"{person.last_name}: {column} «{form}»")
    return leaks


def test_no_public_url_shows_more_than_allowed(app, client, scene):
    urls = public_urls(app, scene)
    assert len(urls) > 40
    text = _walk(client, urls)
    assert _leaks(text, scene) == []
    names = {p.last_name: public_names.public_name(p) for p, _h in scene["people"]}
    # what is allowed is shown: full names with consent, «Фамилия И. О.» without
    assert names["Тихомиров"] == "Тихомиров Евлампий Варсонофьевич"
    assert names["Белозёрова"] == "Белозёрова Ф. П."
    assert names["Громыхалов"] == "Громыхалов А. И."  # a minor's own consent: not enough
    assert names["Снегирёва"] == "Снегирёва Пульхерия Елпидифоровна"  # the guardian's
    assert names["Ясенева"] == "Ясенева А. Е."
    for name in names.values():
        assert name in text
    assert "ГБПОУ «Колледж связи № 1»" in text.replace("&#34;", '"') or "Колледж связи № 1" in text


def test_withdrawn_consent_takes_the_full_name_off_at_once(app, client, scene):
    person = scene["people"][0][0]
    competition = scene["competition"]
    url = (f"/public/competitions/{competition.id}/competencies/{scene['competencies'][0]}")
    first = client.get(url)
    assert person.full_name in first.text
    person.publication_consent = False
    db.session.commit()
    # a cached copy is not current any more (the ETag changes with the persons shown)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert person.full_name not in again.text and "Тихомиров Е. В." in again.text
    text = _walk(client, public_urls(app, scene))
    assert _leaks(text, scene) == []


def test_the_search_confirms_no_hidden_given_name(app, client, scene):
    hidden = scene["people"][1][0]  # an adult without consent
    for q in (f"{hidden.last_name} {hidden.first_name}", hidden.first_name,
              f"{hidden.last_name} {hidden.middle_name}", hidden.middle_name):
        page = client.get(f"/public/search?q={q}").text.split("</form>", 1)[1]
        assert hidden.last_name not in page, q
    page = client.get(f"/public/search?q={hidden.last_name}").text.split("</form>", 1)[1]
    assert "Белозёрова Ф. П." in page


def test_unreleased_competition_shows_nothing_of_its_people(app, client, scene):
    release.withdraw(scene["competition"])
    db.session.commit()
    text = _walk(client, public_urls(app, scene), statuses=(200, 400, 404))
    for person, _health in scene["people"]:
        assert person.last_name not in text, person.last_name
