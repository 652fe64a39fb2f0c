"""Constraints that the database itself enforces, whatever the forms do."""
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from registry.extensions import db
from registry.models import (
    Competition,
    Entry,
    EntryMember,
    OfferedCategory,
    OfferedCompetency,
    Person,
    name_key,
    person_key,
)

from . import factories


def _offered(competition, competency="Сварочные технологии", category="Основная"):
    competency_row = factories.competency(competency)
    category_row = factories.category(competition.kind.slug, category)
    oc = OfferedCompetency(competition=competition, competency=competency_row)
    cat = OfferedCategory(offered_competency=oc, category=category_row)
    db.session.add_all([oc, cat])
    db.session.commit()
    return cat


def test_regional_stage_needs_a_host_region():
    with pytest.raises(IntegrityError):
        factories.make_competition(stage="regional", host_region=None)
    db.session.rollback()
    final = factories.make_competition(stage="final", host_region=None)
    assert final.id


def test_stage_and_status_are_checked():
    with pytest.raises(IntegrityError):
        factories.make_competition(stage="semi-final")
    db.session.rollback()
    with pytest.raises(IntegrityError):
        factories.make_competition(status="open")


def test_end_before_start_is_refused():
    with pytest.raises(IntegrityError):
        factories.make_competition(starts_on=date(2024, 3, 5), ends_on=date(2024, 3, 1))


def test_one_entry_per_person_per_competition_competency_category():
    cat = _offered(factories.make_competition())
    person = factories.make_person()
    first = Entry(offered_category=cat)
    first.members.append(EntryMember(person=person, offered_category_id=cat.id))
    db.session.add(first)
    db.session.commit()
    second = Entry(offered_category=cat, team_name="Команда")
    second.members.append(EntryMember(person=person, offered_category_id=cat.id))
    db.session.add(second)
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_member_category_must_equal_its_entry():
    cat = _offered(factories.make_competition())
    other = _offered(factories.make_competition(), competency="Поварское дело")
    entry = Entry(offered_category=cat)
    db.session.add(entry)
    db.session.commit()
    db.session.add(EntryMember(entry_id=entry.id, offered_category_id=other.id,
                               person=factories.make_person()))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_competency_offered_once_per_competition():
    competition = factories.make_competition()
    _offered(competition)
    db.session.add(OfferedCompetency(competition=competition,
                                     competency=factories.competency("Сварочные технологии")))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_person_identity_ignores_case_yo_and_spaces():
    a = person_key("Семёнов", "Пётр", "Ильич", date(2006, 1, 2))
    b = person_key("  СЕМЕНОВ ", "петр", "ильич", date(2006, 1, 2))
    assert a == b
    assert a != person_key("Семенов", "Петр", None, date(2006, 1, 2))
    factories.make_person(last_name="Семёнов", first_name="Пётр", middle_name="Ильич",
                          birth_date=date(2006, 1, 2))
    with pytest.raises(IntegrityError):
        factories.make_person(last_name="СЕМЕНОВ", first_name="петр", middle_name="ильич",
                              birth_date=date(2006, 1, 2))


def test_name_key_normalises_dashes():
    assert name_key("Кемеровская область – Кузбасс") == name_key("кемеровская область — кузбасс")
    assert name_key("Кемеровская область - Кузбасс") == name_key("Кемеровская область—Кузбасс")


def test_person_age_on_a_date():
    person = Person(birth_date=date(2010, 3, 2))
    assert person.age_on(date(2024, 3, 1)) == 13
    assert person.age_on(date(2024, 3, 2)) == 14


def test_organisation_unique_by_name_within_region():
    factories.make_organisation(name="ГАПОУ «Гуманитарно-технический техникум»")
    factories.make_organisation(name="ГАПОУ «Гуманитарно-технический техникум»",
                                region=factories.region("Республика Татарстан"))
    with pytest.raises(IntegrityError):
        factories.make_organisation(name="гапоу  «гуманитарно-технический техникум»")


def test_competition_kind_foreign_key_enforced():
    db.session.add(Competition(kind_id=9999, title="x", year=2024, stage="final"))
    with pytest.raises(IntegrityError):
        db.session.commit()
