"""Competitions and what they offer: competencies, and per competency its categories."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, utcnow
from .reference import Category, Competency, CompetitionKind, Region

STAGES = ("regional", "selection", "final")
STATUSES = ("draft", "registration", "marking", "results_published", "archived")


class Competition(Model):
    """One kind + year + stage (+ host region for a regional stage)."""

    __tablename__ = "competitions"
    __table_args__ = (
        CheckConstraint("stage IN ('regional', 'selection', 'final')", name="stage"),
        CheckConstraint(
            "status IN ('draft', 'registration', 'marking', 'results_published', 'archived')",
            name="status",
        ),
        CheckConstraint("stage <> 'regional' OR host_region_id IS NOT NULL", name="regional_host"),
        CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="dates"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
        CheckConstraint("gold_min >= 1 AND silver_min >= 1 AND bronze_min >= 1 "
                        "AND min_entries >= 1", name="medal_minimums"),
        CheckConstraint("medallion_scale IN ('points', 'cis')", name="medallion_scale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind_id: Mapped[int] = mapped_column(ForeignKey("competition_kinds.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    year: Mapped[int]
    stage: Mapped[str] = mapped_column(String(20))
    host_region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(30), default="draft")
    # «Медальон за профессионализм»: points at or above which a non-medallist gets one.
    medallion_threshold: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    # The zone its times are shown in (a zoneinfo name); None: the registry's zone.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    # Released to the public pages (``/public``) by an organiser; None: not public.
    released_at: Mapped[datetime | None]
    # The public pages show the points of each result only when the organiser chose so.
    show_points: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Medal rules (services.medals.MedalRules): the least ranked in-competition entries of a
    # category for gold, silver, bronze, and for it to be held at all; 1 = every medal.
    gold_min: Mapped[int] = mapped_column(default=1, server_default="1")
    silver_min: Mapped[int] = mapped_column(default=1, server_default="1")
    bronze_min: Mapped[int] = mapped_column(default=1, server_default="1")
    min_entries: Mapped[int] = mapped_column(default=1, server_default="1")
    # The WorldSkills scale (median competitor at 700) shown beside the points, and the
    # scale the medallion threshold is on ("points" or "cis").
    cis_scale: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    medallion_scale: Mapped[str] = mapped_column(String(10), default="points",
                                                 server_default="points")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    kind: Mapped[CompetitionKind] = relationship()
    host_region: Mapped[Region | None] = relationship()
    competencies: Mapped[list[OfferedCompetency]] = relationship(
        back_populates="competition", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.title


class OfferedCompetency(Model):
    """A competency offered in a competition; marking schemes and experts attach here."""

    __tablename__ = "offered_competencies"
    __table_args__ = (
        UniqueConstraint("competition_id", "competency_id"),
        CheckConstraint("team_min IS NULL OR team_max IS NULL OR "
                        "(team_min >= 2 AND team_max >= team_min)", name="team_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id"), index=True)
    # Individual or team (командный зачёт), with the team size bounds; None = the defaults
    # of services.registration (MIN_TEAM_SIZE, MAX_TEAM_SIZE).
    is_team: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    team_min: Mapped[int | None]
    team_max: Mapped[int | None]

    competition: Mapped[Competition] = relationship(back_populates="competencies")
    competency: Mapped[Competency] = relationship()
    categories: Mapped[list[OfferedCategory]] = relationship(
        back_populates="offered_competency", cascade="all, delete-orphan"
    )


class OfferedCategory(Model):
    """A category in which an offered competency is contested: the unit of ranking."""

    __tablename__ = "offered_categories"
    __table_args__ = (UniqueConstraint("offered_competency_id", "category_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offered_competency_id: Mapped[int] = mapped_column(
        ForeignKey("offered_competencies.id", ondelete="CASCADE"), index=True
    )
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)

    offered_competency: Mapped[OfferedCompetency] = relationship(back_populates="categories")
    category: Mapped[Category] = relationship()
