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
    Entry,
    EntryMember,
    HealthRecord,
    OfferedCategory,
    OfferedCompetency,
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


def make_offered(competition: Competition | None = None,
                 competency_: Competency | str | None = None,
                 category_: Category | str | None = None, *,
                 team: bool | None = None) -> OfferedCategory:
    """``competition`` offers ``competency_`` in ``category_`` (objects or names; defaults:
    a new competition, «Сварочные технологии», the kind's first category). Idempotent.
    ``team``: individual or team (default: as the reference data marks the competency)."""
    competition = competition or make_competition()
    kind_ = competition.kind
    if competency_ is None or isinstance(competency_, str):
        competency_ = competency(competency_ or "Сварочные технологии")
    if category_ is None:
        category_ = kind_.categories[0]
    elif isinstance(category_, str):
        category_ = category(kind_.slug, category_)
    offered_competency = db.session.scalar(
        select(OfferedCompetency).where(
            OfferedCompetency.competition_id == competition.id,
            OfferedCompetency.competency_id == competency_.id,
        )
    )
    if offered_competency is None:
        offered_competency = OfferedCompetency(competition=competition, competency=competency_,
                                               is_team=competency_.is_team)
        db.session.add(offered_competency)
    if team is not None:
        offered_competency.is_team = team
    offered = db.session.scalar(
        select(OfferedCategory).where(
            OfferedCategory.offered_competency_id == offered_competency.id,
            OfferedCategory.category_id == category_.id,
        )
    ) if offered_competency.id else None
    if offered is None:
        offered = OfferedCategory(offered_competency=offered_competency, category=category_)
        db.session.add(offered)
    db.session.commit()
    return offered


def make_entry(offered: OfferedCategory | None = None, persons: list[Person] | None = None,
               **overrides) -> Entry:
    """An entry written directly (no service rules): one new person unless ``persons`` is
    given; ``team_name`` makes it a team entry."""
    offered = offered or make_offered()
    persons = persons or [make_person()]
    entry = Entry(offered_category=offered, team_name=overrides.pop("team_name", None))
    for key, value in overrides.items():
        setattr(entry, key, value)
    for person in persons:
        entry.members.append(EntryMember(person=person, offered_category_id=offered.id))
    db.session.add(entry)
    db.session.commit()
    return entry


def make_health_record(person: Person, **overrides) -> HealthRecord:
    record = HealthRecord(
        person_id=person.id,
        disability_group=overrides.pop("disability_group", "II группа"),
        written_consent_date=overrides.pop("written_consent_date", date(2024, 1, 10)),
        notes=overrides.pop("notes", None),
    )
    db.session.add(record)
    db.session.commit()
    return record


# --- results (marking) ----------------------------------------------------------------------

def register_entry(offered: OfferedCategory, persons: list[Person] | None = None,
                   team_name: str | None = None, **person_overrides):
    """Register one person (made with ``person_overrides``) or ``persons`` as a team."""
    from registry.services.registration import register

    if persons is None:
        persons = [make_person(**person_overrides)]
    entry = register(offered, persons, team_name=team_name)
    db.session.commit()  # the factory is the caller: it ends its own transaction
    return entry


def make_scheme(offered_competency, spec=None):
    """``spec``: ``{"A": [("Aspect", "10", "measurement"), …], …}``; criteria in that order."""
    from decimal import Decimal

    from registry.models import Aspect, Criterion

    spec = spec or {"A": [("Размеры", "30", "measurement"), ("Чистота", "20", "judgement")],
                    "B": [("Время", "50", "measurement")]}
    criteria = []
    for position, (code, aspects) in enumerate(spec.items()):
        criterion = Criterion(offered_competency=offered_competency, code=code,
                              title=f"Критерий {code}", position=position)
        for apos, (title, max_marks, kind_) in enumerate(aspects):
            criterion.aspects.append(Aspect(title=title, max_marks=Decimal(max_marks),
                                            kind=kind_, position=apos))
        db.session.add(criterion)
        criteria.append(criterion)
    db.session.commit()
    return criteria


def marked_category(competition, name: str, totals: list[str]):
    """A category of competency ``name`` with one entry per total, marked on one criterion
    by an expert and the sheet confirmed by the chief: (offered category, offered
    competency, entries, chief)."""
    from registry.services import marking

    offered = make_offered(competition, name)
    oc = offered.offered_competency
    criterion = make_scheme(oc, {"A": [("Всё", "100", "measurement")]})[0]
    entries = [register_entry(offered) for _ in totals]
    chief = make_assignment(oc, is_chief=True).user
    expert = make_assignment(oc).user
    aspect = criterion.aspects[0]
    sheet = marking.save_marks(offered, criterion, {(e.id, aspect.id): t
                                                    for e, t in zip(entries, totals, strict=True)},
                               0, actor=expert)
    marking.submit_sheet(offered, criterion, sheet.version, actor=expert)
    marking.confirm_sheet(offered, criterion, actor=chief)
    db.session.commit()
    return offered, oc, entries, chief


def corrected(offered, chief, totals: dict):
    """A correction after confirmation, as an appeal makes one: the chief unlocks the sheet of
    ``marked_category``'s criterion, an expert changes the entries' marks (``{entry: total}``),
    submits, and the chief confirms again."""
    from registry.services import marking

    oc = offered.offered_competency
    criterion = marking.scheme(oc.id)[0]
    sheet = marking.unlock_sheet(offered, criterion, "Апелляция", actor=chief)
    expert = make_assignment(oc).user
    sheet = marking.save_marks(offered, criterion, {(e.id, criterion.aspects[0].id): total
                                                    for e, total in totals.items()},
                               sheet.version, actor=expert)
    marking.submit_sheet(offered, criterion, sheet.version, actor=expert)
    marking.confirm_sheet(offered, criterion, actor=chief)


def make_assignment(offered_competency, user=None, is_chief: bool = False,
                    role: str | None = None, **overrides):
    """``role``: "chief", "deputy" or "expert"; ``is_chief=True`` is short for the chief."""
    from registry.models import ExpertAssignment

    assignment = ExpertAssignment(offered_competency=offered_competency,
                                  user=user or make_user(role="expert"),
                                  role=role or ("chief" if is_chief else "expert"),
                                  **overrides)
    db.session.add(assignment)
    db.session.commit()
    return assignment


# --- awards and offers ------------------------------------------------------------------------

def make_special_award(person, title: str = "Приз спонсора"):
    from registry.services.awards import grant_special

    award = grant_special(title=title, reason=None, granted_by=None, person=person, actor=None)
    db.session.commit()
    return award


def make_offer(person, **overrides):
    from registry.services.offers import OfferData, create_offer

    data = OfferData(partner_name=overrides.pop("partner_name", "Завод «Металлист»"),
                     partner_kind=overrides.pop("partner_kind", "employer"),
                     kind=overrides.pop("kind", "practice"),
                     description=overrides.pop("description", ""),
                     country=overrides.pop("country", "Россия"), **overrides)
    offer = create_offer(person, data, actor=None)
    db.session.commit()
    return offer


def make_api_token(user, scopes=("read",), **options):
    """An API token of ``user`` (``registry/api/tokens.py``): the token row; its secret is
    ``token.secret`` (only in memory, as the issuing page shows it once)."""
    from registry.api.tokens import issue_token

    token, secret = issue_token(user, options.pop("name", "test token"), list(scopes),
                                **options)
    db.session.commit()
    token.secret = secret
    return token


def make_diploma(person):
    """A diploma of the person's first award or entry, issued by the system."""
    from registry.services import diplomas

    diploma = diplomas.issue(diplomas.person_subjects(person)[:1])[0]
    db.session.commit()
    return diploma
