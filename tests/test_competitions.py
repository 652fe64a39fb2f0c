"""Competitions: creating and editing, the list, offering competencies and categories, and the
reference data an administrator adds (competencies, categories)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from registry.extensions import db
from registry.models import (
    AuditEntry,
    Category,
    Competency,
    Competition,
    OfferedCategory,
    OfferedCompetency,
)
from registry.services import ServiceError, registration
from registry.services import competitions as competition_service
from registry.services import offerings as offering_service
from registry.services import reference as reference_service

from . import factories


def _form(**overrides) -> dict:
    data = {
        "kind": factories.kind("professionaly").id,
        "year": "2024",
        "stage": "regional",
        "host_region": factories.region().id,
        "title": "",
        "starts_on": "2024-03-01",
        "ends_on": "2024-03-05",
        "status": "registration",
        "medallion_threshold": "",
    }
    data.update(overrides)
    return data


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _invalid(page: str, field_id: str) -> bool:
    """The form marked ``field_id`` as invalid."""
    return any(f'id="{field_id}"' in tag and "is-invalid" in tag
               for tag in page.split("<") if tag.startswith(("input", "select")))


# --- create and edit -----------------------------------------------------------------------

def test_organiser_creates_a_competition_with_the_standard_title(client, login):
    user = login(client, "organiser")
    response = client.post("/competitions/new", data=_form(medallion_threshold="70,5"))
    assert response.status_code == 302
    competition = db.session.scalar(select(Competition))
    assert response.location.endswith(f"/competitions/{competition.id}")
    assert competition.title == "Профессионалы 2024, региональный этап, Оренбургская область"
    assert (competition.kind.slug, competition.year, competition.stage) == (
        "professionaly", 2024, "regional")
    assert competition.host_region.name == "Оренбургская область"
    assert (competition.starts_on, competition.ends_on) == (date(2024, 3, 1), date(2024, 3, 5))
    assert competition.status == "registration"
    assert competition.medallion_threshold == Decimal("70.50")
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "competition.create"))
    assert audit.user_id == user.id and audit.competition_id == competition.id
    page = client.get(response.location).text
    assert competition.title in page


def test_a_final_needs_no_region_and_keeps_a_given_title(client, login):
    login(client, "admin")
    response = client.post("/competitions/new", data=_form(
        kind=factories.kind("abilympics").id, stage="final", host_region="",
        title="  Национальный   финал Абилимпикс 2024 "))
    assert response.status_code == 302
    competition = db.session.scalar(select(Competition))
    assert competition.title == "Национальный финал Абилимпикс 2024"
    assert competition.host_region is None and competition.stage == "final"


@pytest.mark.parametrize("overrides, field", [
    ({"host_region": ""}, "host_region"),                                 # regional, no region
    ({"starts_on": "2024-03-05", "ends_on": "2024-03-01"}, "ends_on"),    # ends before it starts
    ({"year": "1999"}, "year"),                                           # out of range
    ({"year": "двадцать"}, "year"),                                       # not a number
    ({"kind": ""}, "kind"),
    ({"medallion_threshold": "120"}, "medallion_threshold"),
])
def test_invalid_competition_is_shown_on_the_form(client, login, overrides, field):
    login(client, "organiser")
    response = client.post("/competitions/new", data=_form(**overrides))
    assert response.status_code == 200
    assert _invalid(response.text, field), f"{field} not marked invalid"
    assert _count(Competition) == 0


def test_medallion_threshold_only_for_professionaly(client, login):
    login(client, "organiser")
    response = client.post("/competitions/new", data=_form(
        kind=factories.kind("abilympics").id, medallion_threshold="60"))
    assert response.status_code == 200 and _invalid(response.text, "medallion_threshold")
    assert _count(Competition) == 0


def test_duplicate_title_is_refused(client, login):
    login(client, "organiser")
    assert client.post("/competitions/new", data=_form()).status_code == 302
    response = client.post("/competitions/new", data=_form())
    assert response.status_code == 200 and _invalid(response.text, "title")
    assert _count(Competition) == 1


def test_edit_changes_fields_and_records_what_changed(client, login):
    competition = factories.make_competition(title="Старое название")
    login(client, "organiser")
    page = client.get(f"/competitions/{competition.id}/edit").text
    assert "Старое название" in page
    response = client.post(f"/competitions/{competition.id}/edit", data=_form(
        title="Новое название", status="marking", ends_on="2024-03-07"))
    assert response.status_code == 302
    db.session.expire_all()
    competition = db.session.get(Competition, competition.id)
    assert (competition.title, competition.status) == ("Новое название", "marking")
    assert competition.ends_on == date(2024, 3, 7)
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "competition.update"))
    assert audit.details["changes"]["status"] == ["registration", "marking"]
    assert audit.details["changes"]["title"] == ["Старое название", "Новое название"]


def test_edit_with_invalid_dates_changes_nothing(client, login):
    competition = factories.make_competition()
    login(client, "organiser")
    response = client.post(f"/competitions/{competition.id}/edit", data=_form(
        starts_on="2024-04-10", ends_on="2024-04-01"))
    assert response.status_code == 200 and _invalid(response.text, "ends_on")
    db.session.expire_all()
    assert db.session.get(Competition, competition.id).starts_on == date(2024, 3, 1)


def test_kind_cannot_change_while_competencies_are_offered(client, login):
    competition = factories.make_competition()
    factories.make_offered(competition)
    login(client, "admin")
    response = client.post(f"/competitions/{competition.id}/edit",
                           data=_form(kind=factories.kind("abilympics").id))
    assert response.status_code == 200 and _invalid(response.text, "kind")
    db.session.expire_all()
    assert db.session.get(Competition, competition.id).kind.slug == "professionaly"


def test_unknown_competition_is_404(client, login):
    login(client, "admin")
    assert client.get("/competitions/9999").status_code == 404
    assert client.get("/competitions/9999/edit").status_code == 404


# --- the list ------------------------------------------------------------------------------

def test_list_filters_by_kind_year_and_stage(client, login):
    prof = factories.make_competition(title="Проф-2024-рег")
    factories.make_competition(title="Проф-2023-рег", year=2023,
                               starts_on=date(2023, 3, 1), ends_on=date(2023, 3, 5))
    abil = factories.make_competition(title="Абил-2024-финал", kind_slug="abilympics",
                                      stage="final")
    login(client, "coordinator")
    page = client.get("/competitions/").text
    assert all(t in page for t in ("Проф-2024-рег", "Проф-2023-рег", "Абил-2024-финал"))
    page = client.get(f"/competitions/?kind={abil.kind_id}").text
    assert "Абил-2024-финал" in page and "Проф-2024-рег" not in page
    page = client.get("/competitions/?year=2023").text
    assert "Проф-2023-рег" in page and "Проф-2024-рег" not in page
    page = client.get("/competitions/?stage=regional&year=2024").text
    assert "Проф-2024-рег" in page and "Абил-2024-финал" not in page
    assert f"/competitions/{prof.id}" in page


def test_list_counts_competencies_and_entries(client, login):
    competition = factories.make_competition()
    offered = factories.make_offered(competition)
    factories.make_offered(competition, "Поварское дело")
    registration.register(offered, [factories.make_person()])
    registration.register(offered, [factories.make_person()])
    rows = competition_service.list_competitions()
    assert [(r.competition.id, r.competencies, r.entries) for r in rows] == [
        (competition.id, 2, 2)]


def test_list_query_count_does_not_grow_with_rows(app, client, login):
    login(client, "organiser")

    def queries_for_list() -> int:
        statements = []

        def count(*args):
            statements.append(args)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get("/competitions/").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    factories.make_offered(factories.make_competition())
    few = queries_for_list()
    for n in range(6):
        competition = factories.make_competition(
            kind_slug="abilympics" if n % 2 else "professionaly",
            host_region=factories.region("Республика Татарстан"))
        factories.make_offered(competition)
    assert queries_for_list() == few


# --- offering competencies and categories --------------------------------------------------

def _offered(competition) -> set[tuple[str, str]]:
    return {(oc.offered_competency.competency.name, oc.category.name)
            for oc in db.session.scalars(
                select(OfferedCategory).join(OfferedCompetency)
                .where(OfferedCompetency.competition_id == competition.id))}


def test_offer_a_competency_in_several_categories(client, login):
    competition = factories.make_competition(kind_slug="abilympics", stage="final")
    welding = factories.competency("Сварочные технологии")
    students = factories.category("abilympics", "Студенты")
    specialists = factories.category("abilympics", "Специалисты")
    login(client, "organiser")
    page = client.get(f"/competitions/{competition.id}").text
    assert "Бисероплетение" in page  # a competency of Абилимпикс is offered for choice
    response = client.post(f"/competitions/{competition.id}/offer", data={
        "competency": welding.id, "categories": [students.id, specialists.id]})
    assert response.status_code == 302
    assert _offered(competition) == {("Сварочные технологии", "Студенты"),
                                     ("Сварочные технологии", "Специалисты")}
    # Offering again is harmless.
    client.post(f"/competitions/{competition.id}/offer", data={
        "competency": welding.id, "categories": [students.id]})
    assert _count(OfferedCategory) == 2 and _count(OfferedCompetency) == 1
    page = client.get(f"/competitions/{competition.id}").text
    assert "Сварочные технологии" in page and "Специалисты" in page


def test_a_category_of_another_kind_is_refused(client, login):
    competition = factories.make_competition(kind_slug="abilympics", stage="final")
    welding = factories.competency("Сварочные технологии")
    login(client, "organiser")
    response = client.post(f"/competitions/{competition.id}/offer", data={
        "competency": welding.id,
        "categories": [factories.category("abilympics", "Студенты").id,
                       factories.category("professionaly", "Юниоры").id]})
    assert response.status_code == 200
    assert "Юниоры" in response.text  # the message names the category refused
    assert _offered(competition) == set()  # all or nothing


def test_a_competency_of_another_kind_is_refused(client, login):
    competition = factories.make_competition()  # Профессионалы
    beadwork = factories.competency("Бисероплетение")  # Абилимпикс only
    login(client, "organiser")
    response = client.post(f"/competitions/{competition.id}/offer", data={
        "competency": beadwork.id,
        "categories": [factories.category("professionaly", "Основная").id]})
    assert response.status_code == 200 and _invalid(response.text, "competency")
    assert _offered(competition) == set()


def test_offer_needs_a_competency_and_a_category(client, login):
    competition = factories.make_competition()
    login(client, "organiser")
    response = client.post(f"/competitions/{competition.id}/offer",
                           data={"competency": factories.competency().id})
    assert response.status_code == 200 and _count(OfferedCategory) == 0
    response = client.post(f"/competitions/{competition.id}/offer", data={
        "categories": [factories.category("professionaly", "Основная").id]})
    assert response.status_code == 200 and _invalid(response.text, "competency")
    assert _count(OfferedCategory) == 0


def test_withdraw_an_offering_without_entries(client, login):
    competition = factories.make_competition()
    main = factories.make_offered(competition, category_="Основная")
    juniors = factories.make_offered(competition, category_="Юниоры")
    login(client, "organiser")
    url = f"/competitions/{competition.id}/offerings/{{}}/withdraw"
    assert client.post(url.format(main.id)).status_code == 302
    assert _offered(competition) == {("Сварочные технологии", "Юниоры")}
    assert _count(OfferedCompetency) == 1
    # The competency goes with its last category.
    assert client.post(url.format(juniors.id)).status_code == 302
    assert _offered(competition) == set() and _count(OfferedCompetency) == 0
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action == "competition.withdraw")).all()
    assert len(actions) == 2


def test_withdraw_is_refused_when_entries_exist(client, login):
    competition = factories.make_competition()
    offered = factories.make_offered(competition)
    registration.register(offered, [factories.make_person()])
    login(client, "organiser")
    response = client.post(
        f"/competitions/{competition.id}/offerings/{offered.id}/withdraw", follow_redirects=True)
    assert response.status_code == 200 and "alert-danger" in response.text
    assert _offered(competition) == {("Сварочные технологии", "Основная")}
    with pytest.raises(ServiceError, match="1"):
        offering_service.withdraw_offering(db.session.get(OfferedCategory, offered.id))


def test_the_last_category_of_a_competency_with_experts_stays(client, login):
    competition = factories.make_competition()
    main = factories.make_offered(competition, category_="Основная")
    juniors = factories.make_offered(competition, category_="Юниоры")
    factories.make_assignment(main.offered_competency)
    login(client, "organiser")
    url = f"/competitions/{competition.id}/offerings/{{}}/withdraw"
    assert client.post(url.format(juniors.id)).status_code == 302
    response = client.post(url.format(main.id), follow_redirects=True)
    assert "alert-danger" in response.text
    assert _offered(competition) == {("Сварочные технологии", "Основная")}


def test_withdraw_of_another_competitions_offering_is_404(client, login):
    offered = factories.make_offered(factories.make_competition())
    other = factories.make_competition()
    login(client, "organiser")
    response = client.post(f"/competitions/{other.id}/offerings/{offered.id}/withdraw")
    assert response.status_code == 404
    assert _count(OfferedCategory) == 1


# --- roles ---------------------------------------------------------------------------------

def test_coordinator_views_but_does_not_manage(client, login):
    competition = factories.make_competition()
    offered = factories.make_offered(competition)
    login(client, "coordinator")
    page = client.get(f"/competitions/{competition.id}").text
    assert competition.title in page
    assert f"/competitions/{competition.id}/edit" not in page
    assert f"/competitions/{competition.id}/offer" not in page
    assert "/competitions/new" not in client.get("/competitions/").text
    assert client.post("/competitions/new", data=_form()).status_code == 403
    assert client.post(f"/competitions/{competition.id}/offerings/{offered.id}/withdraw"
                       ).status_code == 403
    assert _count(Competition) == 1 and _count(OfferedCategory) == 1


def test_expert_sees_no_competitions(client, login):
    competition = factories.make_competition()
    login(client, "expert")
    assert client.get("/competitions/").status_code == 403
    assert client.get(f"/competitions/{competition.id}").status_code == 403
    assert "/competitions/" not in client.get("/dashboard").text


def test_organiser_sees_the_menu_item(client, login):
    login(client, "organiser")
    assert 'href="/competitions/"' in client.get("/dashboard").text


# --- reference data: competencies and categories -------------------------------------------

def test_admin_adds_a_competency(client, login):
    login(client, "admin")
    assert 'href="/admin/competencies/new"' in client.get("/admin/competencies").text
    prof, abil = factories.kind("professionaly"), factories.kind("abilympics")
    response = client.post("/admin/competencies/new", data={
        "name": " Ремонт  беспилотных авиационных систем ", "code": "r70j",
        "kinds": [prof.id, abil.id], "is_team": "y"})
    assert response.status_code == 302
    competency = factories.competency("Ремонт беспилотных авиационных систем")
    assert competency.code == "R70J" and competency.is_team
    assert {k.slug for k in competency.kinds} == {"professionaly", "abilympics"}
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "competency.create"))
    # Now it can be offered at a Профессионалы competition.
    competition = factories.make_competition()
    offering_service.offer(competition, competency,
                           factories.category("professionaly", "Основная"))
    assert _offered(competition) == {("Ремонт беспилотных авиационных систем", "Основная")}


def test_a_competency_name_is_unique_however_written(client, login):
    login(client, "admin")
    before = _count(Competency)
    response = client.post("/admin/competencies/new", data={
        "name": "СВАРОЧНЫЕ  технологии", "kinds": [factories.kind().id]})
    assert response.status_code == 200 and _invalid(response.text, "name")
    response = client.post("/admin/competencies/new", data={"name": "Новая компетенция"})
    assert response.status_code == 200  # no kind chosen
    assert _count(Competency) == before


def test_admin_adds_a_category(client, login):
    login(client, "admin")
    abil = factories.kind("abilympics")
    response = client.post("/admin/categories/new", data={
        "kind": abil.id, "name": "Профессионалы старшего возраста", "min_age": "50"})
    assert response.status_code == 302
    category = factories.category("abilympics", "Профессионалы старшего возраста")
    assert category.min_age == 50
    assert category.position > factories.category("abilympics", "Специалисты").position
    # The new category can be offered at an Абилимпикс competition.
    competition = factories.make_competition(kind_slug="abilympics", stage="final")
    offering_service.offer(competition, factories.competency(), category)
    assert ("Сварочные технологии", "Профессионалы старшего возраста") in _offered(competition)


def test_a_category_name_is_unique_within_its_kind(client, login):
    login(client, "admin")
    response = client.post("/admin/categories/new", data={
        "kind": factories.kind("professionaly").id, "name": "юниоры"})
    assert response.status_code == 200 and _invalid(response.text, "name")
    # The same name in another kind is fine.
    response = client.post("/admin/categories/new", data={
        "kind": factories.kind("master_of_the_year").id, "name": "Юниоры"})
    assert response.status_code == 302
    response = client.post("/admin/categories/new", data={
        "kind": factories.kind("abilympics").id, "name": "Дети", "min_age": "200"})
    assert response.status_code == 200 and _invalid(response.text, "min_age")


def test_only_admin_adds_reference_data(client, login):
    login(client, "organiser")
    assert 'href="/admin/competencies/new"' not in client.get("/admin/competencies").text
    assert client.post("/admin/competencies/new", data={
        "name": "Что-то", "kinds": [factories.kind().id]}).status_code == 403
    assert client.post("/admin/categories/new", data={
        "kind": factories.kind().id, "name": "Что-то"}).status_code == 403
    assert db.session.scalar(select(Category).where(Category.name == "Что-то")) is None


# --- the service directly ------------------------------------------------------------------

def test_default_title_and_service_rules():
    kind = factories.kind("master_of_the_year")
    data = competition_service.CompetitionData(kind=kind, year=2025, stage="final")
    competition = competition_service.create_competition(data)
    assert competition.title == "Мастер года 2025, финал" and competition.status == "draft"
    with pytest.raises(ServiceError) as error:
        competition_service.create_competition(competition_service.CompetitionData(
            kind=kind, year=2025, stage="regional"))
    assert error.value.field == "host_region"
    with pytest.raises(ServiceError) as error:
        competition_service.create_competition(competition_service.CompetitionData(
            kind=kind, year=2025, stage="final", starts_on=date(2031, 1, 1)))
    assert error.value.field == "starts_on"


def test_reference_service_rules():
    with pytest.raises(ServiceError) as error:
        reference_service.create_competency("  ", kinds=[factories.kind()])
    assert error.value.field == "name"
    with pytest.raises(ServiceError) as error:
        reference_service.create_competency("Новая", kinds=[factories.kind()], code="R 1")
    assert error.value.field == "code"
    with pytest.raises(ServiceError) as error:
        reference_service.create_category(None, "Новая")
    assert error.value.field == "kind"


# --- all errors at once, team rules, reopening, confirming ---------------------------------

def test_a_competition_form_with_three_bad_fields_shows_three_messages(client, login):
    login(client, "organiser")
    response = client.post("/competitions/new", data=_form(
        host_region="", starts_on="2024-03-05", ends_on="2024-03-01", medallion_threshold="150"))
    assert response.status_code == 200 and _count(Competition) == 0
    for field in ("host_region", "ends_on", "medallion_threshold"):
        assert _invalid(response.text, field), field
    # a form error (the year) and rule errors together
    response = client.post("/competitions/new", data=_form(
        year="abc", host_region="", medallion_threshold="150"))
    for field in ("year", "host_region", "medallion_threshold"):
        assert _invalid(response.text, field), field


def test_organiser_sets_individual_or_team_and_the_bounds(client, login):
    competition = factories.make_competition()
    offered = factories.make_offered(competition)  # «Сварочные технологии»: individual
    oc = offered.offered_competency
    assert not oc.is_team
    login(client, "organiser")
    page = client.get(f"/competitions/{competition.id}").text
    assert f'data-testid="team-rule-{oc.id}"' in page
    url = f"/competitions/{competition.id}/competencies/{oc.id}/team"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"is_team": "y", "team_min": "3", "team_max": "2"})
    assert response.status_code == 200 and _invalid(response.text, "team_max")
    assert client.post(url, data={"is_team": "y", "team_min": "2", "team_max": "3"}
                       ).status_code == 302
    db.session.refresh(oc)
    assert oc.is_team and (oc.team_min, oc.team_max) == (2, 3)
    assert db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "competition.team_rule")) is not None
    registration.register(offered, [factories.make_person(), factories.make_person()],
                          team_name="Сварщики")
    db.session.commit()
    # a competency with team entries cannot become individual
    response = client.post(url, data={"team_min": "", "team_max": ""})
    assert response.status_code == 200
    db.session.refresh(oc)
    assert oc.is_team


def test_offering_takes_team_or_individual_from_the_reference_data(app):
    competition = factories.make_competition()
    team = offering_service.offer(competition,
                                  factories.competency("Командная работа на производстве"),
                                  factories.category("professionaly", "Основная"))
    solo = offering_service.offer(competition, factories.competency("Сварочные технологии"),
                                  factories.category("professionaly", "Основная"))
    assert team.offered_competency.is_team and not solo.offered_competency.is_team


def test_a_published_competition_is_reopened_by_the_organiser(client, login):
    competition = factories.make_competition(status="results_published")
    login(client, "organiser")
    page = client.get(f"/competitions/{competition.id}").text
    assert f"/competitions/{competition.id}/reopen" in page
    assert client.post(f"/competitions/{competition.id}/reopen").status_code == 302
    db.session.refresh(competition)
    assert competition.status == "registration"
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "competition.status"))
    assert audit.details == {"old": "results_published", "new": "registration"}


def test_withdrawing_an_offering_asks_first(client, login):
    competition = factories.make_competition()
    offered = factories.make_offered(competition)
    login(client, "organiser")
    url = f"/competitions/{competition.id}/offerings/{offered.id}/withdraw"
    assert url in client.get(f"/competitions/{competition.id}").text
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="confirm-what"' in page.text
    assert "last category" in page.text or "последняя категория" in page.text
    assert _count(OfferedCategory) == 1
