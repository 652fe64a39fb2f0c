"""Words right (issue 12, point 6): Russian agreement, one pair of quotes, decimals and dates
as the UI language writes them, and a consent badge that says whose consent is missing."""
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from flask import get_flashed_messages
from flask_babel import force_locale, ngettext
from wtforms import Form

from registry.fields import DateField
from registry.formatting import decimal
from registry.registration.routes import ADDED, REGISTERED
from registry.services import persons as person_service
from registry.services import registration as reg
from registry.text import gender, quoted

from . import factories

# --- quotes --------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "shown"), [
    ("Оренбург-1", "«Оренбург-1»"),
    ("ГАПОУ «Орский нефтяной техникум»", "ГАПОУ «Орский нефтяной техникум»"),
    ('Колледж "Энергия"', 'Колледж "Энергия"'),
])
def test_a_name_gets_quotes_only_when_it_has_none(name, shown):
    assert quoted(name) == shown


def test_organisation_saved_message_has_one_pair_of_quotes(client, login):
    login(client, "organiser")
    region = factories.region("Оренбургская область")
    response = client.post("/organisations/new", data={
        "name": "ГАПОУ «Орский нефтяной техникум»", "kind": "educational",
        "region_id": region.id}, follow_redirects=True)
    text = unescape(response.text)
    assert "Организация ГАПОУ «Орский нефтяной техникум» сохранена." in text
    assert "««" not in text and "»»" not in text


def test_competition_title_with_quotes_is_not_quoted_again(app):
    competition = factories.make_competition(title="Чемпионат «Профессионалы» 2024",
                                             status="archived")
    offered = factories.make_offered(competition, "Сварочные технологии", "Основная")
    with app.test_request_context(), force_locale("ru"):
        problem = reg.closed_problem(competition)
        assert problem.startswith("Чемпионат «Профессионалы» 2024 не принимает")
        assert offered is not None


# --- agreement -----------------------------------------------------------------------------

@pytest.mark.parametrize(("last", "middle", "expected"), [
    ("Иванов", "Сергеевич", "male"), ("Петрова", "Игоревна", "female"),
    ("Ким", "Ильич", "male"), ("Шевченко", "Олеговна", "female"),
    ("Алиев", "Рашид оглы", "male"), ("Мамедова", None, "female"),
    ("Шевченко", None, None), ("Ли", None, None), ("Достоевский", None, "male"),
])
def test_gender_from_patronymic_else_surname(last, middle, expected):
    assert gender(last, middle) == expected


@pytest.mark.parametrize(("last", "middle", "said"), [
    ("Петрова", "Анна", "Петрова Мария Анна зарегистрирована."),
    ("Иванов", "Сергеевич", "Иванов Мария Сергеевич зарегистрирован."),
    ("Шевченко", None, "Участник Шевченко Мария зарегистрирован."),
])
def test_registered_agrees_with_the_person(app, last, middle, said):
    person = factories.make_person(last_name=last, first_name="Мария", middle_name=middle)
    with app.test_request_context(), force_locale("ru"):
        assert REGISTERED.of(person) == said
    with app.test_request_context(), force_locale("en"):
        assert REGISTERED.of(person) == f"{person.full_name} registered."


def test_person_added_flash_is_feminine_for_a_woman(client, login):
    login(client, "organiser")
    region = factories.region("Оренбургская область")
    with client:
        response = client.post("/persons/new", data={
            "last_name": "Петрова", "first_name": "Анна", "middle_name": "Игоревна",
            "birth_date": "2005-03-14", "region_id": region.id, "consent_date": "2024-01-10"})
        assert response.status_code == 302
        assert get_flashed_messages() == ["Петрова Анна Игоревна добавлена."]
    assert ADDED.female is not ADDED.male


@pytest.mark.parametrize(("n", "words"), [
    (1, "В команде не больше 1 участника."), (2, "В команде не больше 2 участников."),
    (5, "В команде не больше 5 участников."), (21, "В команде не больше 21 участника."),
])
def test_counted_nouns_take_the_russian_plural(app, n, words):
    with app.test_request_context(), force_locale("ru"):
        assert ngettext("A team has at most %(n)d member.", "A team has at most %(n)d members.",
                        n, n=n) == words


def test_russian_catalogue_has_three_plural_forms():
    text = open("registry/translations/ru/LC_MESSAGES/messages.po", encoding="utf-8").read()
    assert "nplurals=3" in text


# --- decimals ------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "ru", "en"), [
    (Decimal("9.5"), "9,5", "9.5"), (Decimal("9.50"), "9,50", "9.50"),
    (Decimal("95"), "95", "95"), (Decimal("1234.25"), "1\xa0234,25", "1,234.25"),
    ("40.00", "40,00", "40.00"), (None, "—", "—"),
])
def test_decimal_filter_writes_numbers_as_the_language_does(app, value, ru, en):
    with app.test_request_context():
        with force_locale("ru"):
            assert decimal(value) == ru
        with force_locale("en"):
            assert decimal(value) == en


def test_medallion_threshold_is_shown_with_a_comma_in_russian(client, login):
    login(client, "organiser")
    competition = factories.make_competition(medallion_threshold=Decimal("9.5"))
    page = client.get(f"/competitions/{competition.id}").text
    assert "9,50" in page and "9.50" not in page
    with client.session_transaction() as session:
        session["lang"] = "en"
    assert "9.50" in client.get(f"/competitions/{competition.id}").text


# --- dates ---------------------------------------------------------------------------------

class _DateForm(Form):
    day = DateField("day")


class _Data(dict):
    def getlist(self, key):
        return [self[key]] if key in self else []


@pytest.mark.parametrize(("typed", "message"), [
    ("2024-02-31", "Даты 31.02.2024 не существует: в этом месяце 29 дней."),
    ("29.02.2023", "Даты 29.02.2023 не существует: в этом месяце 28 дней."),
    ("31.04.2024", "Даты 31.04.2024 не существует: в этом месяце 30 дней."),
])
def test_an_impossible_date_in_a_form_says_it_does_not_exist(app, typed, message):
    with app.test_request_context(), force_locale("ru"):
        form = _DateForm(_Data(day=typed))
        assert not form.validate()
        assert form.day.errors == [message]


def test_a_form_date_is_read_as_iso_or_as_typed_in_russian(app):
    with app.test_request_context():
        assert _DateForm(_Data(day="2024-02-29")).day.data == date(2024, 2, 29)
        assert _DateForm(_Data(day="29.02.2024")).day.data == date(2024, 2, 29)
        form = _DateForm(_Data(day="вчера"))
        assert not form.validate() and "не существует" not in " ".join(form.day.errors)


def test_person_form_refuses_an_impossible_birth_date_with_that_message(client, login):
    login(client, "organiser")
    region = factories.region("Оренбургская область")
    response = client.post("/persons/new", data={
        "last_name": "Петрова", "first_name": "Анна", "birth_date": "2005-02-30",
        "region_id": region.id})
    assert response.status_code == 200
    assert "Даты 30.02.2005 не существует" in response.text


# --- the consent badge ---------------------------------------------------------------------

def test_missing_consents_names_whose(app):
    on = date(2024, 3, 1)
    adult = factories.make_person(consent_date=None)
    minor = factories.make_person(birth_date=date(2010, 1, 1))
    neither = factories.make_person(birth_date=date(2010, 1, 1), consent_date=None)
    fine = factories.make_person(birth_date=date(2010, 1, 1), guardian_name="Иванова М. П.",
                                 guardian_consent_date=date(2024, 1, 1))
    assert person_service.missing_consents(adult, on) == (person_service.PARTICIPANT,)
    assert person_service.missing_consents(minor, on) == (person_service.GUARDIAN,)
    assert person_service.missing_consents(neither, on) == (person_service.PARTICIPANT,
                                                            person_service.GUARDIAN)
    assert person_service.missing_consents(fine, on) == ()


def test_persons_list_badge_says_whose_consent_is_missing(client, login):
    login(client, "organiser")
    adult = factories.make_person(last_name="Взрослов", consent_date=None)
    minor = factories.make_person(last_name="Малышева", birth_date=date(2012, 1, 1))
    page = client.get("/persons").text
    assert page.count('data-testid="consent-missing"') == 2
    assert 'data-missing="participant"' in page and ">нет согласия участника<" in page
    assert 'data-missing="guardian"' in page
    assert ">нет согласия законного представителя<" in page
    detail = client.get(f"/persons/{minor.id}").text
    assert "нет согласия законного представителя" in detail
    assert "нет согласия участника<" in client.get(f"/persons/{adult.id}").text
