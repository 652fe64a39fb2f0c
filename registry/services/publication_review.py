"""Before a (re)publication: what it would change per entry (awards gained, lost, changed)
and whether each competency is ready (sheets confirmed, entries without marks, not held)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from ..extensions import db
from ..i18n import gettext as _
from ..models import (
    CompetencyNotHeld,
    Criterion,
    Entry,
    OfferedCategory,
    OfferedCompetency,
    ScoreSheet,
)
from .results import RANKED_STATUS, CategoryStandings, CompetitionStandings
from .standing_entries import scope as _scope
from .standing_entries import scoped


@dataclass
class EntryChange:
    """One entry whose published result differs from the live one."""
    category: CategoryStandings
    entry: Entry
    old: tuple  # (rank, total, award) as published; (None, None, None) if never published
    new: tuple

    @property
    def kind(self) -> str:
        """gained / lost / changed (the award), or result (place or points only)."""
        old, new = self.old[2], self.new[2]
        if old == new:
            return "result"
        return "gained" if old is None else "lost" if new is None else "changed"


def changes(standings: CompetitionStandings) -> list[EntryChange]:
    """Per entry, what publishing the live standings would change against what is
    published (against nothing for a category never published: only awards then)."""
    found = []
    for cat in standings.categories:
        old = {entry_id: (rank, Decimal(total) if total is not None else None, award)
               for entry_id, total, rank, award in (cat.published_rows or [])}
        for row in cat.live_rows:
            new = (row.rank, row.total, row.award)
            before = old.get(row.entry.id, (None, None, None))
            if not cat.published and row.award is None:
                continue
            if before != new:
                found.append(EntryChange(cat, row.entry, before, new))
    return found


def award_summary(found: list[EntryChange]) -> dict[str, int]:
    summary = {"gained": 0, "lost": 0, "changed": 0, "result": 0}
    for change in found:
        summary[change.kind] += 1
    return summary


@dataclass
class CategoryReadiness:
    """One category before publication. It may be published when it has no entry to rank,
    when its results come from a protocol, or when every criterion of the competency's
    scheme has a confirmed sheet for it (``missing`` lists the codes that have none)."""
    standings: CategoryStandings
    sheets_confirmed: int
    sheets_total: int
    criteria: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def entries(self) -> int:
        return len(self.standings.live_rows)

    @property
    def ranked(self) -> int:
        return sum(1 for r in self.standings.live_rows if r.entry.status == RANKED_STATUS)

    @property
    def unmarked(self) -> int:
        """Registered entries with no total (neither marks nor a protocol's points/place)."""
        return sum(1 for r in self.standings.live_rows
                   if r.entry.status == RANKED_STATUS and r.total is None and r.rank is None)

    @property
    def refusal(self) -> str | None:
        if not self.ranked or self.standings.from_protocol:
            return None
        name = self.standings.category.name
        if not self.criteria:
            return _("%(category)s: there is no marking scheme and no protocol.",
                     category=name)
        if self.missing:
            return _("%(category)s: criteria without a confirmed score sheet: %(codes)s.",
                     category=name, codes=", ".join(self.missing))
        return None


@dataclass
class CompetencyReadiness:
    offered_competency: OfferedCompetency
    categories: list[CategoryReadiness]
    not_held: CompetencyNotHeld | None

    @property
    def marked(self) -> bool:
        return any(c.standings.marked for c in self.categories)

    @property
    def unconfirmed(self) -> int:
        return sum(c.sheets_total - c.sheets_confirmed for c in self.categories)

    @property
    def refusal(self) -> str | None:
        """Why this competency may not be published yet (None: it may). The one rule, for
        the publication page and for ``results.publish``."""
        if self.unconfirmed:
            return _("%(n)d score sheets are not confirmed yet.", n=self.unconfirmed)
        if self.not_held is not None:
            return None
        if not self.marked:
            return _("Nothing is marked; an organiser may declare the competency not held.")
        for category in self.categories:
            if category.refusal:
                return category.refusal
        return None


def refusal(state: list[CompetencyReadiness]) -> str | None:
    """The first reason why nothing of ``state`` may be published, named by competency."""
    for item in state:
        if item.refusal:
            return _("%(competency)s: %(reason)s",
                     competency=item.offered_competency.competency.name, reason=item.refusal)
    return None


@scoped
def _sheet_counts(one_competency: bool):
    return _scope(
        select(ScoreSheet.offered_category_id, ScoreSheet.status, func.count(ScoreSheet.id))
        .join(OfferedCategory, OfferedCategory.id == ScoreSheet.offered_category_id)
        .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
        .group_by(ScoreSheet.offered_category_id, ScoreSheet.status),
        one_competency)


def sheet_counts(competition_id: int,
                 offered_competency_id: int | None = None) -> dict[int, tuple[int, int]]:
    """``{offered_category_id: (confirmed, total)}`` score sheets: one query."""
    counts: dict[int, list[int]] = {}
    for category_id, status, number in db.session.execute(
            *_sheet_counts(competition_id, offered_competency_id)):
        pair = counts.setdefault(category_id, [0, 0])
        pair[1] += number
        if status == "confirmed":
            pair[0] += number
    return {k: (v[0], v[1]) for k, v in counts.items()}


@scoped
def _criteria_codes(one_competency: bool):
    return _scope(
        select(Criterion.offered_competency_id, Criterion.id, Criterion.code)
        .join(OfferedCompetency, OfferedCompetency.id == Criterion.offered_competency_id)
        .order_by(Criterion.position, Criterion.id),
        one_competency)


def criteria_codes(competition_id: int,
                   offered_competency_id: int | None = None) -> dict[int, list[tuple[int, str]]]:
    """``{offered_competency_id: [(criterion_id, code), …]}`` in scheme order: one query."""
    found: dict[int, list[tuple[int, str]]] = {}
    for oc_id, criterion_id, code in db.session.execute(
            *_criteria_codes(competition_id, offered_competency_id)):
        found.setdefault(oc_id, []).append((criterion_id, code))
    return found


@scoped
def _confirmed_criteria(one_competency: bool):
    return _scope(
        select(ScoreSheet.offered_category_id, ScoreSheet.criterion_id)
        .join(OfferedCategory, OfferedCategory.id == ScoreSheet.offered_category_id)
        .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
        .where(ScoreSheet.status == "confirmed"),
        one_competency)


def confirmed_criteria(competition_id: int,
                       offered_competency_id: int | None = None) -> set[tuple[int, int]]:
    """``{(offered_category_id, criterion_id)}`` of the confirmed score sheets: one query."""
    return {(category_id, criterion_id)
            for category_id, criterion_id in db.session.execute(
                *_confirmed_criteria(competition_id, offered_competency_id))}


def readiness(standings: CompetitionStandings) -> list[CompetencyReadiness]:
    """For each competency and category of ``standings``: entries, sheets confirmed / total,
    criteria without a confirmed sheet, entries without marks; and whether it may be
    published (``CompetencyReadiness.refusal``)."""
    scope = (standings.categories[0].offered.offered_competency_id
             if standings.partial and standings.categories else None)
    competition_id = standings.competition.id
    counts = sheet_counts(competition_id, scope)
    criteria = criteria_codes(competition_id, scope)
    confirmed = confirmed_criteria(competition_id, scope)
    by_competency: dict[int, CompetencyReadiness] = {}
    for cat in standings.categories:
        oc = cat.offered.offered_competency
        item = by_competency.setdefault(oc.id, CompetencyReadiness(oc, [], cat.not_held))
        done, total = counts.get(cat.offered.id, (0, 0))
        scheme = criteria.get(oc.id, [])
        missing = [code for criterion_id, code in scheme
                   if (cat.offered.id, criterion_id) not in confirmed]
        item.categories.append(CategoryReadiness(cat, done, total, len(scheme), missing))
    return list(by_competency.values())
