"""What a competition offers: a competency in the categories of its kind (checked against
the competition's kind, idempotent), withdrawing an offered category (refused once entered or
in use), the team rule of an offered competency, and the reads of what is offered and what
could be."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..i18n import gettext as _
from ..i18n import ngettext
from ..models import (
    Category,
    Competency,
    Competition,
    CompetitionKind,
    Entry,
    OfferedCategory,
    OfferedCompetency,
    competency_kinds,
)
from . import ServiceError
from .audit import record
from .registration import MAX_TEAM_SIZE, MIN_TEAM_SIZE


def offered_category(competition: Competition, competency: Competency,
                     category: Category) -> OfferedCategory | None:
    """The offered (competency, category) of a competition, or None if not offered."""
    return db.session.scalar(
        select(OfferedCategory)
        .join(OfferedCompetency)
        .where(
            OfferedCompetency.competition_id == competition.id,
            OfferedCompetency.competency_id == competency.id,
            OfferedCategory.category_id == category.id,
        )
    )


def check_offerable(competition: Competition, competency: Competency, category: Category) -> None:
    """The category must be of the competition's kind, the competency must belong to it."""
    check_category_kind(competition.kind, category)
    check_competency_kind(competition.kind, competency)


def check_category_kind(kind: CompetitionKind, category: Category) -> None:
    """A competition offers only the categories of its kind."""
    if category.kind_id != kind.id:
        raise ServiceError(
            _("Category «%(category)s» does not belong to %(kind)s.",
              category=category.name, kind=kind.short_name),
            field="category",
        )


def check_competency_kind(kind: CompetitionKind, competency: Competency) -> None:
    """A competition offers only the competencies of its kind."""
    if kind not in competency.kinds:
        raise ServiceError(
            _("Competency «%(competency)s» is not a competency of %(kind)s.",
              competency=competency.name, kind=kind.short_name),
            field="competency",
        )


def offer(competition: Competition, competency: Competency, category: Category, *,
          actor=None, is_team: bool | None = None) -> OfferedCategory:
    """Offer ``competency`` in ``category`` at ``competition`` (idempotent). A competency
    offered for the first time is a team one if ``is_team`` says so, else if the reference
    data marks it (``Competency.is_team``)."""
    existing = offered_category(competition, competency, category)
    if existing is not None:
        return existing
    check_offerable(competition, competency, category)
    offered = db.session.scalar(
        select(OfferedCompetency).where(
            OfferedCompetency.competition_id == competition.id,
            OfferedCompetency.competency_id == competency.id,
        )
    )
    if offered is None:
        offered = OfferedCompetency(
            competition=competition, competency=competency,
            is_team=competency.is_team if is_team is None else bool(is_team))
        db.session.add(offered)
    result = OfferedCategory(offered_competency=offered, category=category)
    db.session.add(result)
    db.session.flush()
    record("competition.offer", competition, user=actor, competition_id=competition.id,
           competency=competency.name, category=category.name)
    return result


def offer_categories(competition: Competition, competency: Competency,
                     categories: list[Category], *, actor=None) -> list[OfferedCategory]:
    """Offer ``competency`` in each of ``categories``; all or nothing."""
    if not categories:
        raise ServiceError(_("Choose at least one category."), field="categories")
    for category in categories:
        check_offerable(competition, competency, category)
    offered = [offer(competition, competency, category, actor=actor)
               for category in categories]
    db.session.flush()
    return offered


def entry_count(offered: OfferedCategory) -> int:
    return db.session.scalar(
        select(func.count(Entry.id)).where(Entry.offered_category_id == offered.id)
    )


def _referenced(obj, *, ignore: set[str]) -> bool:
    """Does any row of another table (not in ``ignore``) refer to ``obj`` by a foreign key?

    Asked of the metadata, so that tables added later (marking, awards …) count too."""
    target = obj.__table__
    for table in db.metadata.sorted_tables:
        if table.name in ignore:
            continue
        for fk in table.foreign_keys:
            if fk.column.table is target and fk.column.name == "id":
                if db.session.scalar(select(fk.parent).where(fk.parent == obj.id).limit(1)):
                    return True
    return False


def withdraw_offering(offered: OfferedCategory, *, actor=None) -> None:
    """Stop offering a competency in a category. Refused once anyone has entered it; the
    competency itself goes when its last category goes."""
    offered_competency = offered.offered_competency
    competition = offered_competency.competition
    competency, category = offered_competency.competency, offered.category
    entries = entry_count(offered)
    if entries:
        raise ServiceError(_(
            "«%(competency)s» in «%(category)s» cannot be withdrawn: it has entries (%(n)d).",
            competency=competency.name, category=category.name, n=entries))
    last = len(offered_competency.categories) == 1
    if last and _referenced(offered_competency, ignore={OfferedCategory.__tablename__}):
        # A marking scheme or an expert assignment would go with it (ON DELETE CASCADE).
        raise ServiceError(_("«%(competency)s» is in use (e.g. by a marking scheme) and cannot "
                             "be withdrawn.", competency=competency.name))
    offered_competency.categories.remove(offered)
    db.session.delete(offered)
    if last:
        competition.competencies.remove(offered_competency)
        db.session.delete(offered_competency)
    try:
        db.session.flush()
    except IntegrityError as error:
        raise ServiceError(_("«%(competency)s» is in use (e.g. by a marking scheme) and cannot "
                             "be withdrawn.", competency=competency.name)) from error
    record("competition.withdraw", competition, user=actor, competition_id=competition.id,
           competency=competency.name, category=category.name)
    db.session.flush()


def set_team_rule(offered: OfferedCompetency, *, is_team: bool, team_min: int | None,
                  team_max: int | None, actor=None) -> OfferedCompetency:
    """Make an offered competency individual or team, with its team size bounds. Refused when
    entries of the other shape exist or a team is outside the new bounds."""
    is_team = bool(is_team)
    if not is_team:
        team_min = team_max = None
    else:
        low, high = team_min or MIN_TEAM_SIZE, team_max or MAX_TEAM_SIZE
        if low < 2:
            raise ServiceError(_("A team has at least 2 members."), field="team_min")
        if high < low:
            raise ServiceError(_("The largest team size cannot be below the smallest."),
                               field="team_max")
        if high > 20:
            raise ServiceError(ngettext("A team has at most %(n)d member.",
                                        "A team has at most %(n)d members.", 20, n=20), field="team_max")
    entries = db.session.scalars(
        select(Entry).join(OfferedCategory)
        .where(OfferedCategory.offered_competency_id == offered.id)
        .options(selectinload(Entry.members))).all()
    name = offered.competency.name
    if is_team and any(e.team_name is None for e in entries):
        raise ServiceError(_("«%(competency)s» has individual entries; it cannot become a team "
                             "competency.", competency=name), field="is_team")
    if not is_team and any(e.team_name is not None for e in entries):
        raise ServiceError(_("«%(competency)s» has team entries; it cannot become an "
                             "individual competency.", competency=name), field="is_team")
    if is_team:
        low, high = team_min or MIN_TEAM_SIZE, team_max or MAX_TEAM_SIZE
        outside = [e.team_name for e in entries if not low <= len(e.members) <= high]
        if outside:
            raise ServiceError(_("Teams outside these bounds are registered: %(teams)s.",
                                 teams=", ".join(f"«{t}»" for t in outside)), field="team_min")
    before = [offered.is_team, offered.team_min, offered.team_max]
    offered.is_team, offered.team_min, offered.team_max = is_team, team_min, team_max
    after = [offered.is_team, offered.team_min, offered.team_max]
    if before != after:
        db.session.flush()
        record("competition.team_rule", offered.competition, user=actor,
               competition_id=offered.competition_id, competency=name,
               is_team=is_team, team_min=team_min, team_max=team_max)
    return offered


# --- reading -------------------------------------------------------------------------------

@dataclass
class OfferingRow:
    offered: OfferedCompetency
    categories: list[tuple[OfferedCategory, int]]  # with its number of entries


def offerings(competition: Competition) -> list[OfferingRow]:
    """What ``competition`` offers, by competency name, with entries per category."""
    counts = dict(db.session.execute(
        select(Entry.offered_category_id, func.count(Entry.id))
        .join(OfferedCategory, Entry.offered_category_id == OfferedCategory.id)
        .join(OfferedCompetency)
        .where(OfferedCompetency.competition_id == competition.id)
        .group_by(Entry.offered_category_id)
    ).all())
    rows = db.session.scalars(
        select(OfferedCompetency)
        .join(Competency)
        .where(OfferedCompetency.competition_id == competition.id)
        .options(joinedload(OfferedCompetency.competency),
                 selectinload(OfferedCompetency.categories).joinedload(OfferedCategory.category))
        .order_by(Competency.name)
    ).all()
    return [
        OfferingRow(row, [(oc, counts.get(oc.id, 0))
                          for oc in sorted(row.categories, key=lambda oc: oc.category.position)])
        for row in rows
    ]


def offerable_competencies(competition: Competition) -> list[Competency]:
    """Competencies of the competition's kind, by name."""
    return list(db.session.scalars(
        select(Competency)
        .join(competency_kinds, competency_kinds.c.competency_id == Competency.id)
        .where(competency_kinds.c.kind_id == competition.kind_id)
        .order_by(Competency.name)
    ))
