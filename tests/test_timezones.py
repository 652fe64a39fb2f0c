"""Times are stored in UTC and shown in the competition's zone or the registry's, named."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from registry import create_app, timezones
from registry.extensions import db
from registry.models import Competition, ScoreSheet
from registry.timezones import is_zone_name, local_datetime

from . import factories

INSTANT = datetime(2025, 3, 12, 11, 5, 30)  # naive UTC, as stored


def test_a_utc_instant_is_shown_in_moscow_time_by_default(app):
    assert app.config["REGISTRY_TIMEZONE"] == "Europe/Moscow"
    assert local_datetime(INSTANT) == "12.03.2025 14:05 (МСК)"
    assert local_datetime(INSTANT, seconds=True) == "12.03.2025 14:05:30 (МСК)"
    # an aware value is the same instant
    assert local_datetime(INSTANT.replace(tzinfo=UTC)) == "12.03.2025 14:05 (МСК)"
    assert local_datetime(None) == ""


def test_the_zone_is_named_in_the_ui_language(app, client):
    with app.test_request_context():
        from flask import session
        session["lang"] = "en"
        assert local_datetime(INSTANT) == "12.03.2025 14:05 (MSK)"


def test_another_registry_zone_when_configured(app):
    app.config["REGISTRY_TIMEZONE"] = "Asia/Yekaterinburg"
    try:
        assert local_datetime(INSTANT) == "12.03.2025 16:05 (UTC+5)"
    finally:
        app.config["REGISTRY_TIMEZONE"] = "Europe/Moscow"


def test_the_registry_zone_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("REGISTRY_TIMEZONE", "Asia/Vladivostok")
    monkeypatch.setenv("SECRET_KEY", "x")
    application = create_app({"TESTING": True,
                              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/t.sqlite"})
    assert application.config["REGISTRY_TIMEZONE"] == "Asia/Vladivostok"
    assert application.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Vladivostok"
    with application.app_context():
        assert local_datetime(INSTANT) == "12.03.2025 21:05 (UTC+10)"


def test_a_wrong_registry_zone_stops_the_start(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x")
    with pytest.raises(RuntimeError, match="REGISTRY_TIMEZONE"):
        create_app({"TESTING": True, "REGISTRY_TIMEZONE": "Europe/Atlantis",
                    "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_a_competition_with_its_own_zone(app):
    competition = factories.make_competition()
    assert local_datetime(INSTANT, competition) == "12.03.2025 14:05 (МСК)"
    competition.time_zone = "Asia/Novosibirsk"
    assert local_datetime(INSTANT, competition) == "12.03.2025 18:05 (UTC+7)"
    assert local_datetime(INSTANT, "Asia/Kolkata") == "12.03.2025 16:35 (UTC+5:30)"
    assert local_datetime(INSTANT, "America/New_York") == "12.03.2025 07:05 (UTC-4)"
    assert local_datetime(INSTANT, "UTC") == "12.03.2025 11:05 (UTC)"
    db.session.rollback()


def test_zone_names_are_checked_against_zoneinfo():
    assert is_zone_name("Europe/Moscow") and is_zone_name("Asia/Novosibirsk")
    for wrong in ("", None, "Moscow", "Europe/Atlantis", "../etc/passwd", "/etc/localtime",
                  " Europe/Moscow", "Europe/Moscow\x00"):
        assert not is_zone_name(wrong), wrong
    assert "Asia/Novosibirsk" in timezones.zone_names()


def _competition_form(**overrides) -> dict:
    data = {"kind": factories.kind("professionaly").id, "year": "2024", "stage": "regional",
            "host_region": factories.region("Новосибирская область").id, "title": "",
            "starts_on": "2024-03-01", "ends_on": "2024-03-05", "status": "registration",
            "medallion_threshold": "", "time_zone": "Asia/Novosibirsk"}
    data.update(overrides)
    return data


def test_the_competition_form_sets_and_checks_the_zone(client, login):
    login(client, "organiser")
    response = client.post("/competitions/new", data=_competition_form(time_zone="Europe/Atlantis"))
    assert response.status_code == 200
    assert "is not a time zone name" in response.text or "не название часового пояса" in response.text
    assert db.session.scalar(select(Competition)) is None
    response = client.post("/competitions/new", data=_competition_form())
    assert response.status_code == 302
    competition = db.session.scalar(select(Competition))
    assert competition.time_zone == "Asia/Novosibirsk"
    edit = f"/competitions/{competition.id}/edit"
    assert 'value="Asia/Novosibirsk"' in client.get(edit).text
    assert client.post(edit, data=_competition_form(time_zone="")).status_code == 302
    db.session.refresh(competition)
    assert competition.time_zone is None


def test_the_sheet_shows_the_last_save_in_the_competitions_zone(client, login):
    competition = factories.make_competition(status="marking", time_zone="Asia/Novosibirsk")
    offered = factories.make_offered(competition)
    oc = offered.offered_competency
    criterion = factories.make_scheme(oc, {"A": [("Размер", "60", "measurement")]})[0]
    entry = factories.register_entry(offered)
    expert = login(client, "expert")
    factories.make_assignment(oc, user=expert)
    url = f"/marking/sheets/{offered.id}/{criterion.id}"
    aspect = criterion.aspects[0]
    assert client.post(url, data={"version": "0", "save": "1",
                                  f"m-{entry.id}-{aspect.id}": "50"}).status_code == 302
    sheet = db.session.scalar(select(ScoreSheet))
    sheet.updated_at = INSTANT
    db.session.commit()
    assert "12.03.2025 18:05 (UTC+7)" in client.get(url).text
    competition.time_zone = None
    db.session.commit()
    assert "12.03.2025 14:05 (МСК)" in client.get(url).text
