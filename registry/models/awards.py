"""Awards (medals and titles from published results, and special awards) and internship
offers from partner organisations."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, utcnow
from .competitions import Competition
from .people import Entry, Person
from .users import User

RESULT_AWARDS = ("gold", "silver", "bronze", "medallion", "winner", "prize_winner")
AWARD_KINDS = (*RESULT_AWARDS, "special")
PARTNER_KINDS = ("employer", "technopark", "tv_channel", "foreign_partner", "other")
OFFER_KINDS = ("internship", "practice", "training")
OFFER_STATES = ("offered", "accepted", "declined", "completed")


class Award(Model):
    """An award of an entry (every member of a team gets it) or of a person.

    ``source = 'results'`` awards are made from a publication by ``services.awards`` and kept in
    step with it; ``source = 'manual'`` are special awards granted by organisers."""

    __tablename__ = "awards"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('gold', 'silver', 'bronze', 'medallion', 'winner', 'prize_winner', "
            "'special')", name="kind"),
        CheckConstraint("source IN ('results', 'manual')", name="source"),
        CheckConstraint("entry_id IS NOT NULL OR person_id IS NOT NULL", name="holder"),
        CheckConstraint("kind <> 'special' OR title IS NOT NULL", name="special_title"),
        CheckConstraint("source <> 'results' OR entry_id IS NOT NULL", name="results_entry"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int | None] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(10), default="manual")
    title: Mapped[str | None] = mapped_column(String(300))
    reason: Mapped[str | None] = mapped_column(String(1000))
    granted_by: Mapped[str | None] = mapped_column(String(300))
    place: Mapped[int | None]
    points: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    publication_id: Mapped[int | None] = mapped_column(
        ForeignKey("publications.id", ondelete="SET NULL"))
    # The region the award counts for in the medal table (``services.awards.medal_region``):
    # kept on the award so that the table is one GROUP BY, however big the season.
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    competition: Mapped[Competition | None] = relationship()
    entry: Mapped[Entry | None] = relationship()
    person: Mapped[Person | None] = relationship()
    created_by: Mapped[User | None] = relationship()


class Partner(Model):
    """An organisation that makes offers: employer, technopark, TV channel, foreign partner."""

    __tablename__ = "partners"
    __table_args__ = (
        UniqueConstraint("name_key"),
        CheckConstraint(
            "kind IN ('employer', 'technopark', 'tv_channel', 'foreign_partner', 'other')",
            name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default="employer")
    country: Mapped[str | None] = mapped_column(String(100))
    city: Mapped[str | None] = mapped_column(String(100))

    def __str__(self) -> str:
        return self.name


class InternshipOffer(Model):
    """An offer to a person, usually for an award: стажировка / практика / обучение."""

    __tablename__ = "internship_offers"
    __table_args__ = (
        CheckConstraint("kind IN ('internship', 'practice', 'training')", name="kind"),
        CheckConstraint("state IN ('offered', 'accepted', 'declined', 'completed')",
                        name="state"),
        CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on",
                        name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"),
                                           index=True)
    award_id: Mapped[int | None] = mapped_column(ForeignKey("awards.id", ondelete="SET NULL"),
                                                 index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    country: Mapped[str] = mapped_column(String(100))
    city: Mapped[str | None] = mapped_column(String(100))
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    state: Mapped[str] = mapped_column(String(20), default="offered")
    state_changed_at: Mapped[datetime | None]
    state_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    person: Mapped[Person] = relationship()
    award: Mapped[Award | None] = relationship()
    partner: Mapped[Partner] = relationship()
    state_changed_by: Mapped[User | None] = relationship(foreign_keys=[state_changed_by_id])
