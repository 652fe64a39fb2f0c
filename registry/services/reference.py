"""Reference data: the lists shipped in ``registry/data`` (regions, kinds with their
categories, competencies), loaded idempotently; what administrators add by hand (competencies
and categories); and finding a kind as people type it.

Names are compared as people write them (``name_key``: case, ё/е, dashes and spaces do not
count), so «Сварочные  технологии» is the same competency as «сварочные технологии». The kinds
and their categories come from ``registry.kinds`` (which reads ``kinds.json``).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import kinds as kind_rules
from ..extensions import db
from ..models import Category, Competency, CompetitionKind, Region, name_key
from . import ServiceError
from .audit import record

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MAX_CATEGORY_NAME = 100
MAX_CODE = 20
MAX_COMPETENCY_NAME = 300
MIN_AGE_LIMITS = (5, 99)


@dataclass
class LoadReport:
    regions: int = 0
    kinds: int = 0
    categories: int = 0
    competencies: int = 0

    def __str__(self) -> str:
        return (
            f"regions +{self.regions}, kinds +{self.kinds}, categories +{self.categories}, "
            f"competencies +{self.competencies}"
        )


def _lines(name: str) -> list[str]:
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def load_all() -> LoadReport:
    """Insert what is missing; never deletes or renames what an administrator added."""
    report = LoadReport()

    regions = {r.code: r for r in db.session.scalars(select(Region))}
    with open(DATA_DIR / "regions.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            region = regions.get(row["code"])
            if region is None:
                db.session.add(Region(code=row["code"], name=row["name"],
                                      federal_district=row["federal_district"]))
                report.regions += 1
            else:
                region.name, region.federal_district = row["name"], row["federal_district"]

    kinds = {k.slug: k for k in db.session.scalars(select(CompetitionKind))}
    competencies = {c.name: c for c in db.session.scalars(select(Competency))}
    team_names = set(_lines("team_competencies.txt"))
    for spec in kind_rules.all_kinds():  # registry/data/kinds.json
        kind = kinds.get(spec.slug)
        if kind is None:
            kind = CompetitionKind(slug=spec.slug)
            db.session.add(kind)
            kinds[spec.slug] = kind
            report.kinds += 1
        kind.name, kind.short_name = spec.name, spec.short_name
        existing = {c.name: c for c in kind.categories}
        for position, cat in enumerate(spec.categories):
            category = existing.get(cat.name)
            if category is None:
                category = Category(name=cat.name, kind=kind)
                db.session.add(category)
                report.categories += 1
            category.position, category.min_age = position, cat.min_age
        if spec.competencies_file:
            for name in _lines(spec.competencies_file):
                competency = competencies.get(name)
                if competency is None:
                    competency = Competency(name=name, is_team=name in team_names)
                    db.session.add(competency)
                    competencies[name] = competency
                    report.competencies += 1
                if kind not in competency.kinds:
                    competency.kinds.append(kind)
    db.session.flush()
    return report


# --- added by administrators ------------------------------------------------------------


def _clean(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    return text or None


def find_competency(name: str) -> Competency | None:
    key = name_key(name)
    for competency_id, existing in db.session.execute(select(Competency.id, Competency.name)):
        if name_key(existing) == key:
            return db.session.get(Competency, competency_id)
    return None


def create_competency(name: str, *, kinds: list[CompetitionKind], code: str | None = None,
                      is_team: bool = False, actor=None) -> Competency:
    name, code = _clean(name), _clean(code)
    if name is None:
        raise ServiceError(_("The competency needs a name."), field="name")
    if len(name) > MAX_COMPETENCY_NAME:
        raise ServiceError(_("The name is too long (at most %(n)d characters).",
                             n=MAX_COMPETENCY_NAME), field="name")
    if code is not None and (len(code) > MAX_CODE or " " in code):
        raise ServiceError(_("A code is one word of at most %(n)d characters, e.g. R11J.",
                             n=MAX_CODE), field="code")
    if not kinds:
        raise ServiceError(_("Choose at least one competition kind."), field="kinds")
    existing = find_competency(name)
    if existing is not None:
        raise ServiceError(_("The competency «%(name)s» already exists.", name=existing.name),
                           field="name")
    competency = Competency(name=name, code=code.upper() if code else None,
                            is_team=bool(is_team), kinds=list(kinds))
    db.session.add(competency)
    db.session.flush()
    record("competency.create", competency, user=actor, name=name, code=competency.code,
           kinds=[k.slug for k in kinds], team=competency.is_team)
    db.session.flush()
    return competency


def create_category(kind: CompetitionKind | None, name: str, *, min_age: int | None = None,
                    actor=None) -> Category:
    name = _clean(name)
    if kind is None:
        raise ServiceError(_("Choose the competition kind."), field="kind")
    if name is None:
        raise ServiceError(_("The category needs a name."), field="name")
    if len(name) > MAX_CATEGORY_NAME:
        raise ServiceError(_("The name is too long (at most %(n)d characters).",
                             n=MAX_CATEGORY_NAME), field="name")
    low, high = MIN_AGE_LIMITS
    if min_age is not None and not low <= min_age <= high:
        raise ServiceError(_("The minimum age must be between %(low)d and %(high)d.",
                             low=low, high=high), field="min_age")
    key = name_key(name)
    for existing in db.session.scalars(select(Category).where(Category.kind_id == kind.id)):
        if name_key(existing.name) == key:
            raise ServiceError(_("%(kind)s already has the category «%(name)s».",
                                 kind=kind.short_name, name=existing.name), field="name")
    last = db.session.scalar(
        select(func.max(Category.position)).where(Category.kind_id == kind.id))
    category = Category(kind=kind, name=name, min_age=min_age,
                        position=(last + 1) if last is not None else 0)
    db.session.add(category)
    db.session.flush()
    record("category.create", category, user=actor, kind=kind.slug, name=name, min_age=min_age)
    db.session.flush()
    return category


def find_kind(text: str) -> CompetitionKind | None:
    """A kind by its slug or its short name («Абилимпикс»), as people type them."""
    key = name_key(text)
    return next((k for k in db.session.scalars(select(CompetitionKind))
                 if key in (name_key(k.slug), name_key(k.short_name))), None)


# --- reads for pages -------------------------------------------------------------------------

def competition_kinds() -> list[CompetitionKind]:
    return list(db.session.scalars(select(CompetitionKind).order_by(CompetitionKind.id)))


def kinds_with_categories() -> list[CompetitionKind]:
    return list(db.session.scalars(
        select(CompetitionKind).options(selectinload(CompetitionKind.categories))
        .order_by(CompetitionKind.id)))


def competencies_with_kinds() -> list[Competency]:
    return list(db.session.scalars(
        select(Competency).options(selectinload(Competency.kinds)).order_by(Competency.name)))


def competency(competency_id: int | None) -> Competency | None:
    return db.session.get(Competency, competency_id) if competency_id is not None else None


def categories(category_ids: list[int]) -> list[Category | None]:
    """The categories of ``category_ids`` in that order; None for an id that names none."""
    return [db.session.get(Category, i) for i in category_ids]
