"""Reference data: the lists shipped in ``registry/data`` (regions, kinds with their
categories, competencies), loaded idempotently; what administrators add by hand (competencies
and categories); and finding a kind as people type it.

Names are compared as people write them (``name_key``: case, ё/е, dashes and spaces do not
count), so «Сварочные  технологии» is the same competency as «сварочные технологии». The kinds
and their categories come from ``registry.kinds`` (which reads ``kinds.json``).

A competency is found by its name, its code (R11J, 39, F6J) or an alias (a historic name or
code, ``CompetencyAlias``): ``competency_index`` is the one lookup every importer and command
uses, and ``competency_key`` the one normalisation (``name_key`` plus quotes: «1С» = "1С" = 1С).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import kinds as kind_rules
from .. import text as text_rules
from ..extensions import db
from ..i18n import gettext as _
from ..models import Category, Competency, CompetencyAlias, CompetitionKind, Region, name_key
from ..text import squashed
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


_QUOTES = str.maketrans({q: " " for q in "«»\"„“”‟‘’‚‛'`´"})


def competency_key(text: str | None) -> str:
    """How competency names, codes and aliases are compared: case, ё/е, dashes, spaces and
    quotes do not count («ИТ-решения для бизнеса на платформе „1С: Предприятие 8“» is the
    same as «ит-решения для бизнеса на платформе 1С: предприятие 8»)."""
    return name_key((text or "").translate(_QUOTES))


class CompetencyIndex:
    """Competencies by every text that names one: name first, then code, then «code name»,
    then an alias (a name always wins over another competency's code or alias)."""

    def __init__(self, competencies, aliases):
        self._by_key: dict[str, Competency] = {}
        by_id = {}
        for competency in competencies:
            by_id[competency.id] = competency
            self._by_key.setdefault(competency_key(competency.name), competency)
        for competency in by_id.values():
            if competency.code:
                self._by_key.setdefault(competency_key(competency.code), competency)
        for competency in by_id.values():
            self._by_key.setdefault(competency_key(str(competency)), competency)
        for competency_id, alias_key in aliases:
            if competency_id in by_id:
                self._by_key.setdefault(alias_key, by_id[competency_id])

    def get(self, text: str | None, default=None) -> Competency | None:
        return self._by_key.get(competency_key(text), default) if text else default

    def __contains__(self, text) -> bool:
        return self.get(text) is not None


def competency_index(*, options=()) -> CompetencyIndex:
    """Every competency by name, code and alias, in two queries (``options``: loader options
    for the competencies, e.g. ``selectinload(Competency.kinds)``)."""
    competencies = db.session.scalars(select(Competency).options(*options)).all()
    aliases = db.session.execute(
        select(CompetencyAlias.competency_id, CompetencyAlias.name_key)
        .order_by(CompetencyAlias.id)).all()
    return CompetencyIndex(competencies, aliases)


def find_competency(text: str) -> Competency | None:
    """The competency ``text`` names: by name, code or alias."""
    return competency_index().get(text)


def _checked_text(value: str | None, field: str) -> str | None:
    try:
        return squashed(text_rules.clean(value))
    except text_rules.UncleanText as error:
        raise ServiceError(error.message, field=field) from error


def _taken_by(text: str) -> Competency | None:
    """The competency whose name, code or alias is ``text`` already."""
    return find_competency(text)


def create_competency(name: str, *, kinds: list[CompetitionKind], code: str | None = None,
                      is_team: bool = False, actor=None) -> Competency:
    name, code = _checked_text(name, "name"), _checked_text(code, "code")
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
    if code is not None and (holder := _taken_by(code)) is not None:
        raise ServiceError(_("The code %(code)s already names the competency «%(name)s».",
                             code=code, name=holder.name), field="code")
    competency = Competency(name=name, code=code.upper() if code else None,
                            is_team=bool(is_team), kinds=list(kinds))
    db.session.add(competency)
    db.session.flush()
    record("competency.create", competency, user=actor, name=name, code=competency.code,
           kinds=[k.slug for k in kinds], team=competency.is_team)
    db.session.flush()
    return competency


def add_alias(competency: Competency | None, alias: str, *, actor=None) -> CompetencyAlias:
    """Another name or code of ``competency`` (a historic name of a renamed competency, an old
    code), found by every import from now on."""
    if competency is None:
        raise ServiceError(_("Choose the competency the alias belongs to."), field="competency")
    alias = _checked_text(alias, "alias")
    if alias is None:
        raise ServiceError(_("The alias needs a name or a code."), field="alias")
    if len(alias) > MAX_COMPETENCY_NAME:
        raise ServiceError(_("The name is too long (at most %(n)d characters).",
                             n=MAX_COMPETENCY_NAME), field="alias")
    key = competency_key(alias)
    if not key:
        raise ServiceError(_("The alias needs a name or a code."), field="alias")
    holder = _taken_by(alias)
    if holder is not None:
        if holder.id == competency.id:
            raise ServiceError(_("«%(alias)s» already names «%(name)s».", alias=alias,
                                 name=competency.name), field="alias")
        raise ServiceError(_("«%(alias)s» already names another competency, «%(name)s».",
                             alias=alias, name=holder.name), field="alias")
    item = CompetencyAlias(competency=competency, name=alias, name_key=key)
    db.session.add(item)
    db.session.flush()
    record("competency.alias_add", competency, user=actor, alias=alias)
    return item


def create_category(kind: CompetitionKind | None, name: str, *, min_age: int | None = None,
                    actor=None) -> Category:
    name = squashed(name)
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
        select(Competency).options(selectinload(Competency.kinds),
                                   selectinload(Competency.aliases))
        .order_by(Competency.name)))


def competency(competency_id: int | None) -> Competency | None:
    return db.session.get(Competency, competency_id) if competency_id is not None else None


def categories(category_ids: list[int]) -> list[Category | None]:
    """The categories of ``category_ids`` in that order; None for an id that names none."""
    return [db.session.get(Category, i) for i in category_ids]
