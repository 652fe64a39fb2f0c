"""Merging two records of one organisation (of one region), and undoing it from the audit
entry: the persons and expert assignments of the merged one move to the survivor, the merged
one is deleted; the audit entry ``organisation.merge`` keeps its columns and the ids of what
moved, so that ``undo_merge`` puts it back."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, update

from ..extensions import db
from ..i18n import gettext as _
from ..models import AuditEntry, DistinctOrganisations, ExpertAssignment, Organisation, Person
from . import ServiceError
from .audit import record, undoable

MERGE, UNMERGE = "organisation.merge", "organisation.unmerge"


@dataclass
class OrganisationMergePlan:
    survivor: Organisation
    merged: Organisation
    persons: int
    assignments: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def person_counts(ids: list[int]) -> dict[int, int]:
    counts = dict(db.session.execute(
        select(Person.organisation_id, func.count()).where(Person.organisation_id.in_(ids))
        .group_by(Person.organisation_id)).all())
    return {i: counts.get(i, 0) for i in ids}


def merge_plan(survivor: Organisation, merged: Organisation) -> OrganisationMergePlan:
    problems = []
    if survivor.id == merged.id:
        problems.append(_("An organisation cannot be merged with itself."))
    elif survivor.region_id != merged.region_id:
        problems.append(_("The organisations are in different regions; correct the region of "
                          "the wrong one first."))
    assignments = db.session.scalar(select(func.count()).select_from(ExpertAssignment)
                                    .where(ExpertAssignment.organisation_id == merged.id))
    return OrganisationMergePlan(survivor, merged, person_counts([merged.id])[merged.id],
                                 assignments, problems)


def merge(survivor: Organisation, merged: Organisation, *, actor=None) -> AuditEntry:
    plan = merge_plan(survivor, merged)
    if not plan.ok:
        raise ServiceError(" ".join(plan.problems))
    db.session.flush()
    gone, kept = merged.id, survivor.id
    snapshot = {c.key: getattr(merged, c.key) for c in Organisation.__table__.columns}
    persons = list(db.session.scalars(select(Person.id).where(Person.organisation_id == gone)))
    assignments = list(db.session.scalars(
        select(ExpertAssignment.id).where(ExpertAssignment.organisation_id == gone)))
    distinct = [list(pair) for pair in db.session.execute(
        select(DistinctOrganisations.first_id, DistinctOrganisations.second_id).where(
            (DistinctOrganisations.first_id == gone) | (DistinctOrganisations.second_id == gone)))]
    if persons:
        db.session.execute(update(Person).where(Person.id.in_(persons))
                           .values(organisation_id=kept))
    if assignments:
        db.session.execute(update(ExpertAssignment).where(ExpertAssignment.id.in_(assignments))
                           .values(organisation_id=kept))
    db.session.execute(delete(DistinctOrganisations).where(
        (DistinctOrganisations.first_id == gone) | (DistinctOrganisations.second_id == gone)))
    db.session.expunge(merged)
    db.session.execute(delete(Organisation).where(Organisation.id == gone))
    db.session.flush()
    db.session.expire_all()
    entry = record(MERGE, object_type="organisations", object_id=kept, user=actor,
                   name=snapshot["name"], survivor=survivor.name, organisation=snapshot,
                   persons=persons, assignments=assignments, distinct=distinct)
    db.session.flush()
    return entry


def undone(entry: AuditEntry) -> bool:
    return db.session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == UNMERGE, AuditEntry.object_type == "audit_log",
        AuditEntry.object_id == entry.id)) is not None


def undo_merge(entry: AuditEntry, *, actor=None) -> Organisation:
    if entry.action != MERGE:
        raise ServiceError(_("This audit entry is not a merge of organisations."))
    if undone(entry):
        raise ServiceError(_("This merge has been undone already."))
    details = entry.details
    values = dict(details["organisation"])
    gone, kept = values["id"], entry.object_id
    if db.session.get(Organisation, gone) is not None:
        raise ServiceError(_("The merged organisation exists again; nothing to undo."))
    clash = db.session.scalar(select(Organisation).where(
        Organisation.region_id == values["region_id"], Organisation.name_key == values["name_key"]))
    if clash is not None:
        raise ServiceError(_("«%(name)s» has been added since under the same name; merge it "
                             "first.", name=clash.name))
    db.session.flush()
    db.session.execute(insert(Organisation).values(**values))
    if details.get("persons"):
        db.session.execute(update(Person).where(
            Person.id.in_(details["persons"]), Person.organisation_id == kept)
            .values(organisation_id=gone))
    if details.get("assignments"):
        db.session.execute(update(ExpertAssignment).where(
            ExpertAssignment.id.in_(details["assignments"]),
            ExpertAssignment.organisation_id == kept).values(organisation_id=gone))
    for first, second in details.get("distinct", []):
        if db.session.get(Organisation, first if second == gone else second) is not None:
            db.session.execute(insert(DistinctOrganisations).values(first_id=first,
                                                                    second_id=second))
    db.session.flush()
    db.session.expire_all()
    record(UNMERGE, object_type="audit_log", object_id=entry.id, user=actor,
           organisation_id=gone, name=values["name"])
    db.session.flush()
    return db.session.get(Organisation, gone)


def merges(limit: int = 20) -> list[tuple[AuditEntry, bool]]:
    """The latest merges of organisations and whether each was undone."""
    return undoable(MERGE, UNMERGE, limit)


def mark_distinct(a: Organisation, b: Organisation, *, actor=None) -> None:
    if a.id == b.id:
        raise ServiceError(_("Choose two different organisations."))
    first, second = sorted((a.id, b.id))
    if db.session.get(DistinctOrganisations, (first, second)) is None:
        db.session.add(DistinctOrganisations(first_id=first, second_id=second,
                                             marked_by_id=getattr(actor, "id", None)))
        db.session.flush()
        record("organisation.distinct", object_type="organisations", object_id=first,
               user=actor, other_id=second)
