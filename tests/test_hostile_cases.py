"""The inputs of the security review that answered 500: each answers a message now."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import Competition

from . import factories
from .test_competitions import _form


@pytest.mark.parametrize("value", ["NaN", "nan", "Infinity", "-inf", "sNaN"])
def test_a_medallion_threshold_that_is_not_a_number_is_refused_on_the_form(app, client, login,
                                                                           value):
    login(client, "organiser")
    response = client.post("/competitions/new", data=_form(medallion_threshold=value))
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Competition)) == 0


@pytest.mark.parametrize("value", ["NaN", "inf"])
def test_the_cli_refuses_such_a_threshold_too(app, value):
    result = app.test_cli_runner().invoke(args=[
        "competitions", "create", "--kind", "professionaly", "--year", "2025", "--stage",
        "final", "--medallion-threshold", value])
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit), result.exception
    assert db.session.scalar(select(func.count()).select_from(Competition)) == 0


def test_a_person_edit_without_the_organisation_field_is_not_a_500(app, client, login):
    person = factories.make_person(organisation=factories.make_organisation())
    kept = person.organisation_id
    login(client, "organiser")
    response = client.post(f"/persons/{person.id}/edit", data={
        "last_name": person.last_name, "first_name": "Павел",
        "birth_date": "2005-03-14", "region_id": person.region_id})
    assert response.status_code == 302
    db.session.expire_all()
    assert person.first_name == "Павел" and person.organisation_id == kept  # not sent: kept


def test_a_judgement_aspect_takes_between_three_and_the_configured_maximum_of_judges(app):
    from registry.services import ServiceError, marking

    competition = factories.make_competition(status="marking")
    offered = factories.make_offered(competition)
    oc = offered.offered_competency
    criterion = factories.make_scheme(oc, {"A": [("Эстетика", "30", "judgement")]})[0]
    entry = factories.register_entry(offered)
    expert = factories.make_assignment(oc).user
    key = (entry.id, criterion.aspects[0].id)
    with pytest.raises(ServiceError, match="7"):
        marking.save_marks(offered, criterion, {key: ["2"] * 5000}, 0, actor=expert)
    db.session.rollback()
    with pytest.raises(ServiceError, match="7"):
        marking.save_marks(offered, criterion, {key: ["2"] * 8}, 0, actor=expert)
    db.session.rollback()
    sheet = marking.save_marks(offered, criterion, {key: ["2"] * 7}, 0, actor=expert)
    assert sheet.version == 1
    app.config["MAX_JUDGES"] = 9
    try:
        assert marking.max_judges() == 9
    finally:
        app.config.pop("MAX_JUDGES")


@pytest.mark.parametrize("field", ["gold_min", "silver_min", "bronze_min", "min_entries"])
def test_a_four_hundred_digit_medal_minimum_is_a_form_error_not_a_500(client, login, field):
    """WTForms' NumberRange turned a whole number of more than 308 digits into a float (OverflowError: a 500);
    found by the hostile-input property test on PostgreSQL."""
    from registry.models import CompetitionKind

    login(client, "organiser")
    kind = db.session.scalars(select(CompetitionKind)).first()
    before = db.session.scalar(select(func.count()).select_from(Competition))
    response = client.post("/competitions/new", data={
        "kind": str(kind.id), "year": "2026", "stage": "final", "status": "draft",
        "medallion_scale": "points", "gold_min": "1", "silver_min": "1", "bronze_min": "1",
        "min_entries": "1", field: "9" * 400})
    assert response.status_code in (200, 400, 422)
    assert "9" * 400 not in response.text or "1000" in response.text
    assert db.session.scalar(select(func.count()).select_from(Competition)) == before


def test_a_four_hundred_digit_team_size_is_a_form_error_not_a_500(client, login):
    competition = factories.make_competition()
    offered = factories.make_offered(competition)
    login(client, "organiser")
    response = client.post(
        f"/competitions/{competition.id}/competencies/{offered.offered_competency.id}/team",
        data={"is_team": "y", "team_min": "9" * 400, "team_max": "3"})
    assert response.status_code < 500
