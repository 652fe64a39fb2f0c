"""Ranking, in one place: pure functions over ``(entry_id, total)`` lists.

Ranking is standard competition ranking ("1224"): equal totals share a rank and the next rank
skips the shared places, so totals 90, 90, 80 rank 1, 1, 3. Which award a rank gets is the
rule of the competition's kind (``registry.kinds``); ``awards`` applies it.

Entries without a total (nothing marked) are not ranked; withdrawn and disqualified entries,
and entries out of competition («вне конкурса»), are filtered out by the caller before
ranking, so that the in-competition entries are ranked among themselves.

A competition's medal rules (``MedalRules``, issue 13) bound the awards by the number of
ranked in-competition entries of the category (teams count once): fewer than ``min_entries``
and the category is not held (no award at all); fewer than ``gold`` / ``silver`` / ``bronze``
and that medal is not awarded (the Moscow rule 4, 5, 6 and 4: six or more → all three, five →
gold and silver, four → gold only, three or fewer → not held). The defaults (1, 1, 1 and 1)
are the rules without minimums. Ties still share a medal and shrink the next band (the kind's
award rule); a medal withheld by a minimum leaves its holder a non-medallist, who may get the
medallion by the threshold.

The WorldSkills scale (``cis_scores``): within a category, ``700 + 100 · (total − median) /
sd``, with the median and the population standard deviation of the ranked in-competition
totals, rounded to a whole number (half up). The median competitor sits at 700 and one
standard deviation is 100 points of the scale, so most scores lie between 600 and 800, as the
WorldSkills CIS shows them. With fewer than two totals, or all equal, everyone is at 700. An
out-of-competition entry is placed on the same scale (the same median and spread) without
moving it. The medallion threshold is on the points or on this scale (``threshold_on_cis``).
"""
from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .. import kinds

CIS_MEDIAN, CIS_SPREAD = Decimal(700), Decimal(100)
POINTS, CIS = "points", "cis"  # the scales a medallion threshold may be on


@dataclass(frozen=True)
class MedalRules:
    """A competition's medal minimums and scale (defaults: no minimum, the points scale)."""

    gold: int = 1
    silver: int = 1
    bronze: int = 1
    min_entries: int = 1
    cis_scale: bool = False          # the 700 scale shown beside the points
    threshold_on_cis: bool = False   # the medallion threshold is on the 700 scale

    @classmethod
    def of(cls, competition) -> MedalRules:
        """The rules a competition sets (its columns; None, when not yet set: the defaults)."""
        def value(name, default):
            found = getattr(competition, name, None)
            return default if found is None else found

        return cls(value("gold_min", 1), value("silver_min", 1), value("bronze_min", 1),
                   value("min_entries", 1), bool(value("cis_scale", False)),
                   value("medallion_scale", POINTS) == CIS)

    def held(self, ranked: int) -> bool:
        """Whether a category with ``ranked`` ranked in-competition entries is held."""
        return ranked >= self.min_entries

    def allows(self, award: str | None, ranked: int) -> bool:
        """Whether ``award`` may be given where ``ranked`` entries are ranked."""
        return ranked >= self.minimums().get(award, 1)

    def minimums(self) -> dict[str, int]:
        return {kinds.GOLD: self.gold, kinds.SILVER: self.silver, kinds.BRONZE: self.bronze}

    @property
    def needs_scale(self) -> bool:
        return self.cis_scale or self.threshold_on_cis


DEFAULT_RULES = MedalRules()


def cis_scores(in_competition: Iterable[Decimal | None],
               entries: Iterable[tuple[int, Decimal | None]]) -> dict[int, Decimal]:
    """``{entry_id: score on the 700 scale}`` of ``entries`` (pairs of entry id and total;
    those without a total are left out), on the scale that the ``in_competition`` totals (the
    ranked in-competition entries of the category) give: see the module's text."""
    values = [Decimal(v) for v in in_competition if v is not None]
    if not values:
        return {}
    median = Decimal(statistics.median(values))
    spread = Decimal(statistics.pstdev(values)) if len(values) > 1 else Decimal(0)
    scores = {}
    for entry_id, total in entries:
        if total is None:
            continue
        value = CIS_MEDIAN if spread == 0 else \
            CIS_MEDIAN + CIS_SPREAD * (Decimal(total) - median) / spread
        scores[entry_id] = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return scores


@dataclass(frozen=True)
class Standing:
    entry_id: int
    total: Decimal | None
    rank: int
    award: str | None = None


def rank(results: Iterable[tuple[int, Decimal | None]]) -> list[Standing]:
    """Rank by total, highest first; equal totals share a rank (1, 1, 3).

    Entries whose total is None are left out. Equal totals are listed by entry id."""
    scored = sorted(((e, t) for e, t in results if t is not None),
                    key=lambda item: (-item[1], item[0]))
    ranked: list[Standing] = []
    previous = None
    for position, (entry_id, total) in enumerate(scored, start=1):
        if previous is None or total != previous.total:
            place = position
        else:
            place = previous.rank
        previous = Standing(entry_id, total, place)
        ranked.append(previous)
    return ranked


def awards(kind, ranked: Iterable[Standing], medallion_threshold: Decimal | None = None,
           medal_rules: MedalRules = DEFAULT_RULES,
           scaled: dict[int, Decimal] | None = None) -> list[Standing]:
    """The ranked list with each entry's award by the rules of ``kind`` (a slug or
    ``kinds.KindRules``) and the competition's ``medal_rules``; ``scaled`` is the 700 scale
    of the entries (``cis_scores``), for a medallion threshold on that scale.

    Works on ranks, so that it serves both marked results and places from a protocol."""
    rules = kinds.rules(kind)
    ranked = list(ranked)
    count = len(ranked)
    if not medal_rules.held(count):
        return [Standing(s.entry_id, s.total, s.rank) for s in ranked]
    sizes = Counter(s.rank for s in ranked)
    withheld = {a for a, least in medal_rules.minimums().items() if count < least}
    found = []
    for s in ranked:
        award = rules.place_awards(s.rank, sizes[s.rank])
        if award in withheld:  # the minimum for this medal is not reached
            award = None
        if award is None:
            value = (scaled or {}).get(s.entry_id) if medal_rules.threshold_on_cis else s.total
            if rules.earns_medallion(value, medallion_threshold):
                award = kinds.MEDALLION
        found.append(Standing(s.entry_id, s.total, s.rank, award))
    return found


def standings(kind, results: Iterable[tuple[int, Decimal | None]],
              medallion_threshold: Decimal | None = None,
              medal_rules: MedalRules = DEFAULT_RULES,
              scaled: dict[int, Decimal] | None = None) -> list[Standing]:
    """Rank ``(entry_id, total)`` pairs and give each its award."""
    return awards(kind, rank(results), medallion_threshold, medal_rules, scaled)
