"""The waiting room for uploads between the preview and the confirmation.

The uploaded bytes wait in the database (``models.PendingUpload``), so that any instance
behind the proxy can show the other pages of the preview and confirm, whichever received the
upload. An upload is found by the SHA-256 of a random token (the token itself is only in the
owner's session and in the confirm form), and only for its owner, its kind of import and the
competition it was uploaded for; the confirmation takes it back (``WaitingRoom.take``), builds
the plan again and writes it, and deletes it in the same transaction. Uploads left behind by
abandoned previews expire after a day: swept on every new upload and by ``flask sweep``.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app, session
from flask_login import current_user
from sqlalchemy import delete, select

from .. import transaction
from ..extensions import db
from ..models import PendingUpload, utcnow

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
MAX_AGE = timedelta(hours=24)


class UploadTooLarge(ValueError):
    pass


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def max_bytes() -> int:
    return int(current_app.config.get("MAX_CONTENT_LENGTH") or 10 * 1024 * 1024)


def sweep() -> int:
    """Delete the uploads whose day has passed; how many."""
    result = db.session.execute(delete(PendingUpload).where(PendingUpload.expires_at <= utcnow()))
    return result.rowcount or 0


def store(data: bytes, *, owner_id: int, kind: str, competition_id: int,
          filename: str | None) -> str:
    """Keep ``data`` for its owner; the token that finds it again."""
    if len(data) > max_bytes():
        raise UploadTooLarge(f"{len(data)} bytes, more than {max_bytes()}")
    sweep()
    token = secrets.token_urlsafe(24)
    now = utcnow()
    db.session.add(PendingUpload(token_hash=_hash(token), owner_id=owner_id, kind=kind,
                                 competition_id=competition_id, filename=filename,
                                 size=len(data), data=data, created_at=now,
                                 expires_at=now + MAX_AGE))
    db.session.flush()
    return token


def find(token, *, owner_id: int, kind: str, competition_id: int) -> PendingUpload | None:
    """The owner's upload of this kind for this competition named by ``token``, unexpired."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    return db.session.scalar(select(PendingUpload).where(
        PendingUpload.token_hash == _hash(token), PendingUpload.owner_id == owner_id,
        PendingUpload.kind == kind, PendingUpload.competition_id == competition_id,
        PendingUpload.expires_at > utcnow()))


def discard(token, *, owner_id: int, now: bool = False) -> None:
    """Delete the owner's upload named by ``token``: in the request's transaction, or with
    ``now`` in a short one of its own (for a request that rolls back and has written
    nothing)."""
    if not (isinstance(token, str) and _TOKEN.match(token)):
        return
    statement = delete(PendingUpload).where(PendingUpload.token_hash == _hash(token),
                                            PendingUpload.owner_id == owner_id)
    if now:
        with transaction.own() as connection:
            connection.execute(statement)
    else:
        db.session.execute(statement)


class WaitingRoom:
    """One kind of upload (``session_key``): at most one waits per session."""

    def __init__(self, session_key: str):
        self.session_key = session_key

    def keep(self, data: bytes, competition_id: int, filename: str | None) -> str:
        """Store ``data`` for the confirmation; the token goes into the confirm form."""
        self.forget()
        token = store(data, owner_id=current_user.id, kind=self.session_key,
                      competition_id=competition_id, filename=filename)
        session[self.session_key] = {"token": token, "competition_id": competition_id}
        return token

    def take(self, competition_id: int, token) -> tuple[bytes, str | None] | None:
        """The stored bytes and file name, when ``token`` is this user's upload for this
        competition and it has not expired; else None."""
        if not current_user.is_authenticated:
            return None
        upload = find(token, owner_id=current_user.id, kind=self.session_key,
                      competition_id=competition_id)
        return None if upload is None else (upload.data, upload.filename)

    def forget(self, *, now: bool = False) -> None:
        """Delete this session's waiting upload, if any; ``now``: whatever becomes of the
        request's transaction (a confirmation refused answers 422 and rolls back)."""
        stored = session.pop(self.session_key, None)
        if isinstance(stored, dict) and current_user.is_authenticated:
            discard(stored.get("token"), owner_id=current_user.id, now=now)
