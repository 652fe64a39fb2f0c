"""Historic names and codes of competencies (issue 13, point 9): found by code and alias in
every import, added by an administrator on the page and with ``flask refdata add-competency``."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.importers import participants as participants_import
from registry.importers import results as protocol
from registry.models import AuditEntry, Competency, CompetencyAlias
from registry.services import ServiceError, reference

from . import factories
from .test_import_participants import HEADER, csv_bytes, person_row

WEB, WELDING = "Веб-технологии", "Сварочные технологии"


def _alias(name, text):
    alias = reference.add_alias(factories.competency(name), text)
    db.session.commit()
    return alias


def _code(name, code):
    competency = factories.competency(name)
    competency.code = code
    db.session.commit()
    return competency


# --- the lookup -------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", [
    "ИТ-решения для бизнеса на платформе «1С: Предприятие 8»",
    'ит-решения для бизнеса на платформе "1С: Предприятие 8"',
    "ИТ-решения  для бизнеса на платформе „1С: Предприятие 8“",
    "ИТ–решения для бизнеса на платформе 1С: Предприятие 8",
])
def test_names_are_found_whatever_the_quotes_case_dashes_and_spaces(app, typed):
    found = reference.find_competency(typed)
    assert found is not None and found.name.startswith("ИТ-решения для бизнеса")


def test_found_by_code_and_by_alias_and_a_name_wins(app):
    welding = _code(WELDING, "R10")
    web = factories.competency(WEB)
    _alias(WEB, "Веб-дизайн (2019)")
    _alias(WEB, "R17")
    assert reference.find_competency("r10") == welding
    assert reference.find_competency("R10 Сварочные технологии") == welding
    assert reference.find_competency("веб-дизайн (2019)") == web
    assert reference.find_competency(" R17 ") == web
    assert reference.find_competency("Нет такой") is None
    index = reference.competency_index()
    assert "Сварочные технологии" in index and index.get("") is None


def test_an_alias_is_refused_when_it_names_something_already(app):
    _code(WELDING, "R10")
    _alias(WEB, "Веб-мастер")
    web = factories.competency(WEB)
    for text in ("Сварочные технологии", "r10", "ВЕБ-МАСТЕР", "Веб-технологии"):
        with pytest.raises(ServiceError) as refused:
            reference.add_alias(web, text)
        assert refused.value.field == "alias"
    assert db.session.scalar(select(func.count(CompetencyAlias.id))) == 1


@pytest.mark.parametrize("hostile", ["", "   ", "«»", "x" * 301, "Веб\u202eтехнологии",
                                     "Веб\x00технологии"])
def test_hostile_aliases_are_refused_with_a_message(app, hostile):
    with pytest.raises(ServiceError) as refused:
        reference.add_alias(factories.competency(WEB), hostile)
    assert refused.value.message and refused.value.field == "alias"


def test_an_alias_is_audited(app):
    organiser = factories.make_user("admin")
    reference.add_alias(factories.competency(WEB), "Веб-дизайн 2018", actor=organiser)
    db.session.commit()
    audit = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "competency.alias_add"))
    assert audit.user_id == organiser.id and audit.details == {"alias": "Веб-дизайн 2018"}


def test_a_new_competency_may_not_take_a_code_or_name_in_use(app):
    _code(WELDING, "R10")
    _alias(WEB, "Веб-мастер")
    kind = factories.kind()
    with pytest.raises(ServiceError) as refused:
        reference.create_competency("Новая компетенция", kinds=[kind], code="r10")
    assert refused.value.field == "code"
    with pytest.raises(ServiceError) as refused:
        reference.create_competency("веб-мастер", kinds=[kind])
    assert refused.value.field == "name"


# --- every import ----------------------------------------------------------------------------

def test_participants_import_finds_a_competency_by_code_and_by_alias(app):
    competition = factories.make_competition()
    _code(WELDING, "R10")
    _alias(WEB, "Веб-дизайн (2019)")
    data = csv_bytes([person_row(last="Кодов", competency="R10"),
                      person_row(last="Старых", competency="«Веб-дизайн (2019)»")],
                     header=HEADER)
    plan = participants_import.build_plan(competition, data)
    assert plan.ok, [str(p) for p in plan.problems]
    participants_import.apply(plan)
    db.session.commit()
    offered = {oc.competency.name for oc in competition.competencies}
    assert offered == {WELDING, WEB}


def test_participants_import_still_names_an_unknown_competency(app):
    competition = factories.make_competition()
    plan = participants_import.build_plan(competition, csv_bytes(
        [person_row(competency="Z99")], header=HEADER))
    assert not plan.ok and any("Z99" in str(p) for p in plan.problems)


RESULTS_HEADER = ("Компетенция;Категория;Фамилия;Имя;Отчество;Дата рождения;Команда;Баллы;"
                  "Место;Награда\n")


def test_a_protocol_of_a_past_season_imports_under_the_old_name_and_code(app):
    competition = factories.make_competition()
    offered = factories.make_offered(competition, WEB)
    welding = factories.make_offered(competition, WELDING)
    person = factories.make_person(last_name="Орлов", first_name="Иван", middle_name=None,
                                   birth_date=date(2005, 1, 2))
    factories.register_entry(offered, [person])
    welder = factories.make_person(last_name="Соколов", first_name="Иван", middle_name=None,
                                   birth_date=date(2005, 1, 2))
    factories.register_entry(welding, [welder])
    _alias(WEB, "Веб-дизайн и разработка (2018)")
    _code(WELDING, "10")
    data = (RESULTS_HEADER
            + "Веб-дизайн и разработка (2018);Основная;Орлов;Иван;;02.01.2005;;80;;\n"
            + "10;Основная;Соколов;Иван;;02.01.2005;;75;;\n").encode("cp1251")
    plan = protocol.build_plan(competition, data)
    assert plan.ok, [str(p) for p in plan.problems]
    assert {r.entry.offered_category_id for r in plan.results} == {offered.id, welding.id}


def test_a_protocol_with_an_unknown_name_says_so(app):
    competition = factories.make_competition()
    factories.make_offered(competition, WEB)
    data = (RESULTS_HEADER + "Z99;Основная;Орлов;Иван;;02.01.2005;;80;;\n").encode("cp1251")
    plan = protocol.build_plan(competition, data)
    assert not plan.ok and any("Z99" in str(p) for p in plan.problems)


# --- the administrator's page ----------------------------------------------------------------

def test_admin_adds_an_alias_on_the_page(client, login):
    login(client, "admin")
    web = factories.competency(WEB)
    page = client.get(f"/admin/competencies/aliases/new?competency={web.id}")
    assert page.status_code == 200 and f'selected value="{web.id}"' in page.text
    done = client.post("/admin/competencies/aliases/new",
                       data={"competency": str(web.id), "alias": "Веб-дизайн и разработка 2018"})
    assert done.status_code == 302
    listing = client.get("/admin/competencies").text
    assert "Веб-дизайн и разработка 2018" in listing
    assert reference.find_competency("веб-дизайн и разработка 2018") == web


@pytest.mark.parametrize("data", [
    {"competency": "", "alias": "Что-то"},
    {"competency": "abc", "alias": "Что-то"},
    {"competency": "999999", "alias": "Что-то"},
    {"competency": "ID", "alias": ""},
    {"competency": "ID", "alias": "Веб\u202eтехнологии"},
    {"competency": "ID", "alias": "Сварочные технологии"},
    {"competency": "ID", "alias": "x" * 5000},
])
def test_hostile_alias_forms_get_a_message_never_a_500(client, login, data):
    login(client, "admin")
    web = factories.competency(WEB)
    data = {k: (str(web.id) if v == "ID" else v) for k, v in data.items()}
    response = client.post("/admin/competencies/aliases/new", data=data)
    assert response.status_code == 200
    assert "invalid-feedback" in response.text or "alert" in response.text
    assert db.session.scalar(select(func.count(CompetencyAlias.id))) == 0


@pytest.mark.parametrize("role", ["organiser", "coordinator", "expert"])
def test_only_administrators_add_aliases(client, login, role):
    login(client, role)
    web = factories.competency(WEB)
    assert client.get("/admin/competencies/aliases/new").status_code == 403
    response = client.post("/admin/competencies/aliases/new",
                           data={"competency": str(web.id), "alias": "Старое название"})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(CompetencyAlias.id))) == 0


def test_the_alias_form_needs_the_csrf_token(app, client, login):
    login(client, "admin")
    app.config["WTF_CSRF_ENABLED"] = True  # reset after the test by conftest
    web = factories.competency(WEB)
    response = client.post("/admin/competencies/aliases/new",
                           data={"competency": str(web.id), "alias": "Старое название"})
    assert response.status_code in (200, 400)
    assert db.session.scalar(select(func.count(CompetencyAlias.id))) == 0


def test_admin_adds_a_competency_with_a_code_and_a_hostile_one_is_refused(client, login):
    login(client, "admin")
    kind = factories.kind()
    done = client.post("/admin/competencies/new", data={
        "name": "Цифровой двойник", "code": "r99j", "kinds": [str(kind.id)]})
    assert done.status_code == 302
    assert reference.find_competency("R99J").name == "Цифровой двойник"
    hostile = client.post("/admin/competencies/new", data={
        "name": "Цифровой\u202eдвойник 2", "code": "", "kinds": [str(kind.id)]})
    assert hostile.status_code == 200 and "invalid-feedback" in hostile.text
    taken = client.post("/admin/competencies/new", data={
        "name": "Ещё одна", "code": "R99J", "kinds": [str(kind.id)]})
    assert taken.status_code == 200 and "R99J" in taken.text


# --- the command ------------------------------------------------------------------------------

def _refdata(app, *args):
    return app.test_cli_runner().invoke(args=["refdata", "add-competency", *args])


def test_cli_adds_a_competency_and_an_alias(app):
    result = _refdata(app, "Цифровой двойник производства", "--code", "F6J",
                      "--kind", "professionaly", "--kind", "Абилимпикс", "--team")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    competency = db.session.scalar(select(Competency).where(
        Competency.name == "Цифровой двойник производства"))
    assert competency.code == "F6J" and competency.is_team
    assert {k.slug for k in competency.kinds} == {"professionaly", "abilympics"}

    result = _refdata(app, "Цифровой двойник (2020)", "--code", "R60",
                      "--alias-of", "f6j")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert reference.find_competency("Цифровой двойник (2020)") == competency
    assert reference.find_competency("R60") == competency


@pytest.mark.parametrize("args", [
    ("Новая",),                                            # no kind
    ("Новая", "--kind", "chess"),                          # unknown kind
    ("Старое", "--alias-of", "Нет такой компетенции"),     # unknown competency
    ("Старое", "--alias-of", WEB, "--kind", "professionaly"),
    ("Сварочные технологии", "--alias-of", WEB),           # names another competency
    ("Веб\u202eдизайн", "--kind", "professionaly"),       # hostile
    ("Новая", "--kind", "professionaly", "--code", "R 1"),
])
def test_cli_refusals_are_clear_and_write_nothing(app, args):
    competencies = db.session.scalar(select(func.count(Competency.id)))
    result = _refdata(app, *args)
    assert result.exit_code != 0 and result.output.strip()
    assert "Traceback" not in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Competency.id))) == competencies
    assert db.session.scalar(select(func.count(CompetencyAlias.id))) == 0
