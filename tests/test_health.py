"""Health data: recorded only with written consent, seen and changed only by organisers and
administrators, never in the audit log's details or in an export."""
from datetime import date

from sqlalchemy import select

from registry.extensions import db
from registry.models import AuditEntry, HealthRecord

from . import factories


def test_organiser_records_health_data_with_written_consent(client, login):
    user = login(client, "organiser")
    person = factories.make_person()
    response = client.post(f"/persons/{person.id}/health", data={
        "disability_group": "II группа", "notes": "нарушение слуха",
        "written_consent_date": "2024-02-01"})
    assert response.status_code == 302
    health = db.session.get(HealthRecord, person.id)
    assert (health.disability_group, health.written_consent_date) == ("II группа", date(2024, 2, 1))
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "health.create"))
    assert audit.user_id == user.id and audit.object_id == person.id
    assert "группа" not in str(audit.details) and "слуха" not in str(audit.details)
    assert "II группа" in client.get(f"/persons/{person.id}").text


def test_no_health_data_without_consent_date(client, login):
    login(client, "organiser")
    person = factories.make_person()
    response = client.post(f"/persons/{person.id}/health", data={"disability_group": "I группа"})
    assert response.status_code == 200
    assert db.session.get(HealthRecord, person.id) is None
    response = client.post(f"/persons/{person.id}/health", data={
        "disability_group": "I группа", "written_consent_date": "2999-01-01"})
    assert response.status_code == 200 and db.session.get(HealthRecord, person.id) is None


def test_health_data_deleted_when_consent_is_withdrawn(client, login):
    login(client, "admin")
    person = factories.make_person()
    factories.make_health_record(person)
    assert client.post(f"/persons/{person.id}/health/delete").status_code == 302
    assert db.session.get(HealthRecord, person.id) is None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "health.delete"))


def test_coordinators_and_experts_neither_see_nor_change_health_data(client, login):
    person = factories.make_person()
    factories.make_health_record(person, disability_group="III группа")
    login(client, "coordinator")
    assert "III группа" not in client.get(f"/persons/{person.id}").text
    assert client.get(f"/persons/{person.id}/health").status_code == 403
    response = client.post(f"/persons/{person.id}/health", data={
        "disability_group": "I группа", "written_consent_date": "2024-02-01"})
    assert response.status_code == 403
    assert db.session.get(HealthRecord, person.id).disability_group == "III группа"
