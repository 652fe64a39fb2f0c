"""Small factories for tests: ``make_user(role=…)``, ``make_person(**overrides)`` …

Each builds a valid object with plausible defaults, applies the overrides and commits.
"""
from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy import select

from registry.extensions import db
from registry.models import (
    Category,
    Competency,
    Competition,
    CompetitionKind,
    Organisation,
    Person,
    Region,
    User,
)

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def region(name: str = "Оренбургская область") -> Region:
    return db.session.scalar(select(Region).where(Region.name == name))


def kind(slug: str = "professionaly") -> CompetitionKind:
    return db.session.scalar(select(CompetitionKind).where(CompetitionKind.slug == slug))


def category(kind_slug: str, name: str) -> Category:
    return db.session.scalar(
        select(Category).join(CompetitionKind).where(
            CompetitionKind.slug == kind_slug, Category.name == name
        )
    )


def competency(name: str = "Сварочные технологии") -> Competency:
    return db.session.scalar(select(Competency).where(Competency.name == name))


def make_user(role: str = "organiser", **overrides) -> User:
    n = next(_seq)
    password = overrides.pop("password", PASSWORD)
    user = User(email=f"user{n}@example.ru", name=f"Пользователь {n}", role=role)
    for key, value in overrides.items():
        setattr(user, key, value)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def make_organisation(**overrides) -> Organisation:
    org = Organisation(kind="educational", region=overrides.pop("region", None) or region())
    org.set_name(overrides.pop("name", f"ГАПОУ «Техникум № {next(_seq)}»"))
    for key, value in overrides.items():
        setattr(org, key, value)
    db.session.add(org)
    db.session.commit()
    return org


def make_person(**overrides) -> Person:
    n = next(_seq)
    person = Person(
        last_name=overrides.pop("last_name", f"Иванов{n}"),
        first_name=overrides.pop("first_name", "Пётр"),
        middle_name=overrides.pop("middle_name", "Сергеевич"),
        birth_date=overrides.pop("birth_date", date(2005, 3, 14)),
        region=overrides.pop("region", None) or region(),
        consent_date=overrides.pop("consent_date", date(2024, 1, 10)),
    )
    for key, value in overrides.items():
        setattr(person, key, value)
    person.refresh_identity()
    db.session.add(person)
    db.session.commit()
    return person


def make_competition(**overrides) -> Competition:
    kind_slug = overrides.pop("kind_slug", "professionaly")
    stage = overrides.pop("stage", "regional")
    competition = Competition(
        kind=kind(kind_slug),
        title=overrides.pop("title", f"Профессионалы 2024, региональный этап ({next(_seq)})"),
        year=overrides.pop("year", 2024),
        stage=stage,
        host_region=overrides.pop("host_region", region() if stage == "regional" else None),
        starts_on=overrides.pop("starts_on", date(2024, 3, 1)),
        ends_on=overrides.pop("ends_on", date(2024, 3, 5)),
        status=overrides.pop("status", "registration"),
    )
    for key, value in overrides.items():
        setattr(competition, key, value)
    db.session.add(competition)
    db.session.commit()
    return competition
