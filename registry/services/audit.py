"""Writing the audit log. Callers add the entry in their own transaction."""
from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import select

from ..extensions import db
from ..models import AuditEntry


def _via_api_token() -> str | None:
    """The name of the API token the current request came with (``registry/api/auth.py``):
    every write through the API says which token made it."""
    return g.get("api_token_name") if has_request_context() else None


def record(action: str, obj=None, *, user=None, competition_id: int | None = None,
           object_type: str | None = None, object_id: int | None = None, **details) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else obj.id
    entry = AuditEntry(
        action=action,
        object_type=object_type or "",
        object_id=object_id,
        competition_id=competition_id,
        user_id=getattr(user, "id", None),
        details={k: v for k, v in {**details, "api_token": _via_api_token()}.items()
                 if v is not None},
    )
    db.session.add(entry)
    return entry


def undoable(action: str, undo_action: str, limit: int = 20) -> list[tuple[AuditEntry, bool]]:
    """The latest ``limit`` entries of ``action``, each with whether an ``undo_action`` entry
    names it (a merge and its undo: ``person_merge``, ``organisation_merge``)."""
    entries = list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == action)
        .order_by(AuditEntry.id.desc()).limit(limit)))
    undone_ids = set(db.session.scalars(select(AuditEntry.object_id).where(
        AuditEntry.action == undo_action, AuditEntry.object_id.in_([e.id for e in entries]))))
    return [(e, e.id in undone_ids) for e in entries]
