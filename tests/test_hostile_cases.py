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
