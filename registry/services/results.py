"""Standings and their publication (what a publication would change, and whether a
competency is ready, are in ``publication_review.py``).

``competition_standings`` computes the standings of a whole competition with a fixed number of
queries however many competencies, entries and aspects it has: the totals are summed by the
database (one ``GROUP BY`` over the marks of the competition), the rest is loaded in bulk and
ranked in memory, category by category (``rank_category``), by the rules of the competition's
kind (``registry.kinds``). ``publish`` stores them (``publication_content``) and makes the awards
(``services.awards``); the demo generator writes its publications with the same pieces.

Publication is per competency (its chief expert) or of the whole competition (an organiser);
what is published of a category is what the latest publication holding it says
(``published.published_categories``). Once a category is published, ``published_standings`` — the one
truth that the standings page, the exports and the person's page show — gives its published
rows; the live marks differ only as a draft (``CategoryStandings.draft_rows``, ``changes``),
seen by experts and organisers until republished. A competency with nothing marked is
published only when an organiser has declared it not held (``declare_not_held``).

A category whose results were imported from a paper protocol is ranked from the protocol
(place as given, or computed from the points at import; award as stated, or by the rules).

The competition's medal rules (``medals.MedalRules``: minimums per medal and to be held, the
700 scale) apply as ``services.medals`` describes. An entry out of competition («вне
конкурса») keeps its points (and its 700-scale score) but gets no place and no award, and is
not counted: the others are ranked among themselves. A category whose ranked in-competition
entries are fewer than the competition's minimum is not held (``below_minimum``). What was
decided beyond the four snapshot columns (out of competition, the 700 scale, not held by the
minimum) is published with the standings (``publication_content``: ``details``), so that a
later change of a flag or a rule is a draft like any other.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import joinedload

from .. import access
from ..extensions import db
from ..i18n import gettext as _
from ..models import (
    Aspect,
    CompetencyNotHeld,
    Competition,
    Criterion,
    Entry,
    Mark,
    OfferedCategory,
    OfferedCompetency,
    ProtocolResult,
    Publication,
    PublishedCategory,
    ScoreSheet,
    utcnow,
)
from . import ServiceError, awards, medals, standing_entries
from .audit import record
from .published import category_rows, publications, published_categories, published_details
from .standing_entries import scope as _scope
from .standing_entries import scoped

RANKED_STATUS = "registered"


@dataclass
class Row:
    entry: Entry
    total: Decimal | None
    rank: int | None = None
    award: str | None = None
    official_award: bool = False  # stated by a protocol, not computed
    out_of_competition: bool = False  # «вне конкурса»: points shown, no place, no award
    scaled: Decimal | None = None  # on the 700 scale (WorldSkills), when the competition shows it

    @property
    def ranked(self) -> bool:
        return self.rank is not None


@dataclass
class CategoryStandings:
    offered: OfferedCategory
    rows: list[Row]
    from_protocol: bool = False
    publication: Publication | None = None  # the latest publication holding this category
    published_rows: list | None = None  # as that publication stored them (snapshot rows)
    draft_rows: list[Row] | None = None  # the live rows, when ``rows`` are the published ones
    not_held: CompetencyNotHeld | None = None
    # not held by the competition's rule: its ``min_entries``, which the ranked in-competition
    # entries did not reach (published: as published)
    below_minimum: int | None = None
    live_details: dict = field(default_factory=dict)  # ``category_details`` of the live rows
    published_details: dict | None = None  # as the publication stored them

    @property
    def competency(self):
        return self.offered.offered_competency.competency

    @property
    def category(self):
        return self.offered.category

    @property
    def published(self) -> bool:
        return self.publication is not None

    @property
    def live_rows(self) -> list[Row]:
        return self.draft_rows if self.draft_rows is not None else self.rows

    @property
    def changed(self) -> bool:
        """Published, and the live marks give something else since."""
        return self.published and (
            self.published_rows != _snapshot_rows(self.live_rows)
            or (self.published_details or {}) != self.live_details)

    @property
    def scaled(self) -> bool:
        """Some row has a score on the 700 scale (the column is shown)."""
        return any(r.scaled is not None for r in self.rows)

    @property
    def marked(self) -> bool:
        return self.from_protocol or any(r.total is not None for r in self.live_rows)


@dataclass
class CompetitionStandings:
    competition: Competition
    categories: list[CategoryStandings]
    publication: Publication | None = None
    snapshot: dict = field(default_factory=dict)
    partial: bool = False  # one competency only (``offered_competency_id``)

    @property
    def published(self) -> bool:
        """Some category of these standings is published."""
        return any(c.published for c in self.categories)

    @property
    def fully_published(self) -> bool:
        return bool(self.categories) and all(c.published for c in self.categories)

    @property
    def changed_since_publication(self) -> bool:
        """A published category whose live marks give something else (a draft change)."""
        return any(c.changed for c in self.categories)


def competition_totals(competition_id: int,
                       offered_competency_id: int | None = None) -> dict[int, Decimal]:
    """``{entry_id: sum of marks}`` for every marked entry of a competition: one query."""
    return {entry_id: Decimal(total).quantize(Decimal("0.01"))
            for entry_id, total in db.session.execute(*_totals(competition_id,
                                                               offered_competency_id))}


@scoped
def _totals(one_competency: bool):
    return _scope(
        select(Mark.entry_id, func.sum(Mark.value))
        .join(Entry, Entry.id == Mark.entry_id)
        .join(OfferedCategory, OfferedCategory.id == Entry.offered_category_id)
        .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
        .group_by(Mark.entry_id), one_competency)


def _offered_categories(competition_id: int, offered_competency_id: int | None = None
                        ) -> list[tuple[OfferedCategory, CompetencyNotHeld | None]]:
    """The offered categories, each with its competency's not-held declaration (or None)."""
    return list(db.session.execute(*_offered(competition_id, offered_competency_id)))


@scoped
def _offered(one_competency: bool):
    return (_scope(
        select(OfferedCategory, CompetencyNotHeld)
        .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
        .outerjoin(CompetencyNotHeld,
                   CompetencyNotHeld.offered_competency_id == OfferedCompetency.id),
        one_competency)
        .options(joinedload(OfferedCategory.offered_competency)
                 .joinedload(OfferedCompetency.competency),
                 joinedload(OfferedCategory.category)))


def category_details(rows: list[Row], below_minimum: int | None) -> dict:
    """What a category's standings decided beyond the four snapshot columns, as JSON: the
    entries out of competition, the 700-scale scores, the unmet minimum; {} when nothing."""
    details: dict = {}
    out = [row.entry.id for row in rows if row.out_of_competition]
    if out:
        details["out"] = out
    scaled = {str(row.entry.id): str(row.scaled) for row in rows if row.scaled is not None}
    if scaled:
        details["scaled"] = scaled
    if below_minimum is not None:
        details["below_minimum"] = below_minimum
    return details


def _published_rows(category: CategoryStandings, rows: list, details: dict) -> list[Row]:
    """The published snapshot rows of ``category`` as ``Row``s, on the entries loaded, with
    what the publication decided of them (``details``)."""
    entries = {row.entry.id: row.entry for row in category.rows}
    out, scaled = set(details.get("out", ())), details.get("scaled", {})
    return [Row(entries[entry_id], Decimal(total) if total is not None else None, rank, award,
                out_of_competition=entry_id in out,
                scaled=Decimal(scaled[str(entry_id)]) if str(entry_id) in scaled else None)
            for entry_id, total, rank, award in rows if entry_id in entries]


def is_out_of_competition(entry) -> bool:
    """«вне конкурса» (the demo generator's records have no such flag: in competition)."""
    return bool(getattr(entry, "out_of_competition", False))


def _order(row: Row):
    """Ranked by place; then out of competition by points; then the rest by entry."""
    return (row.rank is None, row.rank or 0, not row.out_of_competition,
            -row.total if row.out_of_competition and row.total is not None else 0,
            row.entry.status != RANKED_STATUS, row.entry.id)


def rank_category(kind, threshold, offered: OfferedCategory, entries: list[Entry],
                  totals: dict, protocol: dict | None = None,
                  medal_rules: medals.MedalRules = medals.DEFAULT_RULES) -> CategoryStandings:
    """The standings of one offered category, with awards by the rules of ``kind`` (a slug or
    ``kinds.KindRules``) and the competition's ``medal_rules``: pure, on what is loaded
    already. ``totals`` is ``{entry_id: total}`` and ``protocol`` ``{entry_id:
    ProtocolResult}``. ``offered`` needs only an ``id`` and each entry an ``id`` and a
    ``status``, so that the demo generator ranks its own records with it before they are
    written. Entries out of competition are shown with their points, never ranked."""
    protocol = protocol or {}
    registered = [e for e in entries if e.status == RANKED_STATUS]
    out = {e.id for e in entries if is_out_of_competition(e)}
    rankable = [e for e in registered if e.id not in out]
    from_protocol = any(e.id in protocol for e in entries)
    rows = {e.id: Row(e, None, out_of_competition=e.id in out) for e in entries}
    if from_protocol:
        points = {entry_id: result.points for entry_id, result in protocol.items()}
    else:
        points = totals

    if from_protocol:
        ranked = [medals.Standing(e.id, protocol[e.id].points, protocol[e.id].place)
                  for e in rankable if e.id in protocol and protocol[e.id].place is not None]
    else:
        ranked = medals.rank([(e.id, totals.get(e.id)) for e in rankable])
    scaled = (medals.cis_scores([s.total for s in ranked],
                                [(e.id, points.get(e.id)) for e in registered])
              if medal_rules.needs_scale else {})
    for standing in medals.awards(kind, ranked, threshold, medal_rules, scaled):
        row = rows[standing.entry_id]
        row.rank, row.award = standing.rank, standing.award
    for entry in entries:
        row = rows[entry.id]
        row.total, row.scaled = points.get(entry.id), scaled.get(entry.id)
        result = protocol.get(entry.id)
        if result is not None and result.award and entry.status == RANKED_STATUS \
                and not row.out_of_competition:
            row.award, row.official_award = result.award, True
    ordered = sorted(rows.values(), key=_order)
    marked = from_protocol or any(r.total is not None for r in ordered)
    below = (medal_rules.min_entries
             if marked and not medal_rules.held(len(ranked))
             and not any(r.official_award for r in ordered) else None)
    return CategoryStandings(offered, ordered, from_protocol, below_minimum=below,
                             live_details=category_details(ordered, below))


@scoped
def _protocol(one_competency: bool):
    return _scope(
        select(ProtocolResult)
        .join(Entry, Entry.id == ProtocolResult.entry_id)
        .join(OfferedCategory, OfferedCategory.id == Entry.offered_category_id)
        .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id),
        one_competency)


def competition_standings(competition: Competition, offered_competency_id: int | None = None,
                          *, as_published: bool = False) -> CompetitionStandings:
    """The live standings (from the marks: the draft) of every competency and category of
    ``competition`` — or of one competency (``offered_competency_id``), which ranks the same
    since categories are ranked on their own. Each category knows its latest publication.
    ``as_published``: a published category shows its published rows instead (the live ones
    in ``draft_rows``); see ``published_standings``."""
    kind_slug = competition.kind.slug
    threshold = competition.medallion_threshold
    medal_rules = medals.MedalRules.of(competition)
    offered_with = _offered_categories(competition.id, offered_competency_id)
    offered = [oc for oc, _declared in offered_with]
    declared = {oc.offered_competency_id: d for oc, d in offered_with if d is not None}
    entries = standing_entries.entries(competition.id, offered_competency_id)
    totals = competition_totals(competition.id, offered_competency_id)
    protocol = {r.entry_id: r for r in db.session.scalars(
        *_protocol(competition.id, offered_competency_id))}
    by_category: dict[int, list[Entry]] = {}
    for entry in entries:
        by_category.setdefault(entry.offered_category_id, []).append(entry)
    categories = [
        rank_category(kind_slug, threshold, oc, by_category.get(oc.id, []), totals, protocol,
                      medal_rules)
        for oc in sorted(offered, key=lambda oc: (oc.offered_competency.competency.name,
                                                  oc.category.position))
    ]
    found = publications(competition.id)
    published = published_categories(competition.id, found)
    for cat in categories:
        cat.not_held = declared.get(cat.offered.offered_competency_id)
        if cat.offered.id in published:
            cat.publication, cat.published_rows = published[cat.offered.id]
            cat.published_details = published_details(cat.publication, cat.offered.id)
    result = CompetitionStandings(competition, categories, found[-1] if found else None,
                                  partial=offered_competency_id is not None)
    result.snapshot = snapshot(result)
    if as_published:
        for cat in categories:
            if cat.published:
                cat.draft_rows, cat.rows = cat.rows, _published_rows(
                    cat, cat.published_rows, cat.published_details)
                cat.below_minimum = cat.published_details.get("below_minimum")
    return result


def published_standings(competition: Competition,
                        offered_competency_id: int | None = None) -> CompetitionStandings:
    """The one truth after publication: published categories as published (the snapshot),
    the others live and provisional. The standings page, the results export show these."""
    return competition_standings(competition, offered_competency_id, as_published=True)


def publication_content(standings: CompetitionStandings) -> dict:
    """What a publication stores of ``standings`` (``Publication.snapshot``): the live
    standings of its categories, and the competencies among them declared not held."""
    content = {"standings": standings.snapshot}
    declared = {str(c.offered.offered_competency_id): c.not_held.reason
                for c in standings.categories if c.not_held is not None}
    if declared:
        content["not_held"] = declared
    details = {str(c.offered.id): c.live_details for c in standings.categories
               if c.live_details}
    if details:
        content["details"] = details
    return content


def _snapshot_rows(rows: list[Row]) -> list:
    return [[row.entry.id, str(row.total) if row.total is not None else None, row.rank,
             row.award] for row in rows]


def snapshot(standings: CompetitionStandings) -> dict:
    """The live standings as JSON: ``{offered_category_id: [[entry, total, rank, award], …]}``."""
    return {str(cat.offered.id): _snapshot_rows(cat.live_rows) for cat in standings.categories}


def unconfirmed_sheets(competition: Competition) -> int:
    return db.session.scalar(
        select(func.count(ScoreSheet.id))
        .join(OfferedCategory, OfferedCategory.id == ScoreSheet.offered_category_id)
        .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
        .where(OfferedCompetency.competition_id == competition.id,
               ScoreSheet.status != "confirmed")
    )


def publish(competition: Competition, offered_competency: OfferedCompetency | None = None, *,
            actor=None) -> Publication:
    """Publish the live standings (again, after corrections) of one competency — by its chief
    expert or an organiser — or of the whole competition — by an organiser (``access``).
    Refused by ``publication_review.refusal`` (a sheet not confirmed; a category with entries
    whose criteria lack a confirmed sheet and that has no protocol; a competency with nothing
    marked, unless declared not held), and when nothing has changed."""
    if offered_competency is None:
        access.enforce(access.can_publish, actor, competition.id)
    else:
        if offered_competency.competition_id != competition.id:
            raise ServiceError(_("This competency is not offered in this competition."))
        access.enforce(access.can_publish_competency, actor, offered_competency.id)
    scope = offered_competency.id if offered_competency is not None else None
    standings = competition_standings(competition, scope)
    if not standings.categories:
        raise ServiceError(_("There is nothing to publish."))
    from .publication_review import readiness, refusal  # it reads these standings' types

    reason = refusal(readiness(standings))
    if reason:
        raise ServiceError(_("Results cannot be published. %(reason)s", reason=reason))
    if standings.fully_published and not standings.changed_since_publication:
        raise ServiceError(_("Nothing has changed since the last publication."))
    previous = standings.publication
    number = (previous.number + 1) if previous else 1
    publication = Publication(competition_id=competition.id, number=number,
                              offered_competency_id=scope,
                              published_at=utcnow(), published_by_id=getattr(actor, "id", None),
                              snapshot=publication_content(standings))
    db.session.add(publication)
    db.session.flush()
    categories = category_rows(publication.id, publication.snapshot)
    if categories:
        db.session.execute(insert(PublishedCategory), categories)
    old_status = competition.status
    if competition.status in ("draft", "registration", "marking") and _all_published(competition):
        competition.status = "results_published"
    award_changes = awards.sync_from_standings(competition, standings, publication, actor=actor)
    record("results.publish", publication, user=actor, competition_id=competition.id,
           awards=award_changes, competency=scope,
           number=number, old=old_status, new=competition.status,
           previous=previous.number if previous else None)
    db.session.flush()
    return publication


def _all_published(competition: Competition) -> bool:
    offered = set(db.session.scalars(
        select(OfferedCategory.id)
        .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
        .where(OfferedCompetency.competition_id == competition.id)))
    return offered <= set(published_categories(competition.id))


@access.guarded(access.can_publish, lambda oc, *a, **k: oc.competition_id)
def declare_not_held(oc: OfferedCompetency, reason: str, *, actor=None) -> CompetencyNotHeld:
    """An organiser declares a competency not held (не состоялась), with the reason: refused
    when something is marked in it. It is then published without results."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ServiceError(_("Give the reason why the competency was not held."), field="reason")
    if db.session.get(CompetencyNotHeld, oc.id) is not None:
        raise ServiceError(_("This competency is already declared not held."))
    standings = competition_standings(oc.competition, oc.id)
    if any(cat.marked for cat in standings.categories):
        raise ServiceError(_("Marks or protocol results exist in this competency; it was held."))
    declaration = CompetencyNotHeld(offered_competency_id=oc.id, reason=reason,
                                    declared_at=utcnow(), declared_by_id=getattr(actor, "id", None))
    db.session.add(declaration)
    db.session.flush()
    record("results.not_held", oc, user=actor, competition_id=oc.competition_id,
           competency=oc.competency.name, reason=reason)
    return declaration


def scheme_total(offered_competency_id: int) -> Decimal:
    total = db.session.scalar(
        select(func.sum(Aspect.max_marks)).join(Criterion)
        .where(Criterion.offered_competency_id == offered_competency_id)
    )
    return Decimal(total or 0).quantize(Decimal("0.01"))
