"""Reference data shipped with the project in ``registry/data``, loaded idempotently.

The kinds and their categories come from ``registry.kinds`` (which reads ``kinds.json``)."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from .. import kinds as kind_rules
from ..extensions import db
from ..models import Category, Competency, CompetitionKind, Region

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


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
