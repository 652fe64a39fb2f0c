"""Persons: one record across stages and years, identified by ``person_key`` (name and birth
date); created, reused (filling in what the record lacks), changed and written in bulk for the
importer, with the one check of what is typed about a person; and whose consent to personal
data processing is not on file.

Functions that write flush and write their audit entry; they never commit (the request or
command commits once, ``registry/transaction.py``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select

from .. import text
from ..extensions import db
from ..i18n import gettext as _
from ..models import Organisation, Person, Region, person_key, take_numbers, utcnow
from ..text import squashed
from . import ServiceError
from .audit import record

ADULT_AGE = 18
BULK_CHUNK = 500  # values per IN (…) list when looking up many rows at once


@dataclass
class PersonData:
    last_name: str
    first_name: str
    middle_name: str | None
    birth_date: date
    region: Region
    organisation: Organisation | None = None
    email: str | None = None
    phone: str | None = None
    consent_date: date | None = None
    guardian_name: str | None = None
    guardian_consent_date: date | None = None
    # «Согласие на публикацию результатов» (the full name on public pages:
    # ``services.public_names``); for a minor, the guardian's.
    publication_consent: bool = False
    guardian_publication_consent: bool = False


def find_person(last_name: str, first_name: str, middle_name: str | None,
                birth_date: date) -> Person | None:
    key = person_key(last_name, first_name, middle_name, birth_date)
    return db.session.scalar(select(Person).where(Person.identity_key == key))


def _validate_person(data: PersonData) -> None:
    if not squashed(data.last_name):
        raise ServiceError(_("The surname is required."), field="last_name")
    if not squashed(data.first_name):
        raise ServiceError(_("The given name is required."), field="first_name")
    if data.birth_date is None:
        raise ServiceError(_("The birth date is required."), field="birth_date")
    today = date.today()
    if data.birth_date > today or data.birth_date.year < 1900:
        raise ServiceError(_("The birth date is not plausible."), field="birth_date")
    if data.consent_date and data.consent_date > today:
        raise ServiceError(_("The consent date is in the future."), field="consent_date")
    if data.guardian_consent_date and data.guardian_consent_date > today:
        raise ServiceError(_("The consent date is in the future."), field="guardian_consent_date")
    if data.guardian_publication_consent and not squashed(data.guardian_name):
        raise ServiceError(_("Name the parent or guardian who gave the consent."),
                           field="guardian_name")
    for field in ("last_name", "first_name", "middle_name", "guardian_name", "phone"):
        try:
            text.clean(getattr(data, field))
        except text.UncleanText as error:
            raise ServiceError(error.message, field=field) from error
    if data.email:
        try:
            text.email(data.email)
        except text.UncleanText as error:
            raise ServiceError(error.message, field="email") from error


def person_values(data: PersonData) -> dict:
    """The columns of a person from ``data``: the one place that cleans them and computes the
    identity key."""
    values = {
        "last_name": squashed(data.last_name),
        "first_name": squashed(data.first_name),
        "middle_name": squashed(data.middle_name),
        "birth_date": data.birth_date,
        "region_id": data.region.id,
        "organisation_id": data.organisation.id if data.organisation is not None else None,
        "email": squashed(data.email),
        "phone": squashed(data.phone),
        "consent_date": data.consent_date,
        "guardian_name": squashed(data.guardian_name),
        "guardian_consent_date": data.guardian_consent_date,
        "publication_consent": bool(data.publication_consent),
        "guardian_publication_consent": bool(data.guardian_publication_consent),
    }
    values["identity_key"] = person_key(values["last_name"], values["first_name"],
                                        values["middle_name"], values["birth_date"])
    return values


def _apply(person: Person, data: PersonData) -> None:
    for name, value in person_values(data).items():
        setattr(person, name, value)
    # keep the loaded relationships in step with the ids just set
    person.region = data.region
    person.organisation = data.organisation


def create_person(data: PersonData, *, actor=None) -> Person:
    _validate_person(data)
    if find_person(data.last_name, data.first_name, data.middle_name, data.birth_date):
        raise ServiceError(
            _("This person is already registered (same name and birth date)."), field="last_name"
        )
    person = build_person(data)
    db.session.flush()
    record("person.create", person, user=actor)
    return person


def bulk_create_persons(rows: list[PersonData]) -> dict[str, int]:
    """Insert many new, validated persons in one statement; ``{identity_key: id}``.
    The caller has made sure that none of them exists (``persons_by_identity``)."""
    if not rows:
        return {}
    now = utcnow()
    values = []
    for data in rows:
        _validate_person(data)
        values.append({**person_values(data), "created_at": now, "updated_at": now})
    # registry numbers in one block from the counter, not one UPDATE per person
    for row, number in zip(values, take_numbers(db.session.connection(), len(values)),
                           strict=True):
        row["number"] = number
    result = db.session.execute(
        insert(Person).returning(Person.id, Person.identity_key, sort_by_parameter_order=True),
        values)
    return {key: person_id for person_id, key in result}


def build_person(data: PersonData) -> Person:
    """A new, validated person added to the session (no query, no flush): for bulk writers
    that checked already that nobody has the same identity."""
    _validate_person(data)
    person = Person()
    _apply(person, data)
    db.session.add(person)
    return person


def persons_by_identity(keys: set[str]) -> dict[str, Person]:
    """Existing persons by ``identity_key``, in a few queries."""
    found: dict[str, Person] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), BULK_CHUNK):
        chunk = ordered[start:start + BULK_CHUNK]
        for person in db.session.scalars(select(Person).where(Person.identity_key.in_(chunk))):
            found[person.identity_key] = person
    return found


def persons_by_ids(ids: set[int]) -> list[Person]:
    """Persons by id, in a few queries."""
    found: list[Person] = []
    ordered = sorted(ids)
    for start in range(0, len(ordered), BULK_CHUNK):
        found.extend(db.session.scalars(
            select(Person).where(Person.id.in_(ordered[start:start + BULK_CHUNK]))))
    return found


def fill_missing(person: Person, data: PersonData) -> bool:
    """Fill in contact details and consent that ``person`` lacks from ``data``; keep what it
    has (a spreadsheet does not silently overwrite what an organiser entered)."""
    changed = False
    for field in ("email", "phone", "consent_date", "guardian_name", "guardian_consent_date",
                  "organisation"):
        value = getattr(data, field)
        if isinstance(value, str):
            value = squashed(value)
        if value is not None and getattr(person, field) is None:
            setattr(person, field, value)
            changed = True
    for field in ("publication_consent", "guardian_publication_consent"):
        if getattr(data, field) and not getattr(person, field):
            setattr(person, field, True)
            changed = True
    return changed


def update_person(person: Person, data: PersonData, *, actor=None) -> Person:
    _validate_person(data)
    other = find_person(data.last_name, data.first_name, data.middle_name, data.birth_date)
    if other is not None and other.id != person.id:
        raise ServiceError(
            _("Another person with the same name and birth date exists."), field="last_name"
        )
    _apply(person, data)
    record("person.update", person, user=actor)
    db.session.flush()
    return person


def get_or_create_person(data: PersonData, *, actor=None) -> tuple[Person, bool]:
    """Reuse the person with the same name and birth date, else create one; on reuse, fill
    in what the record lacks (``fill_missing``)."""
    _validate_person(data)
    person = find_person(data.last_name, data.first_name, data.middle_name, data.birth_date)
    if person is None:
        return create_person(data, actor=actor), True
    if fill_missing(person, data):
        record("person.update", person, user=actor, source="reuse")
    return person, False


PARTICIPANT, GUARDIAN = "participant", "guardian"  # whose consent (``missing_consents``)


def missing_consents(person: Person, on: date | None = None) -> tuple[str, ...]:
    """Whose consent to personal data processing is not on file: the participant's
    (``PARTICIPANT``) and, for a minor on ``on`` (today by default), the parent's or
    guardian's (``GUARDIAN``); empty when nothing is missing."""
    missing = []
    if person.consent_date is None:
        missing.append(PARTICIPANT)
    if person.age_on(on or date.today()) < ADULT_AGE and person.guardian_consent_date is None:
        missing.append(GUARDIAN)
    return tuple(missing)


def consent_missing(person: Person, on: date | None = None) -> bool:
    """No consent on file, or a minor without a parent's or guardian's consent."""
    return bool(missing_consents(person, on))
