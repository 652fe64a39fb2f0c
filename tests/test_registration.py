"""Registration rules (services/registration.py): person reuse, eligibility, entries, teams,
status changes and the consent flag."""
from datetime import date

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import AuditEntry, Entry, Organisation, Person
from registry.services import ServiceError
from registry.services import persons as person_service
from registry.services import registration as reg

from . import factories


def _data(**overrides) -> person_service.PersonData:
    values = dict(last_name="Семёнов", first_name="Алексей", middle_name="Петрович",
                  birth_date=date(2004, 5, 20), region=factories.region(),
                  consent_date=date(2024, 1, 15))
    values.update(overrides)
    return person_service.PersonData(**values)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- persons and organisations -------------------------------------------------------------

def test_person_is_reused_despite_case_and_yo():
    first, created = person_service.get_or_create_person(_data())
    assert created
    again, created = person_service.get_or_create_person(
        _data(last_name="СЕМЕНОВ", first_name=" алексей ", middle_name="петрович")
    )
    assert not created and again.id == first.id
    assert _count(Person) == 1


def test_different_birth_date_is_another_person():
    first, _ = person_service.get_or_create_person(_data())
    other, created = person_service.get_or_create_person(_data(birth_date=date(2004, 5, 21)))
    assert created and other.id != first.id


def test_reuse_fills_missing_details_but_keeps_existing():
    person, _ = person_service.get_or_create_person(_data(email=None, phone="+7 900 000-00-00"))
    person_service.get_or_create_person(_data(email="a@example.ru", phone="+7 999 999-99-99"))
    db.session.commit()
    db.session.refresh(person)
    assert person.email == "a@example.ru"
    assert person.phone == "+7 900 000-00-00"


def test_create_person_refuses_a_duplicate():
    person_service.create_person(_data())
    db.session.commit()  # one request registered the person
    with pytest.raises(ServiceError) as error:
        person_service.create_person(_data(last_name="семенов"))
    assert error.value.field == "last_name"
    db.session.rollback()
    assert _count(Person) == 1


def test_update_person_refuses_to_become_another():
    a = person_service.create_person(_data())
    b = person_service.create_person(_data(first_name="Борис"))
    db.session.commit()
    with pytest.raises(ServiceError):
        person_service.update_person(b, _data())
    db.session.rollback()
    assert db.session.get(Person, a.id).first_name == "Алексей"


@pytest.mark.parametrize("field,value", [
    ("last_name", " "), ("first_name", ""), ("birth_date", date(2100, 1, 1)),
    ("consent_date", date(2100, 1, 1)), ("guardian_consent_date", date(2100, 1, 1)),
])
def test_person_validation(field, value):
    with pytest.raises(ServiceError) as error:
        person_service.create_person(_data(**{field: value}))
    assert error.value.field == field


def test_organisation_matched_case_and_yo_insensitively():
    region = factories.region()
    org, created = reg.get_or_create_organisation("ГАПОУ «Орский нефтяной техникум»", region)
    assert created
    again, created = reg.get_or_create_organisation("гапоу  «орский нефтяной техникум»", region)
    assert not created and again.id == org.id
    other_region = factories.region("Республика Татарстан")
    _, created = reg.get_or_create_organisation("ГАПОУ «Орский нефтяной техникум»", other_region)
    assert created
    assert _count(Organisation) == 2


def test_update_organisation_refuses_a_name_taken_in_the_region():
    region = factories.region()
    reg.get_or_create_organisation("Колледж А", region)
    b, _ = reg.get_or_create_organisation("Колледж Б", region)
    with pytest.raises(ServiceError):
        reg.update_organisation(b, name="колледж а", region=region, kind="educational")


# --- eligibility ---------------------------------------------------------------------------

def test_juniors_must_be_14_on_the_start_date():
    competition = factories.make_competition(starts_on=date(2024, 3, 1))
    juniors = factories.make_offered(competition, category_="Юниоры")
    turns_14_on_start = factories.make_person(birth_date=date(2010, 3, 1))
    turns_14_day_after = factories.make_person(birth_date=date(2010, 3, 2))
    assert reg.eligibility_problems(turns_14_on_start, juniors) == []
    with pytest.raises(ServiceError) as error:
        reg.register(juniors, [turns_14_day_after])
    assert "14" in error.value.message
    assert reg.register(juniors, [turns_14_on_start]).id


def test_abilympics_schoolchildren_must_be_14():
    competition = factories.make_competition(kind_slug="abilympics", starts_on=date(2024, 4, 10),
                                             ends_on=None)
    school = factories.make_offered(competition, category_="Школьники")
    young = factories.make_person(birth_date=date(2010, 4, 11))
    old_enough = factories.make_person(birth_date=date(2010, 4, 10))
    assert reg.eligibility_problems(young, school)
    assert reg.eligibility_problems(old_enough, school) == []


def test_without_start_date_ages_count_on_1_january():
    competition = factories.make_competition(starts_on=None, ends_on=None, year=2024)
    juniors = factories.make_offered(competition, category_="Юниоры")
    assert reg.eligibility_problems(factories.make_person(birth_date=date(2010, 1, 1)), juniors) == []
    assert reg.eligibility_problems(factories.make_person(birth_date=date(2010, 1, 2)), juniors)


def test_master_of_the_year_is_for_adults():
    competition = factories.make_competition(kind_slug="master_of_the_year", stage="final",
                                             host_region=None, starts_on=date(2024, 9, 1), ends_on=None)
    offered = factories.make_offered(competition, category_="Педагогические работники")
    minor = factories.make_person(birth_date=date(2006, 9, 2))
    adult = factories.make_person(birth_date=date(2006, 9, 1))
    problems = reg.eligibility_problems(minor, offered)
    assert problems and "18" in problems[0]
    assert reg.eligibility_problems(adult, offered) == []


def test_master_of_the_year_stays_adult_even_if_the_category_says_nothing():
    competition = factories.make_competition(kind_slug="master_of_the_year", stage="final",
                                             host_region=None, starts_on=date(2024, 9, 1), ends_on=None)
    offered = factories.make_offered(competition, category_="Педагогические работники")
    minor = factories.make_person(birth_date=date(2010, 1, 1))  # commits: before the change
    offered.category.min_age = None  # reference data changed; the rule must hold anyway
    db.session.flush()
    assert reg.eligibility_problems(minor, offered)
    db.session.rollback()  # never committed: the shipped reference data stays as it is


def test_main_category_has_no_minimum_age():
    offered = factories.make_offered(category_="Основная")
    assert reg.eligibility_problems(factories.make_person(birth_date=date(2012, 1, 1)), offered) == []


def test_one_entry_per_person_per_competency_and_category():
    competition = factories.make_competition()
    welding = factories.make_offered(competition, "Сварочные технологии", "Основная")
    cooking = factories.make_offered(competition, "Поварское дело", "Основная")
    person = factories.make_person()
    reg.register(welding, [person])
    with pytest.raises(ServiceError) as error:
        reg.register(welding, [person])
    assert "заявка в этой компетенции и категории уже есть" in error.value.message
    db.session.rollback()
    assert reg.register(cooking, [person]).id  # another competency is fine
    # … and so is the same competency at another competition
    assert reg.register(factories.make_offered(None, "Сварочные технологии"), [person]).id


def test_a_withdrawn_entry_still_blocks_a_second_entry():
    offered = factories.make_offered()
    person = factories.make_person()
    entry = reg.register(offered, [person])
    reg.set_status(entry, "withdrawn", None, actor=None)
    with pytest.raises(ServiceError):
        reg.register(offered, [person])


def test_unoffered_category_is_refused():
    competition = factories.make_competition()
    factories.make_offered(competition, category_="Основная")
    with pytest.raises(ServiceError) as error:
        reg.register(None, [factories.make_person()])
    assert error.value.field == "category"
    from registry.services.offerings import offered_category
    competency = factories.competency()
    juniors = factories.category("professionaly", "Юниоры")
    assert offered_category(competition, competency, juniors) is None


# --- teams ---------------------------------------------------------------------------------

def test_team_needs_at_least_two_members():
    offered = factories.make_offered(team=True)
    with pytest.raises(ServiceError) as error:
        reg.register(offered, [factories.make_person()], team_name="Команда 1")
    assert error.value.field == "members"
    entry = reg.register(offered, [factories.make_person(), factories.make_person()],
                         team_name="Команда 1")
    assert entry.is_team and len(entry.members) == 2


def test_team_has_at_most_four_members():
    offered = factories.make_offered(team=True)
    five = [factories.make_person() for _ in range(5)]
    with pytest.raises(ServiceError):
        reg.register(offered, five, team_name="Большая")
    entry = reg.register(offered, five[:4], team_name="Четвёрка")
    with pytest.raises(ServiceError):
        reg.add_team_member(entry, five[4])


def test_team_without_name_and_duplicate_names_are_refused():
    offered = factories.make_offered(team=True)
    with pytest.raises(ServiceError) as error:
        reg.register(offered, [factories.make_person(), factories.make_person()])
    assert error.value.field == "team_name"
    reg.register(offered, [factories.make_person(), factories.make_person()], team_name="Альфа")
    with pytest.raises(ServiceError) as error:
        reg.register(offered, [factories.make_person(), factories.make_person()], team_name="Альфа")
    assert error.value.field == "team_name"


def test_team_member_cannot_be_in_two_teams_of_one_category():
    offered = factories.make_offered(team=True)
    shared = factories.make_person()
    reg.register(offered, [shared, factories.make_person()], team_name="А")
    with pytest.raises(ServiceError):
        reg.register(offered, [shared, factories.make_person()], team_name="Б")


def test_person_twice_in_a_team_is_refused():
    offered = factories.make_offered(team=True)
    person = factories.make_person()
    with pytest.raises(ServiceError):
        reg.register(offered, [person, person], team_name="Дубль")


def test_add_team_member_checks_eligibility():
    competition = factories.make_competition(starts_on=date(2024, 3, 1))
    juniors = factories.make_offered(competition, category_="Юниоры", team=True)
    entry = reg.register(juniors, [factories.make_person(birth_date=date(2009, 1, 1)),
                                   factories.make_person(birth_date=date(2009, 1, 1))],
                         team_name="Юниоры-1")
    with pytest.raises(ServiceError):
        reg.add_team_member(entry, factories.make_person(birth_date=date(2012, 1, 1)))
    db.session.rollback()
    reg.add_team_member(entry, factories.make_person(birth_date=date(2009, 1, 1)))
    assert len(db.session.get(Entry, entry.id).members) == 3


# --- status --------------------------------------------------------------------------------

def test_withdraw_keeps_the_entry_and_records_who_and_when():
    user = factories.make_user()
    entry = reg.register(factories.make_offered(), [factories.make_person()], actor=user)
    reg.set_status(entry, "withdrawn", "болезнь", actor=user)
    entry = db.session.get(Entry, entry.id)
    assert entry.status == "withdrawn" and entry.status_reason == "болезнь"
    assert entry.status_changed_by_id == user.id and entry.status_changed_at is not None
    assert _count(Entry) == 1
    log = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "entry.status")).all()
    assert len(log) == 1 and log[0].user_id == user.id
    assert log[0].details["old"] == "registered" and log[0].details["new"] == "withdrawn"


def test_disqualify_needs_a_reason_and_reinstate_works():
    user = factories.make_user()
    entry = reg.register(factories.make_offered(), [factories.make_person()])
    with pytest.raises(ServiceError) as error:
        reg.set_status(entry, "disqualified", "  ", actor=user)
    assert error.value.field == "reason"
    reg.set_status(entry, "disqualified", "нарушение ТБ", actor=user)
    assert entry.status == "disqualified" and entry.status_changed_by_id == user.id
    reg.set_status(entry, "registered", None, actor=user)
    assert entry.status == "registered"
    assert _count(Entry) == 1


def test_unknown_status_is_refused():
    entry = reg.register(factories.make_offered(), [factories.make_person()])
    with pytest.raises(ServiceError):
        reg.set_status(entry, "deleted", None, actor=None)


# --- consent -------------------------------------------------------------------------------

def test_consent_flag():
    on = date(2024, 3, 1)
    adult = factories.make_person(birth_date=date(2000, 1, 1), consent_date=date(2024, 1, 1))
    assert not person_service.consent_missing(adult, on)
    no_consent = factories.make_person(birth_date=date(2000, 1, 1), consent_date=None)
    assert person_service.consent_missing(no_consent, on)
    minor = factories.make_person(birth_date=date(2009, 1, 1), consent_date=date(2024, 1, 1))
    assert person_service.consent_missing(minor, on)
    minor.guardian_name, minor.guardian_consent_date = "Иванова Мария", date(2024, 1, 1)
    assert not person_service.consent_missing(minor, on)


def test_person_without_consent_is_registered_but_flagged():
    person = factories.make_person(consent_date=None)
    entry = reg.register(factories.make_offered(), [person])
    assert entry.id and person_service.consent_missing(person)


# --- individual or team, closed competitions ----------------------------------------------

def test_no_team_in_an_individual_competency_and_nobody_alone_in_a_team_one():
    competition = factories.make_competition()
    individual = factories.make_offered(competition, "Сварочные технологии", team=False)
    team = factories.make_offered(competition, "Командная работа на производстве")
    assert team.offered_competency.is_team  # the reference data's default
    with pytest.raises(ServiceError) as error:
        reg.register(individual, [factories.make_person(), factories.make_person()],
                     team_name="Сварщики")
    assert error.value.field == "category"
    with pytest.raises(ServiceError) as error:
        reg.register(team, [factories.make_person()])
    assert "2–4" in error.value.message


def test_team_bounds_of_the_offered_competency():
    offered = factories.make_offered(team=True)
    offered.offered_competency.team_min, offered.offered_competency.team_max = 3, 3
    with pytest.raises(ServiceError):
        reg.register(offered, [factories.make_person(), factories.make_person()], team_name="Два")
    entry = reg.register(offered, [factories.make_person() for _ in range(3)], team_name="Три")
    with pytest.raises(ServiceError):
        reg.add_team_member(entry, factories.make_person())
    with pytest.raises(ServiceError):  # would fall below 3
        reg.remove_team_member(entry, entry.members[0].person)


def test_remove_team_member_is_audited():
    offered = factories.make_offered(team=True)
    people = [factories.make_person() for _ in range(3)]
    entry = reg.register(offered, people, team_name="Тройка")
    reg.remove_team_member(entry, people[1])
    assert {m.person_id for m in entry.members} == {people[0].id, people[2].id}
    log = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "entry.member_remove")).all()
    assert len(log) == 1 and log[0].details["person"] == people[1].id
    with pytest.raises(ServiceError):
        reg.remove_team_member(entry, people[1])  # not a member any more


@pytest.mark.parametrize("status", ["results_published", "archived"])
def test_a_closed_competition_takes_no_new_entries(status):
    competition = factories.make_competition()
    offered = factories.make_offered(competition, team=True)
    entry = reg.register(offered, [factories.make_person(), factories.make_person()],
                         team_name="Ранние")
    competition.status = status
    with pytest.raises(ServiceError, match="reopen|снова"):
        reg.register(offered, [factories.make_person(), factories.make_person()],
                     team_name="Поздние")
    with pytest.raises(ServiceError):
        reg.add_team_member(entry, factories.make_person())
    from registry.services import competitions as competition_service
    competition_service.set_status(competition, "registration")
    reg.register(offered, [factories.make_person(), factories.make_person()],
                 team_name="Поздние")
