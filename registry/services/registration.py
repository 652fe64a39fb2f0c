"""Registration: entries and teams, and the rules they obey.

One place for each rule:
- one entry per person per competition, competency and category;
- the category must be offered for that competency;
- minimum age per category on the competition's start date (``Category.min_age``);
- a person without consent on file is registered but flagged (``persons.consent_missing``);
- an individual or team entry as its offered competency says, a team within its bounds;
- no new entry once a competition's results are published or it is archived.

Functions that write flush and write their audit entry; they never commit (the request or
command commits once, ``registry/transaction.py``).

Persons (one record across stages and years, identified by ``person_key``) are in
``persons.py``. Organisations are in ``organisations.py`` (re-exported here, so
``registration.find_organisation`` keeps working for the forms and the importer).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select

from .. import kinds
from ..extensions import db
from ..i18n import gettext as _
from ..i18n import ngettext
from ..models import Entry, EntryMember, OfferedCategory, Person, utcnow
from ..text import quoted, squashed
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
from .persons import ADULT_AGE

MIN_TEAM_SIZE = 2
MAX_TEAM_SIZE = 4


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
    team_name = squashed(team_name)
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
    entry = Entry(offered_category=offered, team_name=squashed(team_name),
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
        [{"offered_category_id": entry[0], "team_name": squashed(entry[1]), "status": "registered",
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
    reason = squashed(reason)
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
