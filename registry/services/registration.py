"""Registration: persons, organisations, entries and teams, and the rules they obey.

One place for each rule:
- a person is one record across stages and years, identified by ``person_key``;
- one entry per person per competition, competency and category;
- the category must be offered for that competency;
- minimum age per category on the competition's start date (``Category.min_age``);
- a person without consent on file is registered but flagged (``consent_missing``).

Functions that write take ``commit=True``; the importer passes ``commit=False`` and commits
the whole file once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import (
    Entry,
    EntryMember,
    OfferedCategory,
    Organisation,
    Person,
    Region,
    name_key,
    person_key,
    utcnow,
)
from . import ServiceError
from .audit import record

ADULT_AGE = 18
MIN_TEAM_SIZE = 2
MAX_TEAM_SIZE = 4
# Kinds whose every category is for adults, whatever the category's own ``min_age`` says.
ADULT_KINDS = ("master_of_the_year",)


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


def _clean(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    return text or None


# --- organisations -------------------------------------------------------------------------

def find_organisation(name: str, region: Region) -> Organisation | None:
    return db.session.scalar(
        select(Organisation).where(
            Organisation.region_id == region.id, Organisation.name_key == name_key(name)
        )
    )


def get_or_create_organisation(name: str, region: Region, kind: str = "educational", *,
                               actor=None, commit: bool = True) -> tuple[Organisation, bool]:
    """The organisation of that name in that region (matched case- and ё-insensitively)."""
    if not _clean(name):
        raise ServiceError(_("The organisation needs a name."), field="name")
    existing = find_organisation(name, region)
    if existing is not None:
        return existing, False
    organisation = Organisation(region=region, kind=kind)
    organisation.set_name(name)
    db.session.add(organisation)
    db.session.flush()
    record("organisation.create", organisation, user=actor, name=organisation.name)
    if commit:
        db.session.commit()
    return organisation, True


def update_organisation(organisation: Organisation, *, name: str, region: Region, kind: str,
                        actor=None) -> Organisation:
    other = find_organisation(name, region)
    if other is not None and other.id != organisation.id:
        raise ServiceError(
            _("An organisation with this name already exists in this region."), field="name"
        )
    organisation.set_name(name)
    organisation.region, organisation.kind = region, kind
    record("organisation.update", organisation, user=actor, name=organisation.name)
    db.session.commit()
    return organisation


# --- persons -------------------------------------------------------------------------------

def find_person(last_name: str, first_name: str, middle_name: str | None,
                birth_date: date) -> Person | None:
    key = person_key(last_name, first_name, middle_name, birth_date)
    return db.session.scalar(select(Person).where(Person.identity_key == key))


def _validate_person(data: PersonData) -> None:
    if not _clean(data.last_name):
        raise ServiceError(_("The surname is required."), field="last_name")
    if not _clean(data.first_name):
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


def _apply(person: Person, data: PersonData) -> None:
    person.last_name = _clean(data.last_name)
    person.first_name = _clean(data.first_name)
    person.middle_name = _clean(data.middle_name)
    person.birth_date = data.birth_date
    person.region = data.region
    person.organisation = data.organisation
    person.email = _clean(data.email)
    person.phone = _clean(data.phone)
    person.consent_date = data.consent_date
    person.guardian_name = _clean(data.guardian_name)
    person.guardian_consent_date = data.guardian_consent_date
    person.refresh_identity()


def create_person(data: PersonData, *, actor=None, commit: bool = True) -> Person:
    _validate_person(data)
    if find_person(data.last_name, data.first_name, data.middle_name, data.birth_date):
        raise ServiceError(
            _("This person is already registered (same name and birth date)."), field="last_name"
        )
    person = Person()
    _apply(person, data)
    db.session.add(person)
    db.session.flush()
    record("person.create", person, user=actor)
    if commit:
        db.session.commit()
    return person


def update_person(person: Person, data: PersonData, *, actor=None) -> Person:
    _validate_person(data)
    other = find_person(data.last_name, data.first_name, data.middle_name, data.birth_date)
    if other is not None and other.id != person.id:
        raise ServiceError(
            _("Another person with the same name and birth date exists."), field="last_name"
        )
    _apply(person, data)
    record("person.update", person, user=actor)
    db.session.commit()
    return person


def get_or_create_person(data: PersonData, *, actor=None,
                         commit: bool = True) -> tuple[Person, bool]:
    """Reuse the person with the same name and birth date, else create one.

    On reuse, contact details and consent that the record lacks are filled in; what it has is
    kept (a spreadsheet does not silently overwrite what an organiser entered)."""
    _validate_person(data)
    person = find_person(data.last_name, data.first_name, data.middle_name, data.birth_date)
    if person is None:
        return create_person(data, actor=actor, commit=commit), True
    changed = False
    for field in ("email", "phone", "consent_date", "guardian_name", "guardian_consent_date",
                  "organisation"):
        value = getattr(data, field)
        if isinstance(value, str):
            value = _clean(value)
        if value is not None and getattr(person, field) is None:
            setattr(person, field, value)
            changed = True
    if changed:
        record("person.update", person, user=actor, source="reuse")
    if commit:
        db.session.commit()
    return person, False


def consent_missing(person: Person, on: date | None = None) -> bool:
    """No consent on file, or a minor without a parent's or guardian's consent."""
    if person.consent_date is None:
        return True
    on = on or date.today()
    return person.age_on(on) < ADULT_AGE and person.guardian_consent_date is None


# --- entries -------------------------------------------------------------------------------

def competition_day(competition) -> date:
    """The day on which ages are counted: the start date, else 1 January of the year."""
    return competition.starts_on or date(competition.year, 1, 1)


def eligibility_problems(person: Person, offered: OfferedCategory) -> list[str]:
    """Why ``person`` may not enter ``offered`` (empty when they may)."""
    problems = []
    competition = offered.offered_competency.competition
    category = offered.category
    day = competition_day(competition)
    min_age = category.min_age
    if competition.kind.slug in ADULT_KINDS:
        min_age = max(min_age or 0, ADULT_AGE)
    if min_age is not None and person.age_on(day) < min_age:
        if min_age >= ADULT_AGE:
            problems.append(_("%(name)s is under %(age)d on %(day)s: «%(category)s» is for adults.",
                              name=person.full_name, age=min_age,
                              day=day.strftime("%d.%m.%Y"), category=category.name))
        else:
            problems.append(_("%(name)s is under %(age)d on %(day)s, the minimum for «%(category)s».",
                              name=person.full_name, age=min_age,
                              day=day.strftime("%d.%m.%Y"), category=category.name))
    if person.id is not None:
        taken = db.session.scalar(
            select(EntryMember.id).where(
                EntryMember.offered_category_id == offered.id, EntryMember.person_id == person.id
            )
        )
        if taken:
            problems.append(_("%(name)s is already registered in this competency and category.",
                              name=person.full_name))
    return problems


def _check_offered(offered: OfferedCategory | None) -> OfferedCategory:
    if offered is None:
        raise ServiceError(_("This category is not offered for this competency."), field="category")
    return offered


def register(offered: OfferedCategory | None, persons: list[Person], *,
             team_name: str | None = None, actor=None, commit: bool = True) -> Entry:
    """Register one person, or a team of 2+ persons under ``team_name``."""
    offered = _check_offered(offered)
    team_name = _clean(team_name)
    if team_name is None and len(persons) != 1:
        raise ServiceError(_("A team entry needs a team name."), field="team_name")
    if team_name is not None and len(persons) < MIN_TEAM_SIZE:
        raise ServiceError(_("A team needs at least %(n)d members.", n=MIN_TEAM_SIZE),
                           field="members")
    if team_name is not None and len(persons) > MAX_TEAM_SIZE:
        raise ServiceError(_("A team has at most %(n)d members.", n=MAX_TEAM_SIZE),
                           field="members")
    if len({p.id for p in persons}) != len(persons):
        raise ServiceError(_("A person appears twice in the team."), field="members")
    if team_name is not None and db.session.scalar(
        select(Entry.id).where(Entry.offered_category_id == offered.id,
                               Entry.team_name == team_name)
    ):
        raise ServiceError(_("A team with this name is already registered here."),
                           field="team_name")
    problems = [p for person in persons for p in eligibility_problems(person, offered)]
    if problems:
        raise ServiceError(" ".join(problems), field="person")
    entry = Entry(offered_category=offered, team_name=team_name, created_by_id=getattr(actor, "id", None))
    for person in persons:
        entry.members.append(EntryMember(person=person, offered_category_id=offered.id))
    db.session.add(entry)
    db.session.flush()
    competition = offered.offered_competency.competition
    record("entry.create", entry, user=actor, competition_id=competition.id,
           persons=[p.id for p in persons], team=team_name)
    if commit:
        db.session.commit()
    return entry


def add_team_member(entry: Entry, person: Person, *, actor=None, commit: bool = True) -> Entry:
    if not entry.is_team:
        raise ServiceError(_("Only a team entry has members to add."))
    if len(entry.members) >= MAX_TEAM_SIZE:
        raise ServiceError(_("A team has at most %(n)d members.", n=MAX_TEAM_SIZE),
                           field="person")
    problems = eligibility_problems(person, entry.offered_category)
    if problems:
        raise ServiceError(" ".join(problems), field="person")
    entry.members.append(EntryMember(person=person, offered_category_id=entry.offered_category_id))
    db.session.flush()
    record("entry.member_add", entry, user=actor,
           competition_id=entry.offered_category.offered_competency.competition_id,
           person=person.id)
    if commit:
        db.session.commit()
    return entry


def set_status(entry: Entry, status: str, reason: str | None, *, actor) -> Entry:
    """Withdraw, disqualify or reinstate: the entry is kept, with who, when and why."""
    if status not in ("registered", "withdrawn", "disqualified"):
        raise ServiceError(_("Unknown entry status."))
    reason = _clean(reason)
    if status == "disqualified" and not reason:
        raise ServiceError(_("State the reason for the disqualification."), field="reason")
    if status == entry.status:
        return entry
    old = entry.status
    entry.status, entry.status_reason = status, reason
    entry.status_changed_at = utcnow()
    entry.status_changed_by_id = getattr(actor, "id", None)
    record("entry.status", entry, user=actor,
           competition_id=entry.offered_category.offered_competency.competition_id,
           old=old, new=status, reason=reason)
    db.session.commit()
    return entry
