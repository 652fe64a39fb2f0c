"""Reference data that administrators add by hand: competencies and categories.

Names are compared as people write them (``name_key``: case, ё/е, dashes and spaces do not
count), so «Сварочные  технологии» is the same competency as «сварочные технологии».
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Category, Competency, CompetitionKind, name_key
from . import ServiceError
from .audit import record

MAX_COMPETENCY_NAME = 300
MAX_CODE = 20
MAX_CATEGORY_NAME = 100
MIN_AGE_LIMITS = (5, 99)


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
