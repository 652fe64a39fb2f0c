"""Merging two records of one person, and undoing it from the audit entry.

``merge_plan(survivor, merged)`` says what would move (entries, awards, offers, the health
record, contact details and consents the survivor lacks) and what stops the merge (two
entries in one competency of one competition; two health records); ``merge`` does it, all or
nothing: the merged person is deleted, its number and address lead to the survivor
(``PersonRedirect``), and the audit entry ``person.merge`` keeps everything needed to put it
back (the merged person's columns and the ids of what moved). ``undo_merge(entry)`` does so.
The survivor keeps its own number and data; nothing of the merged person is lost.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, insert, select, update

from ..extensions import db
from ..i18n import gettext as _
from ..models import (
    AuditEntry,
    Award,
    Category,
    Competency,
    Competition,
    DistinctPersons,
    Entry,
    EntryMember,
    HealthRecord,
    InternshipOffer,
    OfferedCategory,
    OfferedCompetency,
    Person,
    PersonRedirect,
)
from . import ServiceError
from .audit import record, undoable
from .person_numbers import format_number

MERGE, UNMERGE = "person.merge", "person.unmerge"
# What the survivor takes from the merged person when it has none of its own.
FILLED = ("organisation_id", "email", "phone", "consent_date", "guardian_name",
          "guardian_consent_date")
_DATES = {"birth_date", "consent_date", "guardian_consent_date"}
_TIMES = {"created_at", "updated_at"}


@dataclass
class EntryLine:
    entry_id: int
    offered_competency_id: int
    competition: str
    year: int
    competency: str
    category: str
    team: str | None


@dataclass
class MergePlan:
    survivor: Person
    merged: Person
    survivor_entries: list[EntryLine] = field(default_factory=list)
    entries: list[EntryLine] = field(default_factory=list)      # the merged person's: they move
    awards: list[Award] = field(default_factory=list)           # personal awards that move
    offers: list[InternshipOffer] = field(default_factory=list)
    health_moves: bool = False
    filled: dict[str, object] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def entry_lines(person_ids: list[int]) -> dict[int, list[EntryLine]]:
    """Each person's entries with their competition, competency and category (one query)."""
    lines: dict[int, list[EntryLine]] = {pid: [] for pid in person_ids}
    for (person_id, entry_id, oc_id, title, year, competency, category,
         team) in db.session.execute(
            select(EntryMember.person_id, Entry.id, OfferedCompetency.id, Competition.title,
                   Competition.year, Competency.name, Category.name, Entry.team_name)
            .join(Entry, Entry.id == EntryMember.entry_id)
            .join(OfferedCategory, OfferedCategory.id == Entry.offered_category_id)
            .join(Category, Category.id == OfferedCategory.category_id)
            .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
            .join(Competency, Competency.id == OfferedCompetency.competency_id)
            .join(Competition, Competition.id == OfferedCompetency.competition_id)
            .where(EntryMember.person_id.in_(person_ids))
            .order_by(Competition.year, Competition.starts_on, Competition.id, Competency.name)):
        lines[person_id].append(EntryLine(entry_id, oc_id, title, year, competency, category,
                                          team))
    return lines


def _health(person_id: int) -> bool:
    return db.session.get(HealthRecord, person_id) is not None


def merge_plan(survivor: Person, merged: Person) -> MergePlan:
    plan = MergePlan(survivor, merged)
    if survivor.id == merged.id:
        plan.problems.append(_("A person cannot be merged with themselves."))
        return plan
    lines = entry_lines([survivor.id, merged.id])
    plan.survivor_entries, plan.entries = lines[survivor.id], lines[merged.id]
    kept = {line.offered_competency_id: line for line in plan.survivor_entries}
    for line in plan.entries:
        other = kept.get(line.offered_competency_id)
        if other is not None:
            plan.problems.append(_(
                "Both are entered in «%(competency)s» of «%(competition)s» (%(first)s and "
                "%(second)s): one person cannot have two entries in one competency. Withdraw "
                "the wrong one from its team or delete it first.",
                competency=line.competency, competition=line.competition,
                first=other.category, second=line.category))
    plan.awards = list(db.session.scalars(select(Award).where(Award.person_id == merged.id)))
    plan.offers = list(db.session.scalars(
        select(InternshipOffer).where(InternshipOffer.person_id == merged.id)))
    if _health(merged.id):
        if _health(survivor.id):
            plan.problems.append(_(
                "Both have health data; delete the record that is wrong on its person's page "
                "first."))
        else:
            plan.health_moves = True
    for name in FILLED:
        if getattr(survivor, name) in (None, "") and getattr(merged, name) not in (None, ""):
            plan.filled[name] = getattr(merged, name)
    return plan


def _snapshot(person: Person) -> dict:
    values = {}
    for column in Person.__table__.columns:
        value = getattr(person, column.key)
        values[column.key] = value.isoformat() if isinstance(value, date | datetime) else value
    return values


def _restore(values: dict) -> dict:
    restored = dict(values)
    for name in _DATES:
        if restored.get(name):
            restored[name] = date.fromisoformat(restored[name])
    for name in _TIMES:
        if restored.get(name):
            restored[name] = datetime.fromisoformat(restored[name])
    return restored


def merge(survivor: Person, merged: Person, *, actor=None) -> AuditEntry:
    """Merge ``merged`` into ``survivor``: all or nothing; refused with every problem of
    ``merge_plan``. Flushes and audits; the request commits."""
    plan = merge_plan(survivor, merged)
    if not plan.ok:
        raise ServiceError(" ".join(plan.problems))
    db.session.flush()
    snapshot = _snapshot(merged)
    gone, kept = merged.id, survivor.id
    members = list(db.session.scalars(
        select(EntryMember.id).where(EntryMember.person_id == gone)))
    redirects = list(db.session.scalars(
        select(PersonRedirect.person_id).where(PersonRedirect.survivor_id == gone)))
    distinct = [list(pair) for pair in db.session.execute(
        select(DistinctPersons.first_id, DistinctPersons.second_id)
        .where((DistinctPersons.first_id == gone) | (DistinctPersons.second_id == gone)))]
    if members:
        db.session.execute(update(EntryMember).where(EntryMember.id.in_(members))
                           .values(person_id=kept))
    awards = [a.id for a in plan.awards]
    if awards:
        db.session.execute(update(Award).where(Award.id.in_(awards)).values(person_id=kept))
    offers = [o.id for o in plan.offers]
    if offers:
        db.session.execute(update(InternshipOffer).where(InternshipOffer.id.in_(offers))
                           .values(person_id=kept))
    if plan.health_moves:
        db.session.execute(update(HealthRecord).where(HealthRecord.person_id == gone)
                           .values(person_id=kept))
    if redirects:
        db.session.execute(update(PersonRedirect).where(PersonRedirect.person_id.in_(redirects))
                           .values(survivor_id=kept))
    db.session.execute(delete(DistinctPersons).where(
        (DistinctPersons.first_id == gone) | (DistinctPersons.second_id == gone)))
    for name, value in plan.filled.items():
        setattr(survivor, name, value)
    db.session.expunge(merged)
    db.session.execute(delete(Person).where(Person.id == gone))
    db.session.add(PersonRedirect(person_id=gone, number=snapshot["number"], survivor_id=kept))
    db.session.flush()
    db.session.expire_all()  # the rows moved under the session's objects
    entry = record(
        MERGE, object_type="persons", object_id=kept, user=actor,
        survivor_number=format_number(survivor.number),
        merged_number=format_number(snapshot["number"]),
        name=f"{snapshot['last_name']} {snapshot['first_name']}",
        person=snapshot, members=members, awards=awards, offers=offers,
        health=plan.health_moves, redirects=redirects, distinct=distinct,
        filled=sorted(plan.filled),
        filled_values={k: (v.isoformat() if isinstance(v, date) else v)
                       for k, v in plan.filled.items()})
    db.session.flush()
    return entry


def undone(entry: AuditEntry) -> bool:
    return db.session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == UNMERGE, AuditEntry.object_type == "audit_log",
        AuditEntry.object_id == entry.id)) is not None


def undo_merge(entry: AuditEntry, *, actor=None) -> Person:
    """Put back the person a ``person.merge`` entry merged away, with what moved."""
    if entry.action != MERGE:
        raise ServiceError(_("This audit entry is not a merge of persons."))
    if undone(entry):
        raise ServiceError(_("This merge has been undone already."))
    details = entry.details
    survivor = db.session.get(Person, entry.object_id)
    if survivor is None:
        raise ServiceError(_("The person kept by this merge no longer exists (it was merged "
                             "into another since): undo that merge first."))
    values = _restore(details["person"])
    gone = values["id"]
    if db.session.get(Person, gone) is not None:
        raise ServiceError(_("The merged person exists again; nothing to undo."))
    clash = db.session.scalar(select(Person).where(Person.identity_key == values["identity_key"]))
    if clash is not None:
        raise ServiceError(_("%(name)s (%(number)s) has been added since with the same name and "
                             "birth date; merge or rename that record first.",
                             name=clash.full_name, number=format_number(clash.number)))
    db.session.flush()
    kept = survivor.id
    db.session.execute(delete(PersonRedirect).where(PersonRedirect.person_id == gone))
    db.session.execute(insert(Person).values(**values))
    if details.get("members"):
        db.session.execute(update(EntryMember).where(
            EntryMember.id.in_(details["members"]), EntryMember.person_id == kept)
            .values(person_id=gone))
    if details.get("awards"):
        db.session.execute(update(Award).where(
            Award.id.in_(details["awards"]), Award.person_id == kept).values(person_id=gone))
    if details.get("offers"):
        db.session.execute(update(InternshipOffer).where(
            InternshipOffer.id.in_(details["offers"]), InternshipOffer.person_id == kept)
            .values(person_id=gone))
    if details.get("health"):
        db.session.execute(update(HealthRecord).where(HealthRecord.person_id == kept)
                           .values(person_id=gone))
    if details.get("redirects"):
        db.session.execute(update(PersonRedirect).where(
            PersonRedirect.person_id.in_(details["redirects"]),
            PersonRedirect.survivor_id == kept).values(survivor_id=gone))
    for first, second in details.get("distinct", []):
        if db.session.get(Person, first if second == gone else second) is not None:
            db.session.execute(insert(DistinctPersons).values(first_id=first, second_id=second))
    # details the survivor took from the merged person go back, unless changed since
    filled = _restore(details.get("filled_values", {}))
    for name, value in filled.items():
        if getattr(survivor, name) == value:
            setattr(survivor, name, None)
    db.session.flush()
    db.session.expire_all()
    restored = db.session.get(Person, gone)
    record(UNMERGE, object_type="audit_log", object_id=entry.id, user=actor,
           survivor_id=kept, person_id=gone, number=format_number(values["number"]))
    db.session.flush()
    return restored


def merges(limit: int = 20) -> list[tuple[AuditEntry, bool]]:
    """The latest merges of persons and whether each was undone."""
    return undoable(MERGE, UNMERGE, limit)


def mark_distinct(a: Person, b: Person, *, actor=None) -> None:
    """Two namesakes who are really two people: not offered as duplicates again."""
    if a.id == b.id:
        raise ServiceError(_("Choose two different persons."))
    first, second = sorted((a.id, b.id))
    if db.session.get(DistinctPersons, (first, second)) is None:
        db.session.add(DistinctPersons(first_id=first, second_id=second,
                                       marked_by_id=getattr(actor, "id", None)))
        db.session.flush()
        record("person.distinct", object_type="persons", object_id=first, user=actor,
               other_id=second, numbers=[format_number(a.number), format_number(b.number)])
