"""The medal rules, in one place: pure functions over ``(entry_id, total)`` lists.

Ranking is standard competition ranking ("1224"): equal totals share a rank and the next rank
skips the shared places, so totals 90, 90, 80 rank 1, 1, 3.

Awards by competition kind:

- «Профессионалы» and «Абилимпикс»: rank 1 → gold, rank 2 → silver, rank 3 → bronze. Ties share
  the medal and the next band shrinks: 1, 1, 3 → gold, gold, bronze; 1, 2, 2 → gold, silver,
  silver and no bronze; 1, 1, 1 → three golds and nothing else.
- «Профессионалы» only: «Медальон за профессионализм» for every entry without a medal whose
  total is at or above the competition's threshold (no threshold → no medallions).
- «Мастер года»: «Победитель» for rank 1 and «Призёр» for the next ten places (ranks 2–11).
  Tie handling (decided here): equal totals always share the award. A tie for first place
  gives joint winners (the jury may break the tie before publication; a protocol can state the
  official award). A tied group gets «Призёр» only if the whole group fits in places 2–11, so
  there are never more than ten prize-winners: ranks 10, 10, 10 occupy places 10–12 and get
  no prize.

Entries without a total (nothing marked) are not ranked; withdrawn and disqualified entries
are filtered out by the caller (``standings``) before ranking.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

GOLD, SILVER, BRONZE = "gold", "silver", "bronze"
MEDALLION, WINNER, PRIZE_WINNER = "medallion", "winner", "prize_winner"
MEDALS = {1: GOLD, 2: SILVER, 3: BRONZE}
MEDAL_KINDS = ("professionaly", "abilympics")
MEDALLION_KINDS = ("professionaly",)
MASTER_KIND = "master_of_the_year"
PRIZE_PLACES = 10  # «Мастер года»: up to ten prize-winners after the winner


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


def award_for(kind_slug: str, place: int, group_size: int = 1, total: Decimal | None = None,
              medallion_threshold: Decimal | None = None) -> str | None:
    """The award of an entry at ``place`` that shares it with ``group_size`` entries."""
    if kind_slug in MEDAL_KINDS:
        medal = MEDALS.get(place)
        if medal is not None:
            return medal
        if (kind_slug in MEDALLION_KINDS and medallion_threshold is not None
                and total is not None and total >= medallion_threshold):
            return MEDALLION
        return None
    if kind_slug == MASTER_KIND:
        if place == 1:
            return WINNER
        if place >= 2 and place + group_size - 1 <= 1 + PRIZE_PLACES:
            return PRIZE_WINNER
        return None
    return None


def awards(kind_slug: str, ranked: Iterable[Standing],
           medallion_threshold: Decimal | None = None) -> list[Standing]:
    """The ranked list with each entry's award by the rules of ``kind_slug``.

    Works on ranks, so that it serves both marked results and places from a protocol."""
    ranked = list(ranked)
    sizes = Counter(s.rank for s in ranked)
    return [
        Standing(s.entry_id, s.total, s.rank,
                 award_for(kind_slug, s.rank, sizes[s.rank], s.total, medallion_threshold))
        for s in ranked
    ]


def standings(kind_slug: str, results: Iterable[tuple[int, Decimal | None]],
              medallion_threshold: Decimal | None = None) -> list[Standing]:
    """Rank ``(entry_id, total)`` pairs and give each its award."""
    return awards(kind_slug, rank(results), medallion_threshold)
