"""The registration pages: organisations, persons, entries, teams and the participants list."""
import re
from datetime import date

import pytest
from sqlalchemy import event, func, select

from registry.extensions import db
from registry.models import Award, Category, Entry, EntryMember, Organisation, Person
from registry.services import registration as reg

from . import factories


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _rows(html: str, attr: str = "data-person") -> list[int]:
    return [int(v) for v in re.findall(rf'<tr {attr}="(\d+)"', html)]


@pytest.fixture
def organiser(client, login):
    return login(client, "organiser")


# --- organisations -------------------------------------------------------------------------

def test_organisation_list_search_filter_and_pages(app, client, organiser):
    tatarstan = factories.region("Республика Татарстан")
    a = factories.make_organisation(name="ГАПОУ «Орский Нефтяной Техникум»")
    b = factories.make_organisation(name="Казанский колледж", region=tatarstan)
    page = client.get("/organisations?q=НЕФТЯНОЙ").text
    assert _rows(page, "data-organisation") == [a.id]
    page = client.get(f"/organisations?region_id={tatarstan.id}").text
    assert _rows(page, "data-organisation") == [b.id]
    app.config["PAGE_SIZE"] = 2
    try:
        for n in range(3):
            factories.make_organisation(name=f"Колледж {n}")
        first = _rows(client.get("/organisations").text, "data-organisation")
        second = _rows(client.get("/organisations?page=2").text, "data-organisation")
        third = _rows(client.get("/organisations?page=3").text, "data-organisation")
        assert len(first) == 2 and len(second) == 2 and len(third) == 1
        assert not set(first) & set(second)
    finally:
        app.config["PAGE_SIZE"] = 50


def test_organisation_create_edit_and_duplicate(client, organiser):
    region = factories.region()
    response = client.post("/organisations/new", data={
        "name": "Оренбургский колледж", "kind": "educational", "region_id": region.id})
    assert response.status_code == 302
    org = db.session.scalar(select(Organisation))
    assert org.name == "Оренбургский колледж"
    response = client.post("/organisations/new", data={
        "name": "оренбургский  КОЛЛЕДЖ", "kind": "educational", "region_id": region.id})
    assert response.status_code == 200 and "is-invalid" in response.text
    assert _count(Organisation) == 1
    response = client.post(f"/organisations/{org.id}/edit", data={
        "name": "Оренбургский колледж связи", "kind": "employer", "region_id": region.id})
    assert response.status_code == 302
    db.session.refresh(org)
    assert org.name == "Оренбургский колледж связи" and org.kind == "employer"


def test_organisation_form_without_region_is_refused(client, organiser):
    response = client.post("/organisations/new", data={"name": "Х", "kind": "educational",
                                                      "region_id": ""})
    assert response.status_code == 200 and _count(Organisation) == 0


# --- persons -------------------------------------------------------------------------------

def _person_form(**overrides):
    data = {"last_name": "Семёнов", "first_name": "Алексей", "middle_name": "Петрович",
            "birth_date": "2004-05-20", "region_id": factories.region().id,
            "organisation": "ГАПОУ «Орский нефтяной техникум»", "email": "a@example.ru",
            "phone": "", "consent_date": "2024-01-15", "guardian_name": "",
            "guardian_consent_date": ""}
    data.update(overrides)
    return data


def test_person_create_with_organisation(client, organiser):
    response = client.post("/persons/new", data=_person_form())
    assert response.status_code == 302
    person = db.session.scalar(select(Person))
    assert response.location.endswith(f"/persons/{person.id}")
    assert person.organisation.name == "ГАПОУ «Орский нефтяной техникум»"
    assert person.organisation.region_id == person.region_id
    # the organisation is matched, not duplicated, for the next person
    client.post("/persons/new", data=_person_form(first_name="Борис",
                                                  organisation="гапоу «орский нефтяной техникум»"))
    assert _count(Person) == 2 and _count(Organisation) == 1


def test_person_create_duplicate_shows_link_and_creates_nothing(client, organiser):
    client.post("/persons/new", data=_person_form())
    existing = db.session.scalar(select(Person))
    response = client.post("/persons/new", data=_person_form(last_name="СЕМЕНОВ",
                                                            first_name="алексей"))
    assert response.status_code == 200
    assert 'data-testid="duplicate-person"' in response.text
    assert f"/persons/{existing.id}" in response.text
    assert _count(Person) == 1


def test_person_form_errors_are_shown_not_500(client, organiser):
    response = client.post("/persons/new", data=_person_form(birth_date="2100-01-01"))
    assert response.status_code == 200 and "is-invalid" in response.text
    response = client.post("/persons/new", data=_person_form(guardian_consent_date="2024-01-01"))
    assert response.status_code == 200 and "is-invalid" in response.text
    assert _count(Person) == 0 and _count(Organisation) == 0


def test_person_edit(client, organiser):
    person = factories.make_person(last_name="Петров")
    response = client.get(f"/persons/{person.id}/edit")
    assert response.status_code == 200 and "Петров" in response.text
    response = client.post(f"/persons/{person.id}/edit",
                           data=_person_form(last_name="Петрова", organisation=""))
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.last_name == "Петрова" and person.identity_key.startswith("петрова|")


def test_person_edit_into_another_person_is_refused(client, organiser):
    other = factories.make_person(last_name="Семёнов", first_name="Алексей",
                                  middle_name="Петрович", birth_date=date(2004, 5, 20))
    person = factories.make_person(last_name="Петров")
    response = client.post(f"/persons/{person.id}/edit", data=_person_form())
    assert response.status_code == 200 and f"/persons/{other.id}" in response.text
    db.session.refresh(person)
    assert person.last_name == "Петров"


def test_person_list_search_is_case_and_yo_insensitive(client, organiser):
    a = factories.make_person(last_name="Семёнов", first_name="Алексей")
    factories.make_person(last_name="Петров", first_name="Алексей")
    assert _rows(client.get("/persons?q=семенов").text) == [a.id]
    assert _rows(client.get("/persons?q=СЕМЁН алекс").text) == [a.id]
    assert len(_rows(client.get("/persons?q=алексей").text)) == 2


def test_person_page_shows_entries_across_competitions(client, organiser):
    person = factories.make_person()
    c1 = factories.make_competition(title="Профессионалы 2023", year=2023,
                                    starts_on=date(2023, 3, 1), ends_on=None)
    c2 = factories.make_competition(title="Профессионалы 2024 финал", stage="final",
                                    host_region=None)
    e1 = factories.make_entry(factories.make_offered(c1, "Сварочные технологии"), [person])
    e2 = factories.make_entry(factories.make_offered(c2, "Поварское дело"),
                              [person, factories.make_person()], team_name="Повара")
    page = client.get(f"/persons/{person.id}").text
    assert _rows(page, "data-entry") == [e2.id, e1.id]
    for text in ("Профессионалы 2023", "Профессионалы 2024 финал", "Сварочные технологии",
                 "Поварское дело", "Повара", "2023"):
        assert text in page
    for section in ("results", "awards", "offers"):
        assert f'data-section="{section}"' in page


@pytest.mark.parametrize("role,sees", [("admin", True), ("organiser", True),
                                       ("coordinator", False)])
def test_health_data_only_for_roles_with_health_view(client, login, role, sees):
    person = factories.make_person()
    factories.make_health_record(person, disability_group="Группа-II-тест")
    login(client, role)
    page = client.get(f"/persons/{person.id}")
    assert page.status_code == 200
    assert ("Группа-II-тест" in page.text) is sees
    assert ('data-testid="health"' in page.text) is sees


def test_experts_do_not_see_personal_data(client, login):
    person = factories.make_person()
    entry = factories.make_entry(persons=[person])
    competition_id = entry.offered_category.offered_competency.competition_id
    login(client, "expert")
    for url in (f"/persons/{person.id}", "/persons", f"/entries/{entry.id}",
                f"/competitions/{competition_id}/participants"):
        assert client.get(url).status_code == 403, url


# --- entries -------------------------------------------------------------------------------

def test_register_existing_person(client, organiser):
    competition = factories.make_competition()
    offered = factories.make_offered(competition)
    person = factories.make_person(last_name="Ёлкин")
    page = client.get(f"/competitions/{competition.id}/entries/new?q=елкин").text
    assert f"person_id={person.id}" in page
    page = client.get(f"/competitions/{competition.id}/entries/new?person_id={person.id}").text
    assert 'data-testid="chosen-person"' in page
    response = client.post(f"/competitions/{competition.id}/entries/new",
                           data={"person_id": person.id, "offered_category_id": offered.id})
    assert response.status_code == 302
    entry = db.session.scalar(select(Entry))
    assert entry.created_by_id == organiser.id
    assert entry.members[0].person_id == person.id


def test_rule_violations_show_on_the_form(client, organiser):
    competition = factories.make_competition(starts_on=date(2024, 3, 1))
    juniors = factories.make_offered(competition, category_="Юниоры")
    main = factories.make_offered(competition, category_="Основная")
    too_young = factories.make_person(birth_date=date(2012, 1, 1))
    url = f"/competitions/{competition.id}/entries/new?person_id={too_young.id}"
    response = client.post(url, data={"person_id": too_young.id,
                                      "offered_category_id": juniors.id})
    assert response.status_code == 200 and "01.03.2024" in response.text
    assert _count(Entry) == 0
    # already registered
    client.post(url, data={"person_id": too_young.id, "offered_category_id": main.id})
    response = client.post(url, data={"person_id": too_young.id, "offered_category_id": main.id})
    assert response.status_code == 200 and _count(Entry) == 1
    # an offered category of another competition is not offered here
    elsewhere = factories.make_offered(None, "Поварское дело")
    response = client.post(url, data={"person_id": too_young.id,
                                      "offered_category_id": elsewhere.id})
    assert response.status_code == 200 and _count(Entry) == 1


def test_create_and_register_in_one_form(client, organiser):
    competition = factories.make_competition()
    offered = factories.make_offered(competition)
    url = f"/competitions/{competition.id}/entries/new-person"
    response = client.post(url, data=_person_form(offered_category_id=offered.id))
    assert response.status_code == 302
    assert _count(Person) == 1 and _count(Entry) == 1
    # the same person again: no duplicate, a link to them and to registering them instead
    response = client.post(url, data=_person_form(last_name="семенов",
                                                  offered_category_id=offered.id))
    assert response.status_code == 200
    person = db.session.scalar(select(Person))
    assert f"/persons/{person.id}" in response.text
    assert f"person_id={person.id}" in response.text
    assert _count(Person) == 1 and _count(Entry) == 1


def test_create_and_register_rolls_back_the_person_when_the_entry_fails(client, organiser):
    competition = factories.make_competition(starts_on=date(2024, 3, 1))
    juniors = factories.make_offered(competition, category_="Юниоры")
    response = client.post(f"/competitions/{competition.id}/entries/new-person",
                           data=_person_form(birth_date="2012-01-01",
                                             offered_category_id=juniors.id))
    assert response.status_code == 200
    assert _count(Person) == 0 and _count(Entry) == 0 and _count(Organisation) == 0


def test_register_team(client, organiser):
    competition = factories.make_competition()
    offered = factories.make_offered(competition, "Командная работа на производстве")
    a = factories.make_person(last_name="Командин")
    b = factories.make_person(last_name="Командина")
    url = f"/competitions/{competition.id}/teams/new"
    page = client.get(url + "?q=командин").text
    assert f'value="{a.id}"' in page and f'value="{b.id}"' in page
    response = client.post(url, data={"team_name": "Орск-1", "offered_category_id": offered.id,
                                      "members": [a.id]})
    assert response.status_code == 200 and _count(Entry) == 0
    response = client.post(url, data={"team_name": "Орск-1", "offered_category_id": offered.id,
                                      "members": [a.id, b.id]})
    assert response.status_code == 302
    entry = db.session.scalar(select(Entry))
    assert entry.team_name == "Орск-1" and {m.person_id for m in entry.members} == {a.id, b.id}
    # a third member is added on the entry's page
    c = factories.make_person(last_name="Командиров")
    assert f"/entries/{entry.id}/members" in client.get(f"/entries/{entry.id}?q=командиров").text
    assert client.post(f"/entries/{entry.id}/members", data={"person_id": c.id}).status_code == 302
    assert _count(EntryMember) == 3


def test_withdraw_disqualify_reinstate(client, organiser):
    entry = factories.make_entry()
    url = f"/entries/{entry.id}/status"
    # withdrawing asks first and changes nothing until confirmed
    page = client.post(url, data={"status": "withdrawn", "reason": "болезнь"})
    assert page.status_code == 200 and 'data-testid="confirm-what"' in page.text
    db.session.refresh(entry)
    assert entry.status == "registered"
    assert client.post(url, data={"status": "withdrawn", "reason": "болезнь",
                                  "confirmed": "1"}).status_code == 302
    db.session.refresh(entry)
    assert entry.status == "withdrawn" and entry.status_changed_by_id == organiser.id
    page = client.get(f"/entries/{entry.id}").text
    assert 'data-testid="status-change"' in page and organiser.display_name in page
    assert "болезнь" in page
    # disqualification without a reason is refused, the entry unchanged
    client.post(url, data={"status": "disqualified", "reason": "", "confirmed": "1"})
    db.session.refresh(entry)
    assert entry.status == "withdrawn"
    client.post(url, data={"status": "disqualified", "reason": "нарушение ТБ", "confirmed": "1"})
    db.session.refresh(entry)
    assert entry.status == "disqualified" and entry.status_reason == "нарушение ТБ"
    client.post(url, data={"status": "registered", "reason": ""})
    db.session.refresh(entry)
    assert entry.status == "registered" and _count(Entry) == 1
    assert client.post(url, data={"status": "nonsense"}).status_code == 302


# --- the participants list -----------------------------------------------------------------

def _participants(client, competition, query=""):
    response = client.get(f"/competitions/{competition.id}/participants{query}")
    assert response.status_code == 200
    return response.text


def test_participants_search_filters_and_consent_badge(client, organiser):
    competition = factories.make_competition()
    welding = factories.make_offered(competition, "Сварочные технологии", "Основная")
    cooking = factories.make_offered(competition, "Поварское дело", "Юниоры")
    tatarstan = factories.region("Республика Татарстан")
    org = factories.make_organisation(name="Казанский колледж", region=tatarstan)
    semenov = factories.make_person(last_name="Семёнов", first_name="Алексей",
                                    region=tatarstan, organisation=org, consent_date=None)
    petrova = factories.make_person(last_name="Петрова", first_name="Анна",
                                    birth_date=date(2009, 1, 1))
    e1 = factories.make_entry(welding, [semenov])
    factories.make_entry(cooking, [petrova], status="withdrawn")
    factories.make_entry(factories.make_offered(None), [factories.make_person()])  # elsewhere

    page = _participants(client, competition)
    assert sorted(_rows(page)) == sorted([semenov.id, petrova.id])
    assert page.count('data-testid="consent-missing"') == 2  # no consent; minor w/o guardian
    assert _rows(_participants(client, competition, "?q=СЕМЕНОВ")) == [semenov.id]
    assert _rows(_participants(client, competition, "?q=семён+алексей")) == [semenov.id]
    assert _rows(_participants(client, competition, "?q=анна")) == [petrova.id]
    assert _rows(_participants(client, competition, f"?region_id={tatarstan.id}")) == [semenov.id]
    assert _rows(_participants(client, competition, f"?organisation_id={org.id}")) == [semenov.id]
    competency_id = cooking.offered_competency.competency_id
    assert _rows(_participants(client, competition, f"?competency_id={competency_id}")) == [petrova.id]
    assert _rows(_participants(client, competition,
                               f"?category_id={welding.category_id}")) == [semenov.id]
    assert _rows(_participants(client, competition, "?status=withdrawn")) == [petrova.id]
    assert _rows(_participants(client, competition, "?status=registered")) == [semenov.id]
    assert f"/entries/{e1.id}" in page
    # «%» and «_» are letters to look for, not wildcards; a word longer than any name finds
    # no one; words and filters together (the statement kept per shape binds each request's)
    for hostile in ("%25", "_", "сем%25", "с_м", "я" * 300):
        assert _rows(_participants(client, competition, f"?q={hostile}")) == [], hostile
    assert _rows(_participants(client, competition,
                               f"?q=семен&region_id={tatarstan.id}")) == [semenov.id]
    assert _rows(_participants(client, competition, f"?q=анна&region_id={tatarstan.id}")) == []
    assert _rows(_participants(client, competition, "?q=анна+петрова&status=withdrawn")) == [
        petrova.id]


def test_participants_sorting(client, organiser):
    competition = factories.make_competition()
    welding = factories.make_offered(competition, "Сварочные технологии")
    cooking = factories.make_offered(competition, "Поварское дело")
    tatarstan = factories.region("Республика Татарстан")
    ya = factories.make_person(last_name="Яковлев", region=tatarstan)
    yo = factories.make_person(last_name="Ёжиков")  # ё sorts as е, not after я
    a = factories.make_person(last_name="Антонов")
    factories.make_entry(welding, [ya])
    factories.make_entry(cooking, [yo])
    factories.make_entry(welding, [a], status="disqualified")
    assert _rows(_participants(client, competition, "?sort=name")) == [a.id, yo.id, ya.id]
    assert _rows(_participants(client, competition, "?sort=name&dir=desc")) == [ya.id, yo.id, a.id]
    assert _rows(_participants(client, competition, "?sort=competency"))[0] == yo.id
    assert _rows(_participants(client, competition, "?sort=region&dir=desc"))[0] == ya.id
    assert _rows(_participants(client, competition, "?sort=status"))[0] == a.id
    assert _rows(_participants(client, competition, "?sort=organisation")) != []
    assert _rows(_participants(client, competition, "?sort=category")) != []
    assert _rows(_participants(client, competition, "?sort=bogus")) == [a.id, yo.id, ya.id]


def test_participants_pagination(app, client, organiser):
    competition = factories.make_competition()
    offered = factories.make_offered(competition)
    for _ in range(5):
        factories.make_entry(offered, [factories.make_person()])
    app.config["PAGE_SIZE"] = 2
    try:
        pages = [_rows(_participants(client, competition, f"?page={n}")) for n in (1, 2, 3)]
        assert [len(p) for p in pages] == [2, 2, 1]
        assert len({i for p in pages for i in p}) == 5
        assert _rows(_participants(client, competition, "?page=99")) == pages[2]
        # the total comes with the page's rows, and past the last page from a count
        assert 'data-testid="total">5<' in _participants(client, competition, "?page=2")
        assert 'data-testid="total">5<' in _participants(client, competition, "?page=99")
        nobody = _participants(client, competition, "?q=Никтоникак&page=3")
        assert _rows(nobody) == [] and 'data-testid="total">0<' in nobody
        assert "page=2" in _participants(client, competition)
    finally:
        app.config["PAGE_SIZE"] = 50


def _queries_for(client, app, url) -> int:
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def _fill(competition, n):
    offered = [factories.make_offered(competition, name)
               for name in ("Сварочные технологии", "Поварское дело")]
    orgs = [factories.make_organisation() for _ in range(3)]
    for i in range(n):
        person = factories.make_person(organisation=orgs[i % 3],
                                       consent_date=None if i % 4 == 0 else date(2024, 1, 1))
        entry = factories.make_entry(offered[i % 2], [person])
        if i % 5 == 0:
            reg.set_status(entry, "withdrawn", "причина", actor=factories.make_user())


def test_participants_query_count_does_not_grow_with_rows(app, client, organiser):
    small, large = factories.make_competition(), factories.make_competition()
    _fill(small, 5)
    _fill(large, 60)
    db.session.expire_all()
    small_url = f"/competitions/{small.id}/participants"
    large_url = f"/competitions/{large.id}/participants"
    client.get(small_url)  # warm up
    n_small = _queries_for(client, app, small_url)
    n_large = _queries_for(client, app, large_url)
    assert n_small == n_large
    assert n_large < 15


def _choices(page: str, name: str) -> list[str]:
    select_ = page.split(f'<select name="{name}"')[1].split("</select>")[0]
    return [text for value, text in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)<', select_)]


def test_the_participant_filters_offer_what_occurs_in_the_competition_in_order(
        app, client, organiser):
    """Regions and organisations of its participants only, by name; the competencies it
    offers, by name (a code first); the categories of its kind, in their order: 6 queries
    with the page (the login, the competition, the page's keys and rows, the places
    present, then every name at once)."""
    competition, other = factories.make_competition(), factories.make_competition()
    cooking = factories.make_offered(competition, "Поварское дело")
    welding = factories.make_offered(competition, "Сварочные технологии")
    tatarstan, amur = factories.region("Республика Татарстан"), factories.region("Амурская область")
    college = factories.make_organisation(name="Колледж связи", region=tatarstan)
    lyceum = factories.make_organisation(name="Агролицей", region=amur)
    factories.make_entry(welding, [factories.make_person(region=tatarstan, organisation=college)])
    factories.make_entry(cooking, [factories.make_person(region=amur, organisation=lyceum)])
    nobody = factories.make_organisation(name="Техникум без участников")
    factories.make_entry(factories.make_offered(other, "Малярные и декоративные работы"),
                         [factories.make_person(organisation=nobody)])
    db.session.expire_all()
    url = f"/competitions/{competition.id}/participants"
    assert _queries_for(client, app, url) == 6
    page = client.get(url).text
    assert _choices(page, "region_id") == ["Амурская область", "Республика Татарстан"]
    assert _choices(page, "organisation_id") == ["Агролицей", "Колледж связи"]
    competencies = _choices(page, "competency_id")
    assert [c.split(" ", 1)[-1] if c[0].isdigit() else c for c in competencies] \
        == ["Поварское дело", "Сварочные технологии"]
    categories = db.session.scalars(select(Category.name).where(
        Category.kind_id == competition.kind_id).order_by(Category.position)).all()
    assert _choices(page, "category_id") == categories and categories


def test_person_list_and_person_page_query_counts_are_bounded(client, organiser):
    person = factories.make_person()
    offered = [factories.make_offered(factories.make_competition(), "Сварочные технологии")
               for _ in range(6)]
    for o in offered:
        factories.make_entry(o, [person])
    assert _queries_for(client, None, f"/persons/{person.id}") < 15
    for _ in range(20):
        factories.make_person(organisation=factories.make_organisation())
    assert _queries_for(client, None, "/persons") < 15


def test_the_person_page_reads_person_region_and_organisation_at_once(client, organiser):
    """The person with their region and organisation is one query, and the awards reuse the
    entries' ids: the login, the person, the health record, the entries, the published
    results, the awards and the offers — 7, however many entries."""
    person = factories.make_person(organisation=factories.make_organisation())
    for _ in range(3):
        factories.make_entry(factories.make_offered(factories.make_competition(),
                                                    "Сварочные технологии"), [person])
    db.session.expire_all()
    assert _queries_for(client, None, f"/persons/{person.id}") == 7


def test_the_person_page_names_each_awards_competency_without_a_query_per_award(client,
                                                                                  organiser):
    """The awards' competencies come from the page's own entries; an award the person holds
    for an entry they are no longer a member of (a team they left) costs one query for all
    such entries, not one per award."""
    person = factories.make_person()
    mine = factories.make_entry(factories.make_offered(factories.make_competition(),
                                                       "Сварочные технологии"), [person])
    left = [factories.make_entry(factories.make_offered(factories.make_competition(), name),
                                 [factories.make_person()], team_name=f"Команда {i}")
            for i, name in enumerate(("Поварское дело", "Малярные и декоративные работы"))]
    db.session.add_all([Award(kind="special", source="manual", title="Приз партнёра",
                              entry_id=mine.id, competition_id=None)]
                       + [Award(kind="special", source="manual", title=f"Приз {i}",
                                entry_id=entry.id, person_id=person.id)
                          for i, entry in enumerate(left)])
    db.session.commit()
    db.session.expire_all()
    url = f"/persons/{person.id}"
    assert _queries_for(client, None, url) == 8  # 7, and the entries of the awards left
    awards = client.get(url).text.split('data-section="awards"')[1].split("</section>")[0]
    assert "Приз партнёра</strong> — Сварочные технологии" in awards
    assert "Поварское дело (командная «Команда 0»)" in awards
    assert "Малярные и декоративные работы (командная «Команда 1»)" in awards


# --- teams: ticks kept across searches, removing a member; all errors at once -------------

def test_the_team_form_keeps_ticked_members_across_searches(client, organiser):
    competition = factories.make_competition()
    offered = factories.make_offered(competition, "Командная работа на производстве")
    a = factories.make_person(last_name="Альфин")
    b = factories.make_person(last_name="Бетин")
    url = f"/competitions/{competition.id}/teams/new"
    page = client.post(url, data={"q": "альфин", "find": "1"}).text
    assert f'value="{a.id}"' in page
    # tick a, search for b: a stays ticked, b is offered, nothing is registered
    page = client.post(url, data={"q": "бетин", "find": "1", "members": [a.id],
                                  "team_name": "Азбука", "offered_category_id": offered.id}).text
    assert _count(Entry) == 0
    assert re.search(rf'value="{a.id}"[^>]*checked|checked[^>]*value="{a.id}"', page)
    assert f'value="{b.id}"' in page and 'value="Азбука"' in page
    assert client.post(url, data={"team_name": "Азбука", "offered_category_id": offered.id,
                                  "members": [a.id, b.id]}).status_code == 302
    assert _count(EntryMember) == 2


def test_a_member_is_removed_from_a_team(client, organiser):
    offered = factories.make_offered(team=True)
    people = [factories.make_person() for _ in range(3)]
    entry = reg.register(offered, people, team_name="Тройка")
    db.session.commit()
    page = client.get(f"/entries/{entry.id}").text
    url = f"/entries/{entry.id}/members/{people[0].id}/remove"
    assert url in page
    assert client.post(url).status_code == 302
    assert _count(EntryMember) == 2
    # below the minimum: refused with a message, nothing removed
    response = client.post(f"/entries/{entry.id}/members/{people[1].id}/remove",
                           follow_redirects=True)
    assert "alert-danger" in response.text and _count(EntryMember) == 2


def test_a_team_in_an_individual_competency_is_refused_on_the_form(client, organiser):
    competition = factories.make_competition()
    offered = factories.make_offered(competition, "Сварочные технологии")
    a, b = factories.make_person(), factories.make_person()
    response = client.post(f"/competitions/{competition.id}/teams/new",
                           data={"team_name": "Сварщики", "offered_category_id": offered.id,
                                 "members": [a.id, b.id]})
    assert response.status_code == 200 and _count(Entry) == 0
    assert "Сварочные технологии" in response.text


def test_registration_in_a_closed_competition_is_refused_with_a_message(client, organiser):
    competition = factories.make_competition(status="archived")
    offered = factories.make_offered(competition)
    person = factories.make_person()
    response = client.post(f"/competitions/{competition.id}/entries/new",
                           data={"person_id": person.id, "offered_category_id": offered.id})
    assert response.status_code == 200 and _count(Entry) == 0
    assert "reopen" in response.text or "снова" in response.text


def test_a_person_form_with_three_bad_fields_shows_three_messages(client, organiser):
    response = client.post("/persons/new", data=_person_form(
        last_name="", first_name="", email="не почта"))
    assert response.status_code == 200
    assert response.text.count("invalid-feedback") >= 3
