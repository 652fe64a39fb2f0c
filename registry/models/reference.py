"""Reference data: regions, competition kinds and their categories, competencies."""
from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model

competency_kinds = Table(
    "competency_kinds",
    Model.metadata,
    Column("competency_id", ForeignKey("competencies.id", ondelete="CASCADE"), primary_key=True),
    Column("kind_id", ForeignKey("competition_kinds.id", ondelete="CASCADE"), primary_key=True),
)


class Region(Model):
    """One of the 89 subjects of the Russian Federation."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(2), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    federal_district: Mapped[str] = mapped_column(String(100))

    def __str__(self) -> str:
        return self.name


class CompetitionKind(Model):
    """«Профессионалы», «Абилимпикс», «Мастер года»."""

    __tablename__ = "competition_kinds"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str] = mapped_column(String(100))

    categories: Mapped[list[Category]] = relationship(
        back_populates="kind", order_by="Category.position"
    )

    def __str__(self) -> str:
        return self.short_name


class Category(Model):
    """A category of a kind, e.g. «Юниоры»; ``min_age`` is checked on the competition's start."""

    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("kind_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind_id: Mapped[int] = mapped_column(ForeignKey("competition_kinds.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)
    min_age: Mapped[int | None]

    kind: Mapped[CompetitionKind] = relationship(back_populates="categories")

    def __str__(self) -> str:
        return self.name


class Competency(Model):
    """A skill area, e.g. «Сварочные технологии»."""

    __tablename__ = "competencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    code: Mapped[str | None] = mapped_column(String(20))
    is_team: Mapped[bool] = mapped_column(default=False)

    kinds: Mapped[list[CompetitionKind]] = relationship(secondary=competency_kinds)
    aliases: Mapped[list[CompetencyAlias]] = relationship(
        back_populates="competency", cascade="all, delete-orphan", order_by="CompetencyAlias.name")

    def __str__(self) -> str:
        return f"{self.code} {self.name}" if self.code else self.name


class CompetencyAlias(Model):
    """Another name or code by which a competency is known: a historic name of a renamed one
    («Веб-дизайн и разработка» for «Веб-технологии») or an old code, so that protocols of past
    seasons import. ``name_key`` is the name as ``services.reference.competency_key`` compares
    it: one alias per key in the whole registry."""

    __tablename__ = "competency_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    competency_id: Mapped[int] = mapped_column(
        ForeignKey("competencies.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300), unique=True)

    competency: Mapped[Competency] = relationship(back_populates="aliases")

    def __str__(self) -> str:
        return self.name
