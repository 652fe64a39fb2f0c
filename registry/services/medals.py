"""Ranking, in one place: pure functions over ``(entry_id, total)`` lists.

Ranking is standard competition ranking ("1224"): equal totals share a rank and the next rank
skips the shared places, so totals 90, 90, 80 rank 1, 1, 3. Which award a rank gets is the
rule of the competition's kind (``registry.kinds``); ``awards`` applies it.

Entries without a total (nothing marked) are not ranked; withdrawn and disqualified entries
are filtered out by the caller before ranking.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .. import kinds


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


def awards(kind, ranked: Iterable[Standing],
           medallion_threshold: Decimal | None = None) -> list[Standing]:
    """The ranked list with each entry's award by the rules of ``kind`` (a slug or
    ``kinds.KindRules``).

    Works on ranks, so that it serves both marked results and places from a protocol."""
    rules = kinds.rules(kind)
    ranked = list(ranked)
    sizes = Counter(s.rank for s in ranked)
    return [
        Standing(s.entry_id, s.total, s.rank,
                 rules.award(s.rank, sizes[s.rank], s.total, medallion_threshold))
        for s in ranked
    ]


def standings(kind, results: Iterable[tuple[int, Decimal | None]],
              medallion_threshold: Decimal | None = None) -> list[Standing]:
    """Rank ``(entry_id, total)`` pairs and give each its award."""
    return awards(kind, rank(results), medallion_threshold)
