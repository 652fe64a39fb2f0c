"""Diplomas: the templates of each award kind's diploma, and every diploma issued, with the
code that verifies it (``/verify/<code>``) and its revocation when the award is withdrawn."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .awards import AWARD_KINDS, Award
from .base import Model, utcnow
from .competitions import Competition
from .people import Entry, Person
from .users import User

# A diploma for each award kind, and a participation certificate for an entry.
DIPLOMA_KINDS = (*AWARD_KINDS, "participation")


class DiplomaTemplate(Model):
    """What an administrator changed of a kind's diploma; a kind without a row prints the
    defaults of ``services.diplomas.DEFAULT_TEMPLATES``."""

    __tablename__ = "diploma_templates"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('gold', 'silver', 'bronze', 'medallion', 'winner', 'prize_winner', "
            "'special', 'participation')", name="kind"),
        CheckConstraint("background_type IS NULL OR background_type IN ('png', 'jpeg')",
                        name="background_type"),
    )

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    award_line: Mapped[str | None] = mapped_column(String(200))
    intro: Mapped[str | None] = mapped_column(String(200))
    issuer: Mapped[str | None] = mapped_column(String(300))
    signatory_1: Mapped[str | None] = mapped_column(String(200))
    signatory_2: Mapped[str | None] = mapped_column(String(200))
    footer: Mapped[str | None] = mapped_column(String(300))
    background: Mapped[bytes | None] = mapped_column(LargeBinary)
    background_type: Mapped[str | None] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Diploma(Model):
    """One diploma issued to one person: for an award (every member of a team gets one) or a
    participation certificate for an entry. What it printed is kept (name, award, competition),
    so that its verification says what the paper says even after the award is gone; the award
    withdrawn or changed by a republication revokes it (``revoked_at``, ``revoked_reason``)."""

    __tablename__ = "diplomas"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('gold', 'silver', 'bronze', 'medallion', 'winner', 'prize_winner', "
            "'special', 'participation')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    award_id: Mapped[int | None] = mapped_column(
        ForeignKey("awards.id", ondelete="SET NULL"), index=True)
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("entries.id", ondelete="SET NULL"), index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), index=True)
    competition_id: Mapped[int | None] = mapped_column(
        ForeignKey("competitions.id", ondelete="SET NULL"), index=True)
    name_printed: Mapped[str] = mapped_column(String(320))
    award_printed: Mapped[str] = mapped_column(String(400))
    competition_printed: Mapped[str | None] = mapped_column(String(400))
    # the other lines as printed: stage, competency, category, place, date
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(500))

    award: Mapped[Award | None] = relationship()
    entry: Mapped[Entry | None] = relationship()
    person: Mapped[Person | None] = relationship()
    competition: Mapped[Competition | None] = relationship()
    issued_by: Mapped[User | None] = relationship()

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
