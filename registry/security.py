"""Roles, permissions, and the one decorator that guards a view.

This is the role table: what a role may do anywhere. What depends on the object (this
competency, this competition) is in ``registry/access.py``, built on this table.

Every view either declares the permission it needs with ``@requires("…")`` or is marked
``@public``. A ``before_request`` hook refuses anonymous users everywhere else, and the
permission-matrix test walks ``app.url_map`` to check that no view forgot to declare.
"""
from __future__ import annotations

from functools import wraps

from flask import abort, request
from flask_login import current_user

ADMIN, ORGANISER, EXPERT, COORDINATOR = "admin", "organiser", "expert", "coordinator"

# The one table of who may do what.
PERMISSIONS: dict[str, frozenset[str]] = {
    "dashboard.view": frozenset({ADMIN, ORGANISER, EXPERT, COORDINATOR}),
    "users.manage": frozenset({ADMIN}),
    "refdata.view": frozenset({ADMIN, ORGANISER, COORDINATOR}),
    "refdata.manage": frozenset({ADMIN}),
    "competitions.view": frozenset({ADMIN, ORGANISER, COORDINATOR}),
    "competitions.manage": frozenset({ADMIN, ORGANISER}),
    # register award holders of a published competition into a later one (services.advancement)
    "competitions.advance": frozenset({ADMIN, ORGANISER}),
    "persons.view": frozenset({ADMIN, ORGANISER, COORDINATOR}),
    "persons.manage": frozenset({ADMIN, ORGANISER}),
    "health.view": frozenset({ADMIN, ORGANISER}),
    "health.manage": frozenset({ADMIN, ORGANISER}),
    # Marking and results. Object-level rules (assigned to this competency, chief expert here)
    # are the predicates of ``registry/access.py``, which build on these entries.
    "marking.mark": frozenset({EXPERT}),  # through assignments: only what one is assigned to
    "marking.sheets": frozenset({ADMIN, ORGANISER, EXPERT}),  # the list; experts: their own
    "marking.assign": frozenset({ADMIN, ORGANISER}),
    "marking.override": frozenset({ADMIN, ORGANISER}),  # confirm a sheet nobody assigned can
    "marking.scheme": frozenset({ADMIN, ORGANISER, EXPERT}),
    "marking.scheme_any": frozenset({ADMIN, ORGANISER}),  # every competency's scheme
    "results.publish": frozenset({ADMIN, ORGANISER, EXPERT}),
    "results.publish_any": frozenset({ADMIN, ORGANISER}),  # every competition
    "results.import": frozenset({ADMIN, ORGANISER}),
    "results.view": frozenset({ADMIN, ORGANISER, COORDINATOR, EXPERT}),
    "results.view_any": frozenset({ADMIN, ORGANISER, COORDINATOR}),  # every competition
    "exports.run": frozenset({ADMIN, ORGANISER, COORDINATOR}),
    "awards.manage": frozenset({ADMIN, ORGANISER}),
    "offers.view": frozenset({ADMIN, ORGANISER, COORDINATOR}),
    "offers.manage": frozenset({ADMIN, ORGANISER, COORDINATOR}),
    "audit.view": frozenset({ADMIN, ORGANISER}),
    # Diplomas: issued (and printed) by staff for a competition or a person; their templates
    # are the administrators'. Verification (/verify/<code>) is public.
    "diplomas.issue": frozenset({ADMIN, ORGANISER, COORDINATOR}),
    "diplomas.templates": frozenset({ADMIN}),
    # A background job's page and file: every role, and only the job's owner (registry.jobs)
    "jobs.own": frozenset({ADMIN, ORGANISER, EXPERT, COORDINATOR}),
}


def has_permission(user, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.role in PERMISSIONS[permission]
    )


def roles_with(permission: str) -> frozenset[str]:
    """For queries: the roles whose users hold ``permission``."""
    return PERMISSIONS[permission]


def can(permission: str) -> bool:
    """For templates: may the current user do this?"""
    return has_permission(current_user, permission)


def requires(permission: str):
    """Admit only users whose role holds ``permission``; others get 403."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not has_permission(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_permission = permission
        return wrapped

    return decorator


def public(view):
    """Mark a view as reachable without logging in (login page, language switch)."""
    view.is_public = True
    return view


def view_access(app, endpoint: str):
    """``"public"``, ``"token"`` (an API view: it checks its bearer token and its permission
    itself, ``registry/api/auth.py``), a permission name, or None when the view declares
    nothing."""
    if endpoint == "static" or endpoint.endswith(".static"):
        return "public"
    view = app.view_functions[endpoint]
    if getattr(view, "is_public", False):
        return "public"
    if getattr(view, "authenticates_by_token", False):
        return "token"
    return getattr(view, "required_permission", None)


def init_app(app, login_manager) -> None:
    @app.before_request
    def require_login():
        endpoint = request.endpoint
        if endpoint is None:  # 404 / 405: let Flask answer
            return None
        access = view_access(app, endpoint)
        if access in ("public", "token"):
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if access is None:
            # A view that forgot to declare is closed, never open.
            abort(403)
        return None
