"""Standings and their publication.

``competition_standings`` computes the standings of a whole competition with a fixed number of
queries however many competencies, entries and aspects it has: the totals are summed by the
database (one ``GROUP BY`` over the marks of the competition), the rest is loaded in bulk and
ranked in memory, category by category (``rank_category``), by the rules of the competition's
kind (``registry.kinds``). ``publish`` stores them (``publication_content``) and makes the awards
(``services.awards``); the demo generator writes its publications with the same pieces.

A category whose results were imported from a paper protocol is ranked from the protocol
(place as given, or computed from the points at import; award as stated, or by the rules).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from .. import access
from ..extensions import db
from ..models import (
    Aspect,
    Competition,
    Criterion,
    Entry,
    EntryMember,
    Mark,
    OfferedCategory,
    OfferedCompetency,
    Person,
    ProtocolResult,
    Publication,
    ScoreSheet,
    utcnow,
)
from . import ServiceError, awards, medals
from .audit import record

RANKED_STATUS = "registered"


@dataclass
class Row:
    entry: Entry
    total: Decimal | None
    rank: int | None = None
    award: str | None = None
    official_award: bool = False  # stated by a protocol, not computed

    @property
    def ranked(self) -> bool:
        return self.rank is not None


@dataclass
class CategoryStandings:
    offered: OfferedCategory
    rows: list[Row]
    from_protocol: bool = False

    @property
    def competency(self):
        return self.offered.offered_competency.competency

    @property
    def category(self):
        return self.offered.category


@dataclass
class CompetitionStandings:
    competition: Competition
    categories: list[CategoryStandings]
    publication: Publication | None = None
    snapshot: dict = field(default_factory=dict)
    partial: bool = False  # one competency only (``offered_competency_id``)

    @property
    def published(self) -> bool:
        return self.publication is not None

    @property
    def changed_since_publication(self) -> bool:
        if self.publication is None:
            return False
        published = self.publication.snapshot.get("standings", {})
        if self.partial:
            published = {key: published.get(key) for key in self.snapshot}
        return published != self.snapshot


def _scope(query, competition_id: int, offered_competency_id: int | None):
    """Restrict a query that joins OfferedCompetency to a competition (and one competency)."""
    query = query.where(OfferedCompetency.competition_id == competition_id)
    if offered_competency_id is not None:
        query = query.where(OfferedCompetency.id == offered_competency_id)
    return query


def competition_totals(competition_id: int,
                       offered_competency_id: int | None = None) -> dict[int, Decimal]:
    """``{entry_id: sum of marks}`` for every marked entry of a competition: one query."""
    query = (
        select(Mark.entry_id, func.sum(Mark.value))
        .join(Entry, Entry.id == Mark.entry_id)
        .join(OfferedCategory, OfferedCategory.id == Entry.offered_category_id)
        .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
        .group_by(Mark.entry_id)
    )
    query = _scope(query, competition_id, offered_competency_id)
    return {entry_id: Decimal(total).quantize(Decimal("0.01"))
            for entry_id, total in db.session.execute(query)}


def _competition_entries(competition_id: int,
                         offered_competency_id: int | None = None) -> list[Entry]:
    """Every entry of the competition with its members, their regions and organisations, in
    one query (joined, not select-in: select-in would add a query per 500 entries)."""
    return list(db.session.scalars(_scope(
        select(Entry)
        .join(OfferedCategory, OfferedCategory.id == Entry.offered_category_id)
        .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id),
        competition_id, offered_competency_id)
        .options(joinedload(Entry.members).joinedload(EntryMember.person)
                 .joinedload(Person.region),
                 joinedload(Entry.members).joinedload(EntryMember.person)
                 .joinedload(Person.organisation))
        .order_by(Entry.id)
    ).unique())


def _offered_categories(competition_id: int,
                        offered_competency_id: int | None = None) -> list[OfferedCategory]:
    return list(db.session.scalars(_scope(
        select(OfferedCategory)
        .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id),
        competition_id, offered_competency_id)
        .options(joinedload(OfferedCategory.offered_competency)
                 .joinedload(OfferedCompetency.competency),
                 joinedload(OfferedCategory.category))
    ))


def latest_publication(competition_id: int) -> Publication | None:
    return db.session.scalar(
        select(Publication).where(Publication.competition_id == competition_id)
        .order_by(Publication.number.desc()).limit(1)
    )


def rank_category(kind, threshold, offered: OfferedCategory, entries: list[Entry],
                  totals: dict, protocol: dict | None = None) -> CategoryStandings:
    """The standings of one offered category, with awards by the rules of ``kind`` (a slug or
    ``kinds.KindRules``): pure, on what is loaded already. ``totals`` is ``{entry_id: total}``
    and ``protocol`` ``{entry_id: ProtocolResult}``. ``offered`` needs only an ``id`` and
    each entry an ``id`` and a ``status``, so that the demo generator ranks its own records
    with it before they are written."""
    protocol = protocol or {}
    rankable = [e for e in entries if e.status == RANKED_STATUS]
    from_protocol = any(e.id in protocol for e in entries)
    rows = {e.id: Row(e, None) for e in entries}
    if from_protocol:
        ranked = [medals.Standing(e.id, protocol[e.id].points, protocol[e.id].place)
                  for e in rankable if e.id in protocol and protocol[e.id].place is not None]
        for standing in medals.awards(kind, ranked, threshold):
            row = rows[standing.entry_id]
            row.total, row.rank, row.award = standing.total, standing.rank, standing.award
        for entry in entries:
            result = protocol.get(entry.id)
            if result is None:
                continue
            rows[entry.id].total = result.points
            if result.award and entry.status == RANKED_STATUS:
                rows[entry.id].award, rows[entry.id].official_award = result.award, True
    else:
        for entry in entries:
            rows[entry.id].total = totals.get(entry.id)
        for standing in medals.standings(
                kind, [(e.id, totals.get(e.id)) for e in rankable], threshold):
            row = rows[standing.entry_id]
            row.rank, row.award = standing.rank, standing.award
    ordered = sorted(rows.values(), key=lambda r: (
        r.rank is None, r.rank or 0, r.entry.status != RANKED_STATUS, r.entry.id))
    return CategoryStandings(offered, ordered, from_protocol)


def competition_standings(competition: Competition,
                          offered_competency_id: int | None = None) -> CompetitionStandings:
    """The standings of every competency and category of ``competition`` — or of one
    competency (``offered_competency_id``), which ranks the same since categories are ranked
    on their own."""
    kind_slug = competition.kind.slug
    threshold = competition.medallion_threshold
    offered = _offered_categories(competition.id, offered_competency_id)
    entries = _competition_entries(competition.id, offered_competency_id)
    totals = competition_totals(competition.id, offered_competency_id)
    protocol = {r.entry_id: r for r in db.session.scalars(_scope(
        select(ProtocolResult)
        .join(Entry, Entry.id == ProtocolResult.entry_id)
        .join(OfferedCategory, OfferedCategory.id == Entry.offered_category_id)
        .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id),
        competition.id, offered_competency_id))}
    by_category: dict[int, list[Entry]] = {}
    for entry in entries:
        by_category.setdefault(entry.offered_category_id, []).append(entry)
    categories = [
        rank_category(kind_slug, threshold, oc, by_category.get(oc.id, []), totals, protocol)
        for oc in sorted(offered, key=lambda oc: (oc.offered_competency.competency.name,
                                                  oc.category.position))
    ]
    result = CompetitionStandings(competition, categories, latest_publication(competition.id),
                                  partial=offered_competency_id is not None)
    result.snapshot = snapshot(result)
    return result


def publication_content(standings: CompetitionStandings) -> dict:
    """What a publication stores of ``standings`` (``Publication.snapshot``)."""
    return {"standings": standings.snapshot}


def snapshot(standings: CompetitionStandings) -> dict:
    """The standings as JSON: ``{offered_category_id: [[entry, total, rank, award], …]}``."""
    return {
        str(cat.offered.id): [
            [row.entry.id, str(row.total) if row.total is not None else None, row.rank,
             row.award]
            for row in cat.rows
        ]
        for cat in standings.categories
    }


def unconfirmed_sheets(competition: Competition) -> int:
    return db.session.scalar(
        select(func.count(ScoreSheet.id))
        .join(OfferedCategory, OfferedCategory.id == ScoreSheet.offered_category_id)
        .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
        .where(OfferedCompetency.competition_id == competition.id,
               ScoreSheet.status != "confirmed")
    )


@access.guarded(access.can_publish, lambda competition, **k: competition.id)
def publish(competition: Competition, *, actor=None) -> Publication:
    """Publish the current standings (again, after corrections): by those ``access`` allows
    (organisers, a chief expert of the competition). Refused while a score sheet of the
    competition is not confirmed by its chief expert."""
    pending = unconfirmed_sheets(competition)
    if pending:
        raise ServiceError(_("%(n)d score sheets are not confirmed yet; results cannot be "
                             "published.", n=pending))
    standings = competition_standings(competition)
    if standings.publication is not None and not standings.changed_since_publication:
        raise ServiceError(_("Nothing has changed since the last publication."))
    number = (standings.publication.number + 1) if standings.publication else 1
    publication = Publication(competition_id=competition.id, number=number,
                              published_at=utcnow(), published_by_id=getattr(actor, "id", None),
                              snapshot=publication_content(standings))
    db.session.add(publication)
    old_status = competition.status
    if competition.status in ("draft", "registration", "marking"):
        competition.status = "results_published"
    db.session.flush()
    award_changes = awards.sync_from_standings(competition, standings, publication, actor=actor)
    record("results.publish", publication, user=actor, competition_id=competition.id,
           awards=award_changes,
           number=number, old=old_status, new=competition.status,
           previous=standings.publication.number if standings.publication else None)
    db.session.flush()
    return publication


def scheme_total(offered_competency_id: int) -> Decimal:
    total = db.session.scalar(
        select(func.sum(Aspect.max_marks)).join(Criterion)
        .where(Criterion.offered_competency_id == offered_competency_id)
    )
    return Decimal(total or 0).quantize(Decimal("0.01"))
