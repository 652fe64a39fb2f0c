"""What waits in the database so that any instance can finish what another began: an
upload between its preview and its confirmation, and a background job with its file."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from .base import Model, utcnow

JOB_STATES = ("queued", "running", "done", "failed")


class PendingUpload(Model):
    """An uploaded spreadsheet waiting for its confirmation. Found by the SHA-256 of a random
    token that only its owner's session and confirm form know, and only for that owner, that
    kind of import and that competition; deleted by the confirmation, by a new upload of the
    same kind, or once expired (``importers.uploads.sweep``)."""

    __tablename__ = "pending_uploads"
    __table_args__ = (Index("ix_pending_uploads_expires_at", "expires_at"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    competition_id: Mapped[int]
    filename: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int]
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class Job(Model):
    """A piece of work run off the request (``registry.jobs``): its state and progress for
    the page that polls it, and the file it made, kept for its owner until ``expires_at``."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_expires_at", "expires_at"),
                      Index("ix_jobs_owner_id", "owner_id"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, unguessable
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200), default="")
    params: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    state: Mapped[str] = mapped_column(String(10), default="queued")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(500))
    filename: Mapped[str | None] = mapped_column(String(200))
    mimetype: Mapped[str | None] = mapped_column(String(120))
    size: Mapped[int | None]
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]
