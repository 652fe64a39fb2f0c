"""Advancement between stages: the award holders of a published competition registered into a
later competition of the same kind (a later stage of the season, or a next season).

``plan(source, target, selection)`` reads and checks, writes nothing: one line per chosen
award holder (a person, or a team with its members) saying whether it is added, already there,
or refused there and why. ``apply(plan)`` registers every line to add through
``registration.register`` — the same rules as a registration by hand (category offered,
individual or team, ages on the target's day, one entry per person) — and writes one audit
entry; it refuses the whole plan if any line is refused (all or nothing). The web page and
``flask competitions advance`` show the same plan.

``person_path`` is the other half: a person's entries stage by stage, for their page.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload, selectinload

from .. import kinds
from ..extensions import db
from ..i18n import gettext as _
from ..models import (
    Award,
    Category,
    Competency,
    Competition,
    Entry,
    EntryMember,
    OfferedCategory,
    OfferedCompetency,
    Person,
    Publication,
)
from ..text import quoted
from . import ServiceError, registration
from .audit import record

STAGE_ORDER = {"regional": 0, "selection": 1, "final": 2}
PUBLISHED_STATUSES = ("results_published", "archived")

ADD, ALREADY, REFUSED = "add", "already", "refused"


@dataclass(frozen=True)
class Selection:
    """Which award holders move: these awards (default: the kind's first, gold or
    «Победитель»), optionally of one competency and one category."""

    awards: tuple[str, ...] = ()
    competency_id: int | None = None
    category_id: int | None = None


@dataclass
class Line:
    """One award holder of the source and what happens to it in the target."""

    entry: Entry
    award: str
    place: int | None
    competency: Competency
    category: Category
    persons: list[Person]
    target: OfferedCategory | None = None
    status: str = ADD
    problems: list[str] = field(default_factory=list)

    @property
    def team_name(self) -> str | None:
        return self.entry.team_name

    @property
    def names(self) -> str:
        return ", ".join(p.full_name for p in self.persons)


@dataclass
class Plan:
    source: Competition
    target: Competition
    selection: Selection
    lines: list[Line] = field(default_factory=list)

    def having(self, status: str) -> list[Line]:
        return [line for line in self.lines if line.status == status]

    @property
    def to_add(self) -> list[Line]:
        return self.having(ADD)

    @property
    def already(self) -> list[Line]:
        return self.having(ALREADY)

    @property
    def refused(self) -> list[Line]:
        return self.having(REFUSED)

    @property
    def ok(self) -> bool:
        """Nothing refused and something to add."""
        return not self.refused and bool(self.to_add)

    @property
    def fingerprint(self) -> str:
        """What the plan would do, in a few characters: the confirmation carries the preview's,
        so that a plan changed in between (someone registered, results republished) is shown
        again instead of applied unseen."""
        text = ";".join(f"{line.entry.id}:{line.status}:{line.target.id if line.target else ''}"
                        for line in sorted(self.lines, key=lambda line: line.entry.id))
        return hashlib.sha256(f"{self.target.id}|{text}".encode()).hexdigest()[:16]


# --- the competitions ------------------------------------------------------------------------

def _published(competition: Competition) -> bool:
    return competition.status in PUBLISHED_STATUSES or bool(db.session.scalar(
        select(exists().where(Publication.competition_id == competition.id))))


def source_problem(source: Competition) -> str | None:
    """Why ``source`` has no award holders to advance yet (None when it has published)."""
    if not _published(source):
        return _("%(title)s has no published results: its award holders are known only once "
                 "they are published.", title=quoted(source.title))
    return None


def competition_problem(source: Competition, target: Competition | None) -> str | None:
    """Why award holders of ``source`` cannot move into ``target`` at all (None if they can)."""
    if problem := source_problem(source):
        return problem
    if target is None:
        return _("Choose the competition to advance into.")
    if target.id == source.id:
        return _("Choose another competition: award holders advance into a later one.")
    if target.kind_id != source.kind_id:
        return _("%(target)s is a competition of another kind: award holders of %(kind)s "
                 "advance only within %(kind)s.", target=quoted(target.title),
                 kind=quoted(source.kind.short_name))
    if (target.year, STAGE_ORDER[target.stage]) <= (source.year, STAGE_ORDER[source.stage]):
        return _("%(target)s is neither a later stage of %(year)d nor a later season than "
                 "%(source)s.", target=quoted(target.title), year=source.year,
                 source=quoted(source.title))
    return registration.closed_problem(target)


def targets(source: Competition) -> list[Competition]:
    """The competitions ``source``'s award holders may advance into, nearest first."""
    later = db.session.scalars(
        select(Competition).where(Competition.kind_id == source.kind_id,
                                  Competition.id != source.id,
                                  Competition.year >= source.year,
                                  Competition.status.notin_(registration.CLOSED_STATUSES))
        .order_by(Competition.year, Competition.starts_on, Competition.id))
    return [c for c in later
            if (c.year, STAGE_ORDER[c.stage]) > (source.year, STAGE_ORDER[source.stage])]


def default_awards(competition: Competition) -> tuple[str, ...]:
    return kinds.rules(competition.kind.slug).awards[:1]


def award_choices(competition: Competition) -> tuple[str, ...]:
    return kinds.rules(competition.kind.slug).awards


# --- the plan --------------------------------------------------------------------------------

def _holders(source: Competition, selection: Selection) -> list[tuple[Award, Entry, Competency,
                                                                       Category]]:
    query = (
        select(Award, Entry, Competency, Category)
        .join(Entry, Entry.id == Award.entry_id)
        .join(OfferedCategory, OfferedCategory.id == Entry.offered_category_id)
        .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
        .join(Competency, Competency.id == OfferedCompetency.competency_id)
        .join(Category, Category.id == OfferedCategory.category_id)
        .where(Award.competition_id == source.id, Award.source == "results",
               Award.kind.in_(selection.awards), Entry.status == "registered")
        .options(selectinload(Entry.members).joinedload(EntryMember.person))
        .order_by(Competency.name, Category.position, Award.place, Entry.id))
    if selection.competency_id is not None:
        query = query.where(Competency.id == selection.competency_id)
    if selection.category_id is not None:
        query = query.where(Category.id == selection.category_id)
    return db.session.execute(query).all()


def _offered_in(target: Competition) -> dict[tuple[int, int], OfferedCategory]:
    return {(oc.offered_competency.competency_id, oc.category_id): oc
            for oc in db.session.scalars(
                select(OfferedCategory).join(OfferedCompetency)
                .where(OfferedCompetency.competition_id == target.id)
                .options(joinedload(OfferedCategory.offered_competency)
                         .joinedload(OfferedCompetency.competency),
                         joinedload(OfferedCategory.offered_competency)
                         .joinedload(OfferedCompetency.competition),
                         joinedload(OfferedCategory.category)))}


def _registered(offered_ids: set[int]) -> set[tuple[int, int]]:
    """(offered category, person) pairs already registered in the target."""
    if not offered_ids:
        return set()
    return set(db.session.execute(
        select(EntryMember.offered_category_id, EntryMember.person_id)
        .where(EntryMember.offered_category_id.in_(offered_ids))).all())


def _team_names(offered_ids: set[int]) -> set[tuple[int, str]]:
    if not offered_ids:
        return set()
    return set(db.session.execute(
        select(Entry.offered_category_id, Entry.team_name)
        .where(Entry.offered_category_id.in_(offered_ids), Entry.team_name.is_not(None))).all())


def plan(source: Competition, target: Competition | None,
         selection: Selection | None = None) -> Plan:
    """Who of ``source``'s award holders would be added to ``target``, who is there already
    and who is refused there, and why; writes nothing. ``ServiceError`` when the two
    competitions do not allow an advancement at all."""
    if problem := competition_problem(source, target):
        raise ServiceError(problem, field="target")
    selection = selection or Selection()
    allowed = award_choices(source)
    awards = tuple(a for a in allowed if a in (selection.awards or default_awards(source)))
    unknown = set(selection.awards) - set(allowed)
    if unknown or not awards:
        raise ServiceError(_("%(kind)s has no such award: %(awards)s.",
                             kind=source.kind.short_name,
                             awards=", ".join(sorted(unknown)) or "—"), field="awards")
    selection = Selection(awards, selection.competency_id, selection.category_id)
    result = Plan(source, target, selection)
    offered = _offered_in(target)
    offered_ids = {o.id for o in offered.values()}
    registered = _registered(offered_ids)
    teams = _team_names(offered_ids)
    for award, entry, competency, category in _holders(source, selection):
        line = Line(entry, award.kind, award.place, competency, category,
                    [m.person for m in entry.members])
        result.lines.append(line)
        line.target = offered.get((competency.id, category.id))
        if line.target is None:
            line.status = REFUSED
            line.problems.append(_("%(target)s does not offer «%(competency)s» in the category "
                                   "«%(category)s».", target=quoted(target.title),
                                   competency=competency.name, category=category.name))
            continue
        there = {p.id for p in line.persons if (line.target.id, p.id) in registered}
        if there and len(there) == len(line.persons):
            line.status = ALREADY
            continue
        if problem := registration.entry_shape_problem(
                line.target.offered_competency, len(line.persons), team=entry.is_team):
            line.problems.append(problem)
        if entry.is_team and (line.target.id, entry.team_name) in teams:
            line.problems.append(_("A team with this name is already registered here."))
        for person in line.persons:  # ages and categories, and who is there already
            line.problems.extend(registration.eligibility_problems(person, line.target))
        if line.problems:
            line.status = REFUSED
    return result


def apply(plan_: Plan, *, actor=None) -> list[Entry]:
    """Register every line of ``plan_`` to add; refuses the whole plan if any line is refused
    (nothing written). Flushes and writes one audit entry; the caller commits."""
    if plan_.refused:
        raise ServiceError(_("Nothing was registered: %(n)d of the chosen award holders cannot "
                             "be registered there (see the list).", n=len(plan_.refused)))
    if not plan_.to_add:
        raise ServiceError(_("Nobody to add: every chosen award holder is registered there "
                             "already, or none was chosen."))
    entries = [registration.register(line.target, line.persons, team_name=line.team_name,
                                     actor=actor)
               for line in plan_.to_add]
    db.session.flush()
    record("competition.advance", plan_.target, user=actor, competition_id=plan_.target.id,
           source=plan_.source.id, awards=list(plan_.selection.awards),
           competency=plan_.selection.competency_id, category=plan_.selection.category_id,
           added=[e.id for e in entries], from_entries=[line.entry.id for line in plan_.to_add],
           already=[line.entry.id for line in plan_.already])
    return entries


# --- a person's path -------------------------------------------------------------------------

@dataclass
class PathStep:
    competition: Competition
    competency: str
    category: str
    team_name: str | None
    status: str
    place: int | None
    award: str | None


def person_path(entries: list[tuple], results: list) -> list[PathStep]:
    """A person's entries in the order they were contested: season, then stage (regional,
    selection, final), then date; with the place and award as published (``results``:
    ``person_history.published_results`` of the same ``entries``). No query."""
    published = {r.entry.id: r for r in results}
    steps = []
    for entry, competition, _kind, competency, category in entries:
        result = published.get(entry.id)
        steps.append(PathStep(competition, str(competency), category.name, entry.team_name,
                              entry.status, result.rank if result else None,
                              result.award if result else None))
    return sorted(steps, key=lambda s: (s.competition.year, STAGE_ORDER[s.competition.stage],
                                        s.competition.starts_on or date.max,
                                        s.competition.id))
