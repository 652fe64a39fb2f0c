"""Object-level permissions: may this user do this to this object?

``security.PERMISSIONS`` says what a role may do anywhere ("an expert marks"); the predicates
here add what depends on the object ("…the competencies they are assigned to"). They build on
the role table through ``has_permission`` and the assignments in the database, so that no
service and no view compares roles.

- Services enforce: ``check(predicate, actor, object_id)`` raises ``NotAllowed``; an operation
  wrapped in ``@guarded(predicate, target)`` calls ``enforce`` first, for which an ``actor`` of
  None is the system (a CLI command, the demo generator), not governed by the role table.
- Views check before they act: ``require(predicate, current_user, object_id)`` answers 404
  when the user may not even learn that the object exists (an expert and a competency they
  are not assigned to) and 403 otherwise. A ``NotAllowed`` that escapes a view is answered the
  same way (the error handler in ``create_app``).

Every predicate takes ``(user, object_id)`` and carries ``refusal`` (the message of
``NotAllowed``) and ``seen`` (the predicate that decides 404 or 403).
"""
from __future__ import annotations

from functools import wraps

from flask import abort
from sqlalchemy import exists, select

from .extensions import db
from .i18n import lazy_gettext as _l
from .models import ExpertAssignment, OfferedCompetency
from .security import has_permission
from .services import ServiceError


class NotAllowed(ServiceError):
    """The actor may not do this to this object. ``hidden``: they may not learn it exists."""

    def __init__(self, message: str, *, hidden: bool = False):
        super().__init__(message)
        self.hidden = hidden

    @property
    def status(self) -> int:
        return 404 if self.hidden else 403


def _rule(refusal, *, seen=None):
    """Attach the refusal message and the visibility predicate (default: itself, i.e. a
    refusal always hides the object)."""

    def decorator(predicate):
        predicate.refusal = refusal
        predicate.seen = seen or predicate
        return predicate

    return decorator


def _authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


# --- roles that work through assignments -----------------------------------------------------

def is_marker(user) -> bool:
    """The user's role marks through assignments (experts): they see and change only what they
    are assigned to, and may be assigned."""
    return has_permission(user, "marking.mark")


def assignment_of(user, offered_competency_id: int) -> ExpertAssignment | None:
    if not is_marker(user):
        return None
    return db.session.scalar(select(ExpertAssignment).where(
        ExpertAssignment.offered_competency_id == offered_competency_id,
        ExpertAssignment.user_id == user.id))


# --- a competency (offered_competency_id) ----------------------------------------------------

@_rule(_l("You are not assigned to this competency."))
def can_mark(user, offered_competency_id: int) -> bool:
    return assignment_of(user, offered_competency_id) is not None


# The roles of an assignment (``ExpertAssignment.role``) and what each adds to marking:
#   expert    marks and submits sheets;
#   deputy    (заместитель главного эксперта) also confirms sheets it did not mark;
#   chief     (главный эксперт) also confirms, unlocks confirmed sheets with a reason, manages
#             the marking scheme and publishes the competition's results.
# Deputies do not unlock, change the scheme or publish: those stay with the one chief.
# Organisers may record an override of the confirmation, with a reason, when nobody assigned
# may confirm a sheet (``can_override_signoff``).

@_rule(_l("Only the chief expert of this competency does this."), seen=can_mark)
def is_chief(user, offered_competency_id: int) -> bool:
    assignment = assignment_of(user, offered_competency_id)
    return assignment is not None and assignment.is_chief


@_rule(_l("Only the chief expert or a deputy chief expert of this competency confirms "
          "sheets."), seen=can_mark)
def can_confirm(user, offered_competency_id: int) -> bool:
    """The chief expert and the deputy chief experts (not an author of the marks: the sheet
    operation checks that)."""
    assignment = assignment_of(user, offered_competency_id)
    return assignment is not None and assignment.signs_off


@_rule(_l("Only organisers record a confirmation override."), seen=lambda user, _id: True)
def can_override_signoff(user, offered_competency_id: int) -> bool:
    """Organisers and administrators: the way out when every chief or deputy of the
    competency wrote marks on the sheet."""
    return has_permission(user, "marking.override")


@_rule(_l("Only organisers and the chief expert of this competency change its marking "
          "scheme."), seen=can_mark)
def can_manage_scheme(user, offered_competency_id: int) -> bool:
    """Organisers and administrators, and the chief expert of the competency."""
    return has_permission(user, "marking.scheme_any") or is_chief(user, offered_competency_id)


# --- a competition (competition_id) ----------------------------------------------------------

def is_assigned_to_competition(user, competition_id: int) -> bool:
    if not is_marker(user):
        return False
    return bool(db.session.scalar(select(exists().where(
        ExpertAssignment.user_id == user.id,
        ExpertAssignment.offered_competency_id == OfferedCompetency.id,
        OfferedCompetency.competition_id == competition_id))))


@_rule(_l("You are not assigned to this competition."))
def can_view_results(user, competition_id: int) -> bool:
    """Staff see every competition's results; an expert only those they are assigned to."""
    if not _authenticated(user):
        return False
    return (has_permission(user, "results.view_any")
            or is_assigned_to_competition(user, competition_id))


@_rule(_l("You are not assigned to this competency."))
def can_view_competency_results(user, offered_competency_id: int) -> bool:
    """Staff see every competency's results; an expert only those of the competencies they
    are assigned to, published or not (another competency's results are not theirs to see
    before the public does)."""
    if not _authenticated(user):
        return False
    return has_permission(user, "results.view_any") or can_mark(user, offered_competency_id)


def sees_every_competency(user) -> bool:
    """Whether the results pages may show a whole competition to ``user`` at once."""
    return has_permission(user, "results.view_any")


@_rule(_l("Only organisers publish the results of the whole competition."),
       seen=can_view_results)
def can_publish(user, competition_id: int) -> bool:
    """Organisers and administrators publish a whole competition (and declare a competency
    not held); a chief expert publishes only their competency (``can_publish_competency``)."""
    return _authenticated(user) and has_permission(user, "results.publish_any")


@_rule(_l("Only organisers and the chief expert of this competency publish its results."),
       seen=can_mark)
def can_publish_competency(user, offered_competency_id: int) -> bool:
    """Organisers and administrators, and the chief expert of the competency."""
    if not _authenticated(user):
        return False
    return (has_permission(user, "results.publish_any")
            or is_chief(user, offered_competency_id))


@_rule(_l("Only organisers and the experts of this competition see draft results."),
       seen=can_view_results)
def can_view_draft(user, competition_id: int) -> bool:
    """Changes made after a publication, not yet republished: organisers and administrators,
    and the experts assigned to the competition; coordinators see only what is published."""
    if not _authenticated(user):
        return False
    return (has_permission(user, "results.publish_any")
            or is_assigned_to_competition(user, competition_id))


@_rule(_l("Only organisers assign experts."), seen=lambda user, _id: True)
def can_assign(user, competition_id: int) -> bool:
    """Who assigns experts to the competencies of a competition (any competition today)."""
    return has_permission(user, "marking.assign")


@_rule(_l("Your role does not issue diplomas."), seen=lambda user, _id: True)
def can_issue_diplomas(user, competition_id: int) -> bool:
    """Who issues and prints the diplomas of a competition (any competition today)."""
    return _authenticated(user) and has_permission(user, "diplomas.issue")


# --- enforcing -------------------------------------------------------------------------------

def _refusal(predicate, user, object_id, message=None) -> NotAllowed | None:
    if predicate(user, object_id):
        return None
    return NotAllowed(str(message or predicate.refusal),
                      hidden=not predicate.seen(user, object_id))


def check(predicate, user, object_id, message=None) -> None:
    """Raise ``NotAllowed`` (with ``message``, or the predicate's own) unless ``user`` may."""
    refusal = _refusal(predicate, user, object_id, message)
    if refusal is not None:
        raise refusal


def enforce(predicate, actor, object_id) -> None:
    """For services: ``check``, except that an ``actor`` of None (the system) may."""
    if actor is not None:
        check(predicate, actor, object_id)


def guarded(predicate, target):
    """Wrap a service operation that takes ``actor=`` so that it first enforces ``predicate``
    on ``target(*args, **kwargs)`` (the id of the object it changes); the body is unchanged."""

    def decorator(operation):
        @wraps(operation)
        def wrapped(*args, actor=None, **kwargs):
            enforce(predicate, actor, target(*args, **kwargs))
            return operation(*args, actor=actor, **kwargs)

        wrapped.guarded_by = predicate
        return wrapped

    return decorator


def require(predicate, user, object_id) -> None:
    """For views, the one place a refusal becomes a status: 404 when the user may not learn
    that the object exists, 403 otherwise."""
    refusal = _refusal(predicate, user, object_id)
    if refusal is not None:
        abort(refusal.status)

