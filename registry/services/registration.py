"""Registration: persons, organisations, entries and teams, and the rules they obey.

One place for each rule:
- a person is one record across stages and years, identified by ``person_key``;
- one entry per person per competition, competency and category;
- the category must be offered for that competency;
- minimum age per category on the competition's start date (``Category.min_age``);
- a person without consent on file is registered but flagged (``consent_missing``).

Functions that write flush and write their audit entry; they never commit (the request or
command commits once, ``registry/transaction.py``).

Organisations are in ``organisations.py`` (re-exported here, so ``registration.find_organisation``
keeps working for the forms and the importer).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import insert, select

from .. import kinds, text
from ..extensions import db
from ..models import (
    Entry,
    EntryMember,
    OfferedCategory,
    Organisation,
    Person,
    Region,
    person_key,
    take_numbers,
    utcnow,
)
from ..text import quoted
from . import ServiceError
from .audit import record
from .organisations import (  # noqa: F401 - re-exported for the forms and the importer
    build_organisation,
    create_organisation,
    find_organisation,
    get_or_create_organisation,
    organisations_by_key,
    update_organisation,
)

ADULT_AGE = 18
BULK_CHUNK = 500  # values per IN (…) list when looking up many rows at once
MIN_TEAM_SIZE = 2
MAX_TEAM_SIZE = 4


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


def _clean(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    return text or None


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
    if data.guardian_publication_consent and not _clean(data.guardian_name):
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
        "last_name": _clean(data.last_name),
        "first_name": _clean(data.first_name),
        "middle_name": _clean(data.middle_name),
        "birth_date": data.birth_date,
        "region_id": data.region.id,
        "organisation_id": data.organisation.id if data.organisation is not None else None,
        "email": _clean(data.email),
        "phone": _clean(data.phone),
        "consent_date": data.consent_date,
        "guardian_name": _clean(data.guardian_name),
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
            value = _clean(value)
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
    if kinds.rules(competition.kind.slug).adults_only:  # every category, whatever its min_age
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


# Statuses in which a competition takes no new entries (an organiser may reopen it).
CLOSED_STATUSES = ("results_published", "archived")


def team_bounds(offered_competency) -> tuple[int, int]:
    """The team size bounds of an offered competency: its own, else the defaults."""
    return (getattr(offered_competency, "team_min", None) or MIN_TEAM_SIZE,
            getattr(offered_competency, "team_max", None) or MAX_TEAM_SIZE)


def team_size_problem(count: int, low: int = MIN_TEAM_SIZE,
                      high: int = MAX_TEAM_SIZE) -> str | None:
    """Why a team of ``count`` members cannot be registered (None when it can)."""
    if count < low:
        return ngettext("A team needs at least %(n)d member.", "A team needs at least %(n)d members.",
                        low, n=low)
    if count > high:
        return ngettext("A team has at most %(n)d member.", "A team has at most %(n)d members.",
                        high, n=high)
    return None


def entry_shape_problem(offered_competency, count: int, *, team: bool) -> str | None:
    """The one rule of individual and team competencies, for the forms and the importer: no
    team in an individual competency, nobody alone in a team one, a team within its bounds."""
    name = offered_competency.competency.name
    if team and not offered_competency.is_team:
        return _("«%(competency)s» is an individual competency here: a team cannot be "
                 "entered.", competency=name)
    if not team and offered_competency.is_team:
        low, high = team_bounds(offered_competency)
        return _("«%(competency)s» is a team competency here: register a team of "
                 "%(low)d–%(high)d members.", competency=name, low=low, high=high)
    if team:
        return team_size_problem(count, *team_bounds(offered_competency))
    return None


def closed_problem(competition) -> str | None:
    """Why ``competition`` takes no new entries (None when it does)."""
    if competition.status in CLOSED_STATUSES:
        return _("%(title)s takes no new entries: its results are published or it is "
                 "archived. An organiser can reopen it.", title=quoted(competition.title))
    return None


def _check_open(competition) -> None:
    if problem := closed_problem(competition):
        raise ServiceError(problem)


def _check_offered(offered: OfferedCategory | None) -> OfferedCategory:
    if offered is None:
        raise ServiceError(_("This category is not offered for this competency."), field="category")
    return offered


def register(offered: OfferedCategory | None, persons: list[Person], *,
             team_name: str | None = None, out_of_competition: bool = False,
             actor=None) -> Entry:
    """Register one person, or a team of 2+ persons under ``team_name``; ``out_of_competition``:
    «вне конкурса» (marked, never placed nor awarded: ``services.results``)."""
    offered = _check_offered(offered)
    _check_open(offered.offered_competency.competition)
    team_name = _clean(team_name)
    if team_name is None and len(persons) != 1:
        raise ServiceError(_("A team entry needs a team name."), field="team_name")
    if problem := entry_shape_problem(offered.offered_competency, len(persons),
                                      team=team_name is not None):
        field = "members" if team_name is not None and offered.offered_competency.is_team \
            else "category"
        raise ServiceError(problem, field=field)
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
    entry = build_entry(offered, persons, team_name, actor=actor)
    entry.out_of_competition = bool(out_of_competition)
    db.session.flush()
    competition = offered.offered_competency.competition
    record("entry.create", entry, user=actor, competition_id=competition.id,
           persons=[p.id for p in persons], team=team_name,
           **({"out_of_competition": True} if out_of_competition else {}))
    return entry


def build_entry(offered: OfferedCategory, persons: list[Person], team_name: str | None = None,
                *, actor=None) -> Entry:
    """A new entry added to the session (no checks, no flush): ``register`` checks the rules
    first; the importer checked them for the whole file when it planned the import."""
    entry = Entry(offered_category=offered, team_name=_clean(team_name),
                  created_by_id=getattr(actor, "id", None))
    for person in persons:
        entry.members.append(EntryMember(person=person, offered_category_id=offered.id))
    db.session.add(entry)
    return entry


def bulk_create_entries(entries: list[tuple], *, actor=None) -> int:
    """Insert many entries, each ``(offered_category_id, team_name, [person_id, …])`` or with
    a fourth item, out of competition (a bool), with their members, in two statements. The
    rules were checked by the caller (the importer's plan uses ``eligibility_problems`` like
    ``register`` does); the database still refuses a second entry of a person in one
    category."""
    if not entries:
        return 0
    now = utcnow()
    result = db.session.execute(
        insert(Entry).returning(Entry.id, sort_by_parameter_order=True),
        [{"offered_category_id": entry[0], "team_name": _clean(entry[1]), "status": "registered",
          "out_of_competition": bool(entry[3]) if len(entry) > 3 else False,
          "created_at": now, "created_by_id": getattr(actor, "id", None)}
         for entry in entries])
    members = [
        {"entry_id": entry_id, "offered_category_id": entry[0], "person_id": person_id}
        for (entry_id,), entry in zip(result, entries, strict=True)
        for person_id in entry[2]
    ]
    db.session.execute(insert(EntryMember), members)
    return len(entries)


def add_team_member(entry: Entry, person: Person, *, actor=None) -> Entry:
    if not entry.is_team:
        raise ServiceError(_("Only a team entry has members to add."))
    offered_competency = entry.offered_category.offered_competency
    _check_open(offered_competency.competition)
    _low, high = team_bounds(offered_competency)
    if len(entry.members) >= high:
        raise ServiceError(ngettext("A team has at most %(n)d member.", "A team has at most %(n)d members.",
                        high, n=high), field="person")
    problems = eligibility_problems(person, entry.offered_category)
    if problems:
        raise ServiceError(" ".join(problems), field="person")
    entry.members.append(EntryMember(person=person, offered_category_id=entry.offered_category_id))
    db.session.flush()
    record("entry.member_add", entry, user=actor,
           competition_id=entry.offered_category.offered_competency.competition_id,
           person=person.id)
    return entry


def remove_team_member(entry: Entry, person: Person, *, actor=None) -> Entry:
    """Take ``person`` out of a team; refused when the team would fall below its minimum
    (withdraw the entry instead)."""
    if not entry.is_team:
        raise ServiceError(_("Only a team entry has members to remove."))
    member = next((m for m in entry.members if m.person_id == person.id), None)
    if member is None:
        raise ServiceError(_("%(name)s is not a member of this team.", name=person.full_name))
    low, _high = team_bounds(entry.offered_category.offered_competency)
    if len(entry.members) - 1 < low:
        raise ServiceError(ngettext(
            "A team needs at least %(n)d member: add another member first, or withdraw the "
            "entry.",
            "A team needs at least %(n)d members: add another member first, or withdraw the "
            "entry.", low, n=low))
    entry.members.remove(member)
    db.session.delete(member)
    db.session.flush()
    record("entry.member_remove", entry, user=actor,
           competition_id=entry.offered_category.offered_competency.competition_id,
           person=person.id, name=person.full_name)
    return entry


def set_out_of_competition(entry: Entry, value: bool, *, actor) -> Entry:
    """Mark an entry «вне конкурса» (guests, foreign or over-age competitors), or back in
    competition: it changes the live standings; what is published changes on republication."""
    value = bool(value)
    if entry.out_of_competition == value:
        return entry
    entry.out_of_competition = value
    record("entry.out_of_competition", entry, user=actor,
           competition_id=entry.offered_category.offered_competency.competition_id,
           old=not value, new=value)
    db.session.flush()
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
    db.session.flush()
    return entry
