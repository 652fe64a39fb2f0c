"""Expert assignments: who marks which competency in which role (one chief expert per
competency, any number of deputies and experts), and the conflicts of interest an assignment
names (the expert's organisation or region)."""
from __future__ import annotations

from sqlalchemy import select

from ... import access
from ...extensions import db
from ...i18n import gettext as _
from ...models import (
    ASSIGNMENT_ROLES,
    Entry,
    ExpertAssignment,
    OfferedCompetency,
    Organisation,
    Region,
    User,
)
from .. import ServiceError
from ..audit import record


@access.guarded(access.can_assign, lambda offered_competency, *a, **k:
                offered_competency.competition_id)
def assign_expert(offered_competency: OfferedCompetency, user: User, *, role: str | None = None,
                  is_chief: bool = False, organisation: Organisation | None = None,
                  region: Region | None = None, actor=None) -> ExpertAssignment:
    """Assign ``user`` in ``role`` (one of ``ASSIGNMENT_ROLES``; ``is_chief=True`` is short
    for the chief's role, the default is an expert)."""
    role = role or ("chief" if is_chief else "expert")
    if role not in ASSIGNMENT_ROLES:
        raise ServiceError(_("Choose a role."), field="role")
    if not access.is_marker(user):
        raise ServiceError(_("Only users with the expert role can be assigned."), field="user")
    if not user.active:
        raise ServiceError(_("This account is deactivated."), field="user")
    existing = db.session.scalar(select(ExpertAssignment).where(
        ExpertAssignment.offered_competency_id == offered_competency.id,
        ExpertAssignment.user_id == user.id))
    if existing is not None:
        raise ServiceError(_("This expert is already assigned to this competency."),
                           field="user")
    assignment = ExpertAssignment(offered_competency=offered_competency, user=user,
                                  role=role, organisation=organisation, region=region)
    if assignment.is_chief:
        chief = db.session.scalar(select(ExpertAssignment).where(
            ExpertAssignment.offered_competency_id == offered_competency.id,
            ExpertAssignment.is_chief))
        if chief is not None:
            raise ServiceError(_("%(name)s is already the chief expert of this competency.",
                                 name=chief.user.display_name), field="role")
    db.session.add(assignment)
    db.session.flush()
    record("expert.assign", assignment, user=actor,
           competition_id=offered_competency.competition_id, expert=user.email,
           competency=offered_competency.competency.name, role=role,
           organisation=organisation.name if organisation else None,
           region=region.name if region else None)
    db.session.flush()
    return assignment


@access.guarded(access.can_assign,
                lambda assignment, **k: assignment.offered_competency.competition_id)
def remove_assignment(assignment: ExpertAssignment, *, actor=None) -> None:
    oc = assignment.offered_competency
    record("expert.remove", assignment, user=actor, competition_id=oc.competition_id,
           expert=assignment.user.email, competency=oc.competency.name, role=assignment.role)
    db.session.delete(assignment)
    db.session.flush()


# --- conflicts of interest -------------------------------------------------------------------

def conflicts(assignment: ExpertAssignment | None, entries: list[Entry]) -> dict[int, str]:
    """``{entry_id: why this expert may not mark it}``, answered from the loaded members."""
    if assignment is None or (assignment.organisation_id is None
                              and assignment.region_id is None):
        return {}
    found = {}
    for entry in entries:
        for member in entry.members:
            person = member.person
            if (assignment.organisation_id is not None
                    and person.organisation_id == assignment.organisation_id):
                found[entry.id] = _("conflict of interest: %(name)s is from your organisation "
                                    "(%(org)s)", name=person.full_name,
                                    org=assignment.organisation.name)
                break
            if assignment.region_id is not None and person.region_id == assignment.region_id:
                found[entry.id] = _("conflict of interest: %(name)s is from your region "
                                    "(%(region)s)", name=person.full_name,
                                    region=assignment.region.name)
                break
    return found
