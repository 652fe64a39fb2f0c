"""The rules of each competition kind, in one place.

A kind («Профессионалы», «Абилимпикс», «Мастер года») is described by its entry in
``registry/data/kinds.json``: names, categories with their minimum ages, the rule by which
places become awards (``award_rule``, a name in ``AWARD_RULES``), whether it has the
«Медальон за профессионализм» (``medallion``), whether every category is for adults
(``adults_only``) and whether its participants may have health records (``health_data``).
Everything else asks this module (``rules(slug)``) instead of comparing slugs.

Adding a kind is an entry in ``kinds.json`` (then ``flask refdata load``), plus at most one
award rule function registered with ``@award_rule`` when none of those here fits.

Award rules are pure functions ``(place, group_size) -> award | None``: ``place`` is the
standard competition rank ("1224": equal totals share a rank and the next rank skips the
shared places), ``group_size`` the number of entries that share it.

- ``medals`` («Профессионалы», «Абилимпикс»): rank 1 → gold, 2 → silver, 3 → bronze. Ties share
  the medal and the next band shrinks: 1, 1, 3 → gold, gold, bronze; 1, 2, 2 → gold, silver,
  silver and no bronze; 1, 1, 1 → three golds and nothing else.
- ``winner_and_prize_winners`` («Мастер года»): «Победитель» for rank 1 and «Призёр» for the
  next ten places (ranks 2–11). Equal totals always share the award: a tie for first place
  gives joint winners (the jury may break the tie before publication; a protocol can state the
  official award). A tied group gets «Призёр» only if the whole group fits in places 2–11, so
  there are never more than ten prize-winners: ranks 10, 10, 10 occupy places 10–12 and get
  no prize.

The medallion, where the kind has it, goes to every entry without an award whose total is at
or above the competition's threshold (no threshold → no medallions).

Award slugs (``gold`` … ``prize_winner``) are stored in the database: never rename them.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

GOLD, SILVER, BRONZE = "gold", "silver", "bronze"
MEDALLION, WINNER, PRIZE_WINNER = "medallion", "winner", "prize_winner"
MEDALS = (GOLD, SILVER, BRONZE)
PRIZE_PLACES = 10  # «Мастер года»: up to ten prize-winners after the winner

KINDS_FILE = Path(__file__).resolve().parent / "data" / "kinds.json"

PlaceAwards = Callable[[int, int], "str | None"]


@dataclass(frozen=True)
class AwardRule:
    name: str
    awards: tuple[str, ...]  # every award the rule can give, best first
    place_awards: PlaceAwards


AWARD_RULES: dict[str, AwardRule] = {}


def award_rule(name: str, awards: tuple[str, ...]):
    """Register ``(place, group_size) -> award | None`` as the award rule ``name``."""

    def register(function: PlaceAwards) -> PlaceAwards:
        AWARD_RULES[name] = AwardRule(name, tuple(awards), function)
        return function

    return register


@award_rule("medals", MEDALS)
def medals(place: int, group_size: int = 1) -> str | None:
    """Gold, silver, bronze for ranks 1–3; shared ranks shrink the next band by themselves."""
    return MEDALS[place - 1] if 1 <= place <= len(MEDALS) else None


@award_rule("winner_and_prize_winners", (WINNER, PRIZE_WINNER))
def winner_and_prize_winners(place: int, group_size: int = 1) -> str | None:
    """The winner (rank 1) and up to ``PRIZE_PLACES`` prize-winners, a tie only as a whole."""
    if place == 1:
        return WINNER
    if place >= 2 and place + group_size - 1 <= 1 + PRIZE_PLACES:
        return PRIZE_WINNER
    return None


@award_rule("none", ())
def no_awards(place: int, group_size: int = 1) -> str | None:
    return None


@dataclass(frozen=True)
class CategoryRules:
    name: str
    min_age: int | None = None


@dataclass(frozen=True)
class KindRules:
    slug: str
    short_name: str
    name: str
    categories: tuple[CategoryRules, ...] = ()
    awards: tuple[str, ...] = ()                   # every award of the kind, best first
    place_awards: PlaceAwards = no_awards          # (place, group_size) -> award | None
    has_medallion: bool = False
    adults_only: bool = False                      # every category, whatever its min_age
    health_data: bool = False                      # participants may have health records
    competencies_file: str | None = None
    rule_name: str = "none"                        # the name of ``place_awards`` in AWARD_RULES

    def award(self, place: int, group_size: int = 1, total: Decimal | None = None,
              medallion_threshold: Decimal | None = None) -> str | None:
        """The award of an entry at ``place`` that shares it with ``group_size`` entries."""
        award = self.place_awards(place, group_size)
        if award is None and self.earns_medallion(total, medallion_threshold):
            return MEDALLION
        return award

    def earns_medallion(self, value: Decimal | None, threshold: Decimal | None) -> bool:
        """Whether a non-medallist with ``value`` (points, or the 700 scale when the threshold
        is set on it) reaches the medallion ``threshold``."""
        return (self.has_medallion and threshold is not None and value is not None
                and value >= threshold)


def from_spec(spec: dict) -> KindRules:
    """A kind's rules from its ``kinds.json`` entry."""
    rule = AWARD_RULES.get(spec.get("award_rule", "none"))
    if rule is None:
        raise ValueError(f"kind {spec['slug']}: unknown award_rule {spec['award_rule']!r} "
                         f"(known: {', '.join(AWARD_RULES)})")
    medallion = bool(spec.get("medallion", False))
    return KindRules(
        slug=spec["slug"], short_name=spec["short_name"], name=spec["name"],
        categories=tuple(CategoryRules(c["name"], c.get("min_age"))
                         for c in spec.get("categories", ())),
        awards=rule.awards + ((MEDALLION,) if medallion else ()),
        place_awards=rule.place_awards, has_medallion=medallion,
        adults_only=bool(spec.get("adults_only", False)),
        health_data=bool(spec.get("health_data", False)),
        competencies_file=spec.get("competencies_file"), rule_name=rule.name,
    )


def _load() -> dict[str, KindRules]:
    specs = json.loads(KINDS_FILE.read_text(encoding="utf-8"))
    return {spec["slug"]: from_spec(spec) for spec in specs}


KINDS: dict[str, KindRules] = _load()


def rules(kind) -> KindRules:
    """The rules of a kind, by slug (or a ``CompetitionKind``, or rules themselves). A kind
    in the database that no entry describes gets no awards, no medallion and no age rule
    beyond its categories' own."""
    if isinstance(kind, KindRules):
        return kind
    slug = kind if isinstance(kind, str) else kind.slug
    found = KINDS.get(slug)
    if found is None:
        return KindRules(slug=slug, short_name=slug, name=slug)
    return found


def all_kinds() -> list[KindRules]:
    """Every registered kind, in the order of ``kinds.json``."""
    return list(KINDS.values())


def medallion_kinds() -> list[KindRules]:
    return [k for k in KINDS.values() if k.has_medallion]


def register(kind: KindRules) -> KindRules:
    """Add (or replace) a kind at run time; ``kinds.json`` is the ordinary way."""
    KINDS[kind.slug] = kind
    return kind


def unregister(slug: str) -> None:
    KINDS.pop(slug, None)


@contextmanager
def registered(kind: KindRules) -> Iterator[KindRules]:
    """``kind`` registered for the block only (tests, experiments)."""
    previous = KINDS.get(kind.slug)
    register(kind)
    try:
        yield kind
    finally:
        if previous is None:
            unregister(kind.slug)
        else:
            KINDS[kind.slug] = previous
