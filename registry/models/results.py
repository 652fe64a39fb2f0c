"""Results: expert assignments, marking schemes, score sheets and their versions, marks,
results imported from paper protocols, and publications."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, utcnow
from .competitions import Competition, OfferedCategory, OfferedCompetency
from .people import Entry, Organisation
from .reference import Region
from .users import User

ASPECT_KINDS = ("measurement", "judgement")
SHEET_STATUSES = ("draft", "submitted", "confirmed")
AWARDS = ("gold", "silver", "bronze", "medallion", "winner", "prize_winner")
# The roles of an expert in a competency: главный эксперт (one at most), заместитель главного
# эксперта (any number), эксперт. What each may do is in ``registry/access.py``.
CHIEF_ROLE, DEPUTY_ROLE, MARKER_ROLE = "chief", "deputy", "expert"
ASSIGNMENT_ROLES = (CHIEF_ROLE, DEPUTY_ROLE, MARKER_ROLE)
SIGNING_ROLES = (CHIEF_ROLE, DEPUTY_ROLE)  # they confirm score sheets


class ExpertAssignment(Model):
    """An expert assigned to a competency of a competition in a role: the chief expert (at most
    one each), a deputy chief expert, or an expert (``ASSIGNMENT_ROLES``).

    ``organisation`` and ``region`` are those of the participants the expert trained
    (эксперт-наставник): the expert may not mark entries from that organisation, nor from that
    region when one is set."""

    __tablename__ = "expert_assignments"
    __table_args__ = (
        UniqueConstraint("offered_competency_id", "user_id"),
        CheckConstraint("role IN ('chief', 'deputy', 'expert')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offered_competency_id: Mapped[int] = mapped_column(
        ForeignKey("offered_competencies.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default=MARKER_ROLE,
                                      server_default=MARKER_ROLE)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    offered_competency: Mapped[OfferedCompetency] = relationship()
    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    region: Mapped[Region | None] = relationship()

    @hybrid_property
    def is_chief(self) -> bool:
        return self.role == CHIEF_ROLE

    @is_chief.inplace.setter
    def _is_chief_setter(self, value: bool) -> None:
        self.role = CHIEF_ROLE if value else MARKER_ROLE

    @is_chief.inplace.expression
    @classmethod
    def _is_chief_expression(cls):
        return cls.role == CHIEF_ROLE

    @hybrid_property
    def signs_off(self) -> bool:
        """Chief and deputies confirm score sheets."""
        return self.role in SIGNING_ROLES

    @signs_off.inplace.expression
    @classmethod
    def _signs_off_expression(cls):
        return cls.role.in_(SIGNING_ROLES)


class Criterion(Model):
    """A criterion of the marking scheme of an offered competency (A, B, C …)."""

    __tablename__ = "criteria"
    __table_args__ = (UniqueConstraint("offered_competency_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offered_competency_id: Mapped[int] = mapped_column(
        ForeignKey("offered_competencies.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)

    offered_competency: Mapped[OfferedCompetency] = relationship()
    aspects: Mapped[list[Aspect]] = relationship(
        back_populates="criterion", cascade="all, delete-orphan",
        order_by="(Aspect.position, Aspect.id)",
    )

    @property
    def max_total(self) -> Decimal:
        return sum((a.max_marks for a in self.aspects), Decimal(0))

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"


class Aspect(Model):
    """What is marked: maximum marks and a type (measurement or judgement)."""

    __tablename__ = "aspects"
    __table_args__ = (
        CheckConstraint("kind IN ('measurement', 'judgement')", name="kind"),
        CheckConstraint("max_marks > 0", name="max_marks"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("criteria.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(500))
    max_marks: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    kind: Mapped[str] = mapped_column(String(20), default="measurement")
    position: Mapped[int] = mapped_column(default=0)

    criterion: Mapped[Criterion] = relationship(back_populates="aspects")


class ScoreSheet(Model):
    """The marks of one criterion for every entry of one category.

    ``version`` is SQLAlchemy's version counter: every UPDATE says ``WHERE version = :seen``,
    so two experts who save the same sheet at once cannot overwrite each other silently."""

    __tablename__ = "score_sheets"
    __table_args__ = (
        UniqueConstraint("offered_category_id", "criterion_id"),
        CheckConstraint("status IN ('draft', 'submitted', 'confirmed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offered_category_id: Mapped[int] = mapped_column(
        ForeignKey("offered_categories.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    locked: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __mapper_args__ = {"version_id_col": version}

    offered_category: Mapped[OfferedCategory] = relationship()
    criterion: Mapped[Criterion] = relationship()
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
    marks: Mapped[list[Mark]] = relationship(
        back_populates="sheet", cascade="all, delete-orphan"
    )
    versions: Mapped[list[ScoreSheetVersion]] = relationship(
        back_populates="sheet", cascade="all, delete-orphan",
        order_by="ScoreSheetVersion.number",
    )


class ScoreSheetVersion(Model):
    """One save, submission, confirmation or unlock of a sheet, with its author and the
    marks as they then stood (``{"entry_id:aspect_id": {"value": "…", "judges": […]}}``)."""

    __tablename__ = "score_sheet_versions"
    __table_args__ = (UniqueConstraint("sheet_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(
        ForeignKey("score_sheets.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    action: Mapped[str] = mapped_column(String(20))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str | None] = mapped_column(String(500))
    marks: Mapped[dict] = mapped_column(JSON, default=dict)

    sheet: Mapped[ScoreSheet] = relationship(back_populates="versions")
    author: Mapped[User | None] = relationship()


class Mark(Model):
    """The current mark of one entry on one aspect (judgement: with each judge's score)."""

    __tablename__ = "marks"
    __table_args__ = (UniqueConstraint("entry_id", "aspect_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(
        ForeignKey("score_sheets.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"),
                                          index=True)
    aspect_id: Mapped[int] = mapped_column(ForeignKey("aspects.id"), index=True)
    value: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    judge_scores: Mapped[list | None] = mapped_column(JSON)

    sheet: Mapped[ScoreSheet] = relationship(back_populates="marks")


class ProtocolResult(Model):
    """A result that exists only on paper, imported from a protocol: points and/or place,
    and the award when the protocol states it (then it is the official one)."""

    __tablename__ = "protocol_results"
    __table_args__ = (
        CheckConstraint(
            "award IS NULL OR award IN "
            "('gold', 'silver', 'bronze', 'medallion', 'winner', 'prize_winner')",
            name="award",
        ),
        CheckConstraint("points IS NOT NULL OR place IS NOT NULL", name="points_or_place"),
    )

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True
    )
    points: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    place: Mapped[int | None]
    award: Mapped[str | None] = mapped_column(String(20))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    entry: Mapped[Entry] = relationship()


class Publication(Model):
    """A publication of results, with the standings as then published: of one competency
    (``offered_competency_id``, by its chief expert) or of the whole competition (None, by an
    organiser). ``number`` counts the publications of the competition; what is published of
    a category is what the latest publication holding it says."""

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("competition_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    offered_competency_id: Mapped[int | None] = mapped_column(
        ForeignKey("offered_competencies.id", ondelete="CASCADE"), index=True)
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)

    competition: Mapped[Competition] = relationship()
    published_by: Mapped[User | None] = relationship()
    offered_competency: Mapped[OfferedCompetency | None] = relationship()


class PublishedCategory(Model):
    """One category's rows as a publication published them: ``Publication.snapshot``'s
    ``standings[offered_category_id]``, kept apart so that a person's page reads the few
    categories it shows by index instead of parsing every snapshot that holds them (a final's
    is hundreds of kilobytes). Written with the publication, never changed after."""

    __tablename__ = "published_categories"
    __table_args__ = (UniqueConstraint("publication_id", "offered_category_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE"), index=True)
    offered_category_id: Mapped[int] = mapped_column(
        ForeignKey("offered_categories.id", ondelete="CASCADE"), index=True)
    rows: Mapped[list] = mapped_column(JSON, default=list)  # [[entry, total, rank, award], …]


class CompetencyNotHeld(Model):
    """An offered competency declared not held (не состоялась) by an organiser, with the
    reason: it is published without results and shown as such in the results and exports."""

    __tablename__ = "competencies_not_held"

    offered_competency_id: Mapped[int] = mapped_column(
        ForeignKey("offered_competencies.id", ondelete="CASCADE"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(500))
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    offered_competency: Mapped[OfferedCompetency] = relationship()
    declared_by: Mapped[User | None] = relationship()
