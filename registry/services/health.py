"""Health data (152-ФЗ special category): the disability group of an Абилимпикс participant.

Recorded only with the person's explicit written consent (its date is required). The audit log
says who changed the record and when, never what it says: the log is readable by more people
than the health data is."""
from __future__ import annotations

from datetime import date

from ..extensions import db
from ..i18n import gettext as _
from ..models import HealthRecord, Person
from ..text import squashed
from . import ServiceError
from .audit import record


def set_health_record(person: Person, *, disability_group: str | None, notes: str | None,
                      written_consent_date: date | None, actor) -> HealthRecord:
    if written_consent_date is None:
        raise ServiceError(_("Health data is recorded only with the person's written consent: "
                             "enter its date."), field="written_consent_date")
    if written_consent_date > date.today():
        raise ServiceError(_("The consent date is in the future."), field="written_consent_date")
    health = db.session.get(HealthRecord, person.id)
    action = "health.update" if health is not None else "health.create"
    if health is None:
        health = HealthRecord(person_id=person.id)
        db.session.add(health)
    health.disability_group = squashed(disability_group)
    health.notes = (notes or "").strip() or None
    health.written_consent_date = written_consent_date
    record(action, object_type="health_records", object_id=person.id, user=actor)
    db.session.flush()
    return health


def remove_health_record(person: Person, *, actor) -> None:
    """Delete the record (consent withdrawn, or entered by mistake)."""
    health = db.session.get(HealthRecord, person.id)
    if health is None:
        return
    db.session.delete(health)
    record("health.delete", object_type="health_records", object_id=person.id, user=actor)
    db.session.flush()
