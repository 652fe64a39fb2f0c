"""Likely duplicate persons and organisations: which pairs are found (and which not), merge
all-or-nothing with what moves, the number kept and redirected, undo from the audit entry,
"not the same" marks; organisation names normalised on import."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import (
    AuditEntry,
    Award,
    DistinctPersons,
    EntryMember,
    HealthRecord,
    InternshipOffer,
    Organisation,
    Person,
    PersonRedirect,
    organisation_key,
)
from registry.services import ServiceError, duplicates, organisation_merge, person_merge, person_numbers
from registry.services.organisations import get_or_create_organisation

from . import factories


def _person(last="Иванов", first="Пётр", middle="Сергеевич", born=date(2005, 3, 14), **kw):
    return factories.make_person(last_name=last, first_name=first, middle_name=middle,
                                 birth_date=born, **kw)


def _pairs():
    return {(p.first_id, p.second_id): p.reason for p in duplicates.person_pairs()}


def _key(a, b):
    return tuple(sorted((a.id, b.id)))


# --- finding ----------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b, expected", [
    (date(2005, 3, 14), date(2005, 3, 15), True),    # one digit
    (date(2005, 3, 14), date(2006, 3, 14), True),    # one digit of the year
    (date(2005, 3, 12), date(2005, 3, 21), True),    # adjacent digits swapped
    (date(2005, 3, 7), date(2005, 7, 3), True),      # day and month swapped
    (date(2005, 3, 14), date(2005, 3, 14), False),   # the same date is not a typo
    (date(2005, 3, 14), date(2007, 5, 14), False),   # two digits
    (date(2005, 3, 14), date(2005, 4, 15), False),
])
def test_birth_dates_one_typo_apart(a, b, expected):
    assert duplicates.birth_dates_one_typo_apart(a, b) is expected


def test_fold_ignores_case_yo_spaces_and_latin_lookalikes():
    assert duplicates.fold("Сeмёнов") == duplicates.fold("семенов")  # Latin «e»
    assert duplicates.fold("Ким - Ли") == duplicates.fold("КИМ-ЛИ")
    assert duplicates.fold("Орлов") == duplicates.fold("Oрлов")  # Latin «O»


def test_a_birth_date_typo_is_a_pair(app):
    a = _person()
    b = _person(born=date(2005, 3, 15))
    c = _person(middle=None, born=date(2005, 3, 14))  # no patronymic
    # b–c: a typo, and one has no patronymic; a–c: the same date, another patronymic
    assert _pairs() == {_key(a, b): duplicates.BIRTH_DATE_TYPO,
                        _key(b, c): duplicates.BIRTH_DATE_TYPO}


def test_another_patronymic_with_a_birth_date_typo_is_not_a_pair(app):
    _person()
    _person(middle="Иванович", born=date(2005, 3, 15))
    assert _pairs() == {}


def test_a_spelling_with_the_same_birth_date_and_organisation_is_a_pair(app):
    college = factories.make_organisation()
    a = _person(organisation=college)
    b = _person(last="Ивaнов", organisation=college)  # Latin «a»
    c = _person(last="ИвановX", organisation=college)  # a different surname
    pairs = _pairs()
    assert pairs == {_key(a, b): duplicates.SPELLING}
    assert _key(a, c) not in pairs


def test_namesakes_of_another_organisation_with_another_spelling_are_not_a_pair(app):
    _person(organisation=factories.make_organisation())
    _person(last="Ивaнов", organisation=factories.make_organisation())
    assert _pairs() == {}


def test_not_the_same_is_not_offered_again(app):
    a, b = _person(), _person(born=date(2005, 3, 15))
    person_merge.mark_distinct(a, b)
    db.session.commit()
    assert _pairs() == {}
    assert db.session.scalar(select(func.count()).select_from(DistinctPersons)) == 1


def test_the_search_compares_only_within_blocks(app, monkeypatch):
    """10 surnames × 30 persons: comparisons stay within a surname (30·29/2 each), never
    across the 300 persons."""
    region = factories.region()
    from registry.services.persons import PersonData, bulk_create_persons

    bulk_create_persons([
        PersonData(last_name=f"Фамилия{chr(0x430 + s)}", first_name="Имя", middle_name=None,
                   birth_date=date(1990 + n % 20, 1 + n % 12, 1 + n % 28), region=region)
        for s in range(10) for n in range(30)])
    calls = []
    real = duplicates.birth_dates_one_typo_apart
    monkeypatch.setattr(duplicates, "birth_dates_one_typo_apart",
                        lambda a, b: calls.append(1) or real(a, b))
    duplicates.person_pairs()
    assert len(calls) <= 10 * 30 * 29 // 2


# --- merging ---------------------------------------------------------------------------------

@pytest.fixture
def pair(app):
    survivor = _person(email=None, phone="+7 900 000-00-00", consent_date=None)
    merged = _person(born=date(2005, 3, 15), email="ivanov@example.ru", consent_date=date(2024, 2, 1))
    return survivor, merged


def test_merge_moves_everything_and_keeps_the_survivors_number(client, login, pair):
    survivor, merged = pair
    number, merged_number, merged_id = survivor.number, merged.number, merged.id
    regional = factories.make_offered(factories.make_competition(), "Сварочные технологии")
    final = factories.make_offered(factories.make_competition(stage="final"), "Сварочные технологии")
    factories.make_entry(regional, [survivor])
    moved_entry = factories.make_entry(final, [merged])
    factories.make_health_record(merged)
    award = factories.make_special_award(merged)
    offer = factories.make_offer(merged)
    entry = person_merge.merge(survivor, merged)
    db.session.commit()
    survivor = db.session.get(Person, survivor.id)
    assert db.session.get(Person, merged_id) is None
    assert survivor.number == number
    assert db.session.scalar(select(EntryMember.person_id).where(
        EntryMember.entry_id == moved_entry.id)) == survivor.id
    assert db.session.get(HealthRecord, survivor.id) is not None
    assert db.session.get(Award, award.id).person_id == survivor.id
    assert db.session.get(InternshipOffer, offer.id).person_id == survivor.id
    # contacts and consent the survivor lacked; its own phone kept
    assert survivor.email == "ivanov@example.ru" and survivor.consent_date == date(2024, 2, 1)
    assert survivor.phone == "+7 900 000-00-00"
    assert entry.action == "person.merge" and entry.details["merged_number"] == \
        person_numbers.format_number(merged_number)
    # the merged number and address lead to the survivor
    assert person_numbers.find_by_number(merged_number) == (survivor, True)
    login(client, "organiser")
    assert client.get(f"/persons/{merged_id}").location.endswith(f"/persons/{survivor.id}")
    assert client.get(f"/persons/by-number/{merged_number}").location.endswith(
        f"/persons/{survivor.id}")
    # a new person never gets the merged number
    assert _person(last="Новиков").number not in (number, merged_number)


def test_two_entries_in_one_competency_refuse_the_merge(app, pair):
    survivor, merged = pair
    competition = factories.make_competition()
    main = factories.make_offered(competition, "Сварочные технологии", "Основная")
    juniors = factories.make_offered(competition, "Сварочные технологии", "Юниоры")
    factories.make_entry(main, [survivor])
    factories.make_entry(juniors, [merged])
    plan = person_merge.merge_plan(survivor, merged)
    assert not plan.ok and "Сварочные технологии" in plan.problems[0]
    with pytest.raises(ServiceError):
        person_merge.merge(survivor, merged)
    db.session.rollback()
    assert db.session.get(Person, merged.id) is not None  # nothing happened
    assert db.session.scalar(select(func.count()).select_from(PersonRedirect)) == 0


def test_two_health_records_refuse_the_merge(app, pair):
    survivor, merged = pair
    factories.make_health_record(survivor)
    factories.make_health_record(merged)
    assert not person_merge.merge_plan(survivor, merged).ok


def test_undo_puts_everything_back(app, pair):
    survivor, merged = pair
    ids = {"survivor": survivor.id, "merged": merged.id}
    numbers = {"merged": merged.number}
    offered = factories.make_offered(factories.make_competition(stage="final"))
    moved_entry = factories.make_entry(offered, [merged])
    factories.make_health_record(merged)
    offer = factories.make_offer(merged)
    entry = person_merge.merge(survivor, merged)
    db.session.commit()
    restored = person_merge.undo_merge(db.session.get(AuditEntry, entry.id))
    db.session.commit()
    assert restored.id == ids["merged"] and restored.number == numbers["merged"]
    assert restored.email == "ivanov@example.ru" and restored.birth_date == date(2005, 3, 15)
    survivor = db.session.get(Person, ids["survivor"])
    assert survivor.email is None and survivor.consent_date is None  # the filled-in went back
    assert db.session.scalar(select(EntryMember.person_id).where(
        EntryMember.entry_id == moved_entry.id)) == restored.id
    assert db.session.get(HealthRecord, restored.id) is not None
    assert db.session.get(HealthRecord, survivor.id) is None
    assert db.session.get(InternshipOffer, offer.id).person_id == restored.id
    assert person_numbers.find_by_number(numbers["merged"]) == (restored, False)
    assert person_numbers.survivor_of(restored.id) is None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.unmerge"))
    with pytest.raises(ServiceError):  # once only
        person_merge.undo_merge(db.session.get(AuditEntry, entry.id))


def test_undo_is_refused_when_the_survivor_was_merged_again(app, pair):
    survivor, merged = pair
    third = _person(born=date(2005, 3, 16))
    first = person_merge.merge(survivor, merged)
    person_merge.merge(third, db.session.get(Person, survivor.id))
    db.session.commit()
    with pytest.raises(ServiceError, match="undo that merge first|сначала"):
        person_merge.undo_merge(db.session.get(AuditEntry, first.id))
    # the chain: both older numbers lead to the last survivor
    assert person_numbers.survivor_of(merged.id) == third.id


# --- organisations ----------------------------------------------------------------------------

@pytest.mark.parametrize("written", ['ГАПОУ "Казанский техникум"', "ГАПОУ „Казанский техникум“",
                                     "гапоу  «казанский   техникум»", "ГАПОУ Казанский техникум",
                                     "ГАПОУ «Казанский тёхникум»"])
def test_organisation_names_differing_in_quotes_spaces_case_yo_are_one(app, written):
    region = factories.region()
    college, _ = get_or_create_organisation("ГАПОУ «Казанский техникум»", region)
    again, created = get_or_create_organisation(written, region)
    assert again.id == college.id and not created
    assert organisation_key(written) == college.name_key


def test_participants_import_finds_the_organisation_whatever_its_quotes(app):
    from registry.importers.participants import apply, build_plan

    region = factories.region("Оренбургская область")
    college, _ = get_or_create_organisation("ГАПОУ «Орский техникум»", region)
    db.session.commit()
    competition = factories.make_competition()
    factories.make_offered(competition, "Сварочные технологии", "Основная")
    header = "Фамилия;Имя;Дата рождения;Регион;Организация;Компетенция;Категория"
    body = ('Петров;Пётр;14.03.2005;Оренбургская область;ГАПОУ "Орский техникум";'
            "Сварочные технологии;Основная")
    plan = build_plan(competition, f"{header}\n{body}\n".encode())
    assert plan.ok, [str(p) for p in plan.problems]
    assert plan.counts.organisations_created == 0
    apply(plan)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1
    assert db.session.scalar(select(Person.organisation_id)) == college.id


def test_near_duplicate_organisations_are_listed(app):
    region = factories.region()
    a = factories.make_organisation(name="ГБПОУ Колледж сервиса", region=region)
    b = factories.make_organisation(name="ГБПОУ Колледж сервиса.", region=region)
    c = factories.make_organisation(name="ГБПОУ Колледж сeрвиса и туризма", region=region)
    d = factories.make_organisation(name="ГБПОУ Колледж сервис", region=region)
    factories.make_organisation(name="Школа № 12", region=region)
    factories.make_organisation(name="Школа № 13", region=region)
    factories.make_organisation(name="ГБПОУ Колледж сервиса", region=factories.region("Москва"))
    pairs = {(p.first_id, p.second_id): p.reason for p in duplicates.organisation_pairs()}
    assert pairs[_key(a, b)] == duplicates.ORGANISATION_SPELLING
    assert pairs[_key(a, d)] == duplicates.ORGANISATION_NEAR
    assert _key(a, c) not in pairs
    assert len(pairs) == 3  # a–b, a–d, b–d; not the schools, not across regions


def test_organisation_merge_and_undo(app):
    region = factories.region()
    a = factories.make_organisation(name="ГБПОУ Колледж сервиса", region=region)
    b = factories.make_organisation(name="ГБПОУ Колледж сервиса.", region=region)
    person = _person(organisation=b)
    ids = (a.id, b.id, person.id)
    entry = organisation_merge.merge(a, b)
    db.session.commit()
    assert db.session.get(Organisation, ids[1]) is None
    assert db.session.get(Person, ids[2]).organisation_id == ids[0]
    organisation_merge.undo_merge(db.session.get(AuditEntry, entry.id))
    db.session.commit()
    assert db.session.get(Organisation, ids[1]).name == "ГБПОУ Колледж сервиса."
    assert db.session.get(Person, ids[2]).organisation_id == ids[1]


def test_organisations_of_two_regions_are_not_merged(app):
    a = factories.make_organisation(name="Колледж", region=factories.region())
    b = factories.make_organisation(name="Колледж", region=factories.region("Москва"))
    with pytest.raises(ServiceError):
        organisation_merge.merge(a, b)


# --- the pages --------------------------------------------------------------------------------

def test_the_page_shows_pairs_side_by_side_with_their_entries(client, login, pair):
    survivor, merged = pair
    factories.make_entry(factories.make_offered(factories.make_competition(title="Регион 2024")),
                         [merged])
    login(client, "organiser")
    page = client.get("/duplicates/persons").get_data(as_text=True)
    assert f'data-pair="{survivor.id}-{merged.id}"' in page
    assert person_numbers.format_number(merged.number) in page and "Регион 2024" in page


@pytest.mark.parametrize("role", ["coordinator", "expert"])
def test_only_organisers_and_admins_see_duplicates(client, login, pair, role):
    login(client, role)
    assert client.get("/duplicates/persons").status_code == 403
    survivor, merged = pair
    assert client.post("/duplicates/persons/merge",
                       data={"keep": survivor.id, "drop": merged.id}).status_code == 403
    assert db.session.get(Person, merged.id) is not None


def test_merge_through_the_preview_then_undo(client, login, pair):
    survivor, merged = pair
    ids = survivor.id, merged.id
    login(client, "organiser")
    preview = client.get("/duplicates/persons/merge", query_string={"keep": ids[0], "drop": ids[1]})
    assert preview.status_code == 200 and 'data-testid="moves"' in preview.get_data(as_text=True)
    assert db.session.get(Person, ids[1]) is not None  # the preview writes nothing
    response = client.post("/duplicates/persons/merge", data={"keep": ids[0], "drop": ids[1]})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, ids[1]) is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.merge"))
    assert entry.user_id is not None
    page = client.get("/duplicates/persons").get_data(as_text=True)
    assert f'data-merge="{entry.id}"' in page
    assert client.post("/duplicates/persons/undo", data={"audit_id": entry.id}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, ids[1]) is not None


def test_a_refused_merge_shows_why_and_changes_nothing(client, login, pair):
    survivor, merged = pair
    competition = factories.make_competition()
    factories.make_entry(factories.make_offered(competition, "Сварочные технологии", "Основная"),
                         [survivor])
    factories.make_entry(factories.make_offered(competition, "Сварочные технологии", "Юниоры"),
                         [merged])
    login(client, "organiser")
    preview = client.get("/duplicates/persons/merge",
                         query_string={"keep": survivor.id, "drop": merged.id})
    assert 'data-testid="problems"' in preview.get_data(as_text=True)
    response = client.post("/duplicates/persons/merge",
                           data={"keep": survivor.id, "drop": merged.id})
    assert response.status_code == 200 and "Сварочные технологии" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, merged.id) is not None


def test_hostile_input_is_a_message_never_a_500(client, login, pair):
    login(client, "organiser")
    for query in ({"keep": "x", "drop": "1"}, {"keep": "99999999999", "drop": "1"}, {}):
        assert client.get("/duplicates/persons/merge", query_string=query).status_code == 302
    assert client.post("/duplicates/persons/undo", data={"audit_id": "abc"}).status_code == 302
    assert client.post("/duplicates/persons/distinct", data={"keep": "1"}).status_code == 302
    assert client.get("/duplicates/persons", query_string={"page": "-3"}).status_code == 200


def test_not_the_same_button(client, login, pair):
    survivor, merged = pair
    login(client, "organiser")
    client.post("/duplicates/persons/distinct", data={"keep": survivor.id, "drop": merged.id})
    page = client.get("/duplicates/persons").get_data(as_text=True)
    assert f'data-pair="{survivor.id}-{merged.id}"' not in page


def test_organisation_pages_merge_and_undo(client, login):
    region = factories.region()
    a = factories.make_organisation(name="ГБПОУ Колледж сервиса", region=region)
    b = factories.make_organisation(name="ГБПОУ Колледж сервиса.", region=region)
    ids = a.id, b.id
    login(client, "organiser")
    page = client.get("/duplicates/organisations").get_data(as_text=True)
    assert f'data-pair="{ids[0]}-{ids[1]}"' in page
    assert client.get("/duplicates/organisations/merge",
                      query_string={"keep": ids[0], "drop": ids[1]}).status_code == 200
    assert client.post("/duplicates/organisations/merge",
                       data={"keep": ids[0], "drop": ids[1]}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, ids[1]) is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "organisation.merge"))
    client.post("/duplicates/organisations/undo", data={"audit_id": entry.id})
    db.session.expire_all()
    assert db.session.get(Organisation, ids[1]) is not None



def _flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.pop("_flashes", []))


def _pages_of(kind: str, first, second, *, merged: str, undone: str, distinct: str,
              gone: str, client) -> None:
    """The four pages of one kind of record, with the message and the page each leads to."""
    base = f"/duplicates/{kind}"
    ids = {"keep": first.id, "drop": second.id}
    assert f'data-pair="{first.id}-{second.id}"' in client.get(base).get_data(as_text=True)
    answer = client.get(f"{base}/merge", query_string={"keep": first.id, "drop": 99999999})
    assert answer.status_code == 302 and answer.location.endswith(base)
    assert _flashes(client) == [("warning", gone)]
    answer = client.post(f"{base}/distinct", data={"keep": first.id, "drop": 99999999})
    assert answer.location.endswith(base) and _flashes(client) == [("warning", gone)]
    answer = client.post(f"{base}/undo", data={"audit_id": 99999999})
    assert answer.location.endswith(base) and _flashes(client) == [("warning", "Такого объединения нет.")]
    answer = client.get(f"{base}/merge", query_string=ids)
    assert answer.status_code == 200 and not _flashes(client)
    answer = client.post(f"{base}/merge", data=ids)
    assert answer.location.endswith(base) and _flashes(client) == [("success", merged)]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action.endswith(".merge")))
    answer = client.post(f"{base}/undo", data={"audit_id": entry.id})
    assert answer.location.endswith(base) and _flashes(client) == [("success", undone)]
    answer = client.post(f"{base}/distinct", data=ids)
    assert answer.location.endswith(base) and _flashes(client) == [("success", distinct)]
    assert f'data-pair="{first.id}-{second.id}"' not in client.get(base).get_data(as_text=True)


def test_the_person_pages_lead_back_with_their_messages(client, login, pair):
    survivor, merged = pair
    login(client, "organiser")
    name, number = survivor.full_name, person_numbers.format_number(survivor.number)
    back = f"{merged.full_name} ({person_numbers.format_number(merged.number)})"
    _pages_of("persons", survivor, merged, client=client,
              merged=f"Объединено в запись {name} ({number}); объединение можно отменить ниже.",
              undone=f"Объединение отменено: запись {back} восстановлена.",
              distinct="Отмечено как два разных человека; эта пара больше не будет предлагаться.",
              gone="Одного из двух участников больше нет (уже объединён?).")


def test_the_organisation_pages_lead_back_with_their_messages(client, login):
    region = factories.region()
    a = factories.make_organisation(name="ГБПОУ Колледж сервиса", region=region)
    b = factories.make_organisation(name="ГБПОУ Колледж сервиса.", region=region)
    login(client, "organiser")
    _pages_of("organisations", a, b, client=client,
              merged="Объединено в «ГБПОУ Колледж сервиса»; объединение можно отменить ниже.",
              undone="Объединение отменено: «ГБПОУ Колледж сервиса.» восстановлена.",
              distinct="Отмечено как две разные организации; эта пара больше не будет "
                       "предлагаться.",
              gone="Одной из двух организаций больше нет (уже объединена?).")

def test_the_audit_log_shows_a_merge(client, login, pair):
    survivor, merged = pair
    person_merge.merge(survivor, merged)
    db.session.commit()
    login(client, "admin")
    response = client.get("/audit")
    assert response.status_code == 200 and "Участники объединены" in response.get_data(as_text=True)
