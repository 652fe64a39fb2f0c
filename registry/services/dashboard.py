"""The dashboard's reads: how many of each thing the registry holds."""
from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from ..models import Competency, Competition, Person, Region, User

COUNTED = (("competitions", Competition), ("persons", Person), ("regions", Region),
           ("competencies", Competency), ("users", User))


def counts() -> dict[str, int]:
    return {name: db.session.scalar(select(func.count()).select_from(model))
            for name, model in COUNTED}
