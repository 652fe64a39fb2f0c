"""Matching region names as people write them: «г. Москва», «Татарстан», «ХМАО», «Кемеровская
область - Кузбасс» … to one of the 89 regions.

One rule, used everywhere a region arrives as text (imports, forms, the CLI):

1. ``region_key(text)``: ``name_key`` (case, ё/е, dashes, spaces), then punctuation and every
   dash or hyphen become spaces, and the generic words of a region's type are dropped
   («г.», «город», «республика», «область»/«обл.», «край», «автономный округ», «АО» …).
   What is left, as a sorted set of words, is the key: «Республика Татарстан» and «Татарстан»
   share «татарстан»; «Алтайский край» («алтайский») and «Республика Алтай» («алтай») do not.
2. An exact key of a region's official name or of an alias in ``data/region_aliases.csv``.
3. Failing that, the one region whose key contains every word of the text («Якутия» →
   «Республика Саха (Якутия)»); when two regions would fit, nothing matches.

``RegionLookup`` loads the regions once; build one per import and ask it per row.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from ..models import Region, name_key

ALIASES_FILE = Path(__file__).resolve().parent.parent / "data" / "region_aliases.csv"

# Words that name the type of a region, not the region. Dropping them never makes two
# official names equal (tests/test_regions.py checks this for all 89).
GENERIC_WORDS = frozenset({
    "г", "гор", "город", "федерального", "значения", "республика", "респ", "область", "обл",
    "край", "автономный", "автономная", "округ", "ао", "субъект", "рф", "россия",
})
_PUNCTUATION = re.compile(r"[\s\-‐‑‒–—―−.,;:()\[\]«»\"'“”„/\\]+")


def region_key(text: str | None) -> str:
    words = {w for w in _PUNCTUATION.split(name_key(text)) if w and w not in GENERIC_WORDS}
    return " ".join(sorted(words))


class AmbiguousAlias(ValueError):
    pass


class RegionLookup:
    """All regions and aliases in memory: ``lookup.match(text)`` asks no database query."""

    def __init__(self, regions: list[Region], aliases: list[tuple[str, str]] | None = None):
        self.regions = list(regions)
        self._by_key: dict[str, Region] = {}
        self._words: list[tuple[frozenset[str], Region]] = []
        for region in self.regions:
            key = region_key(region.name)
            other = self._by_key.get(key)
            if other is not None and other is not region:
                raise AmbiguousAlias(f"{region.name!r} and {other.name!r} share the key {key!r}")
            self._by_key[key] = region
            self._words.append((frozenset(key.split()), region))
        by_code = {r.code: r for r in self.regions}
        official = dict(self._by_key)
        for alias, code in aliases if aliases is not None else load_aliases():
            region = by_code.get(code)
            if region is None:
                continue  # an alias of a region this database does not hold
            key = region_key(alias)
            other = official.get(key) or self._by_key.get(key)
            if other is not None and other is not region:
                raise AmbiguousAlias(f"alias {alias!r} of {region.name!r} names {other.name!r}")
            self._by_key[key] = region

    def match(self, text: str | None) -> Region | None:
        key = region_key(text)
        if not key:
            return None
        if key.isdigit():  # a region code: «77», «02»
            code = key.zfill(2)
            return next((r for r in self.regions if r.code == code), None)
        region = self._by_key.get(key)
        if region is not None:
            return region
        words = frozenset(key.split())
        candidates = {id(r): r for ws, r in self._words if words <= ws}
        if len(candidates) == 1:
            return next(iter(candidates.values()))
        return None


def load_aliases() -> list[tuple[str, str]]:
    with open(ALIASES_FILE, encoding="utf-8", newline="") as fh:
        return [(row["alias"], row["code"].strip().zfill(2)) for row in csv.DictReader(fh)
                if row.get("alias") and row.get("code")]


def region_lookup() -> RegionLookup:
    """One query for the regions; build it once per import or request."""
    return RegionLookup(list(db.session.scalars(select(Region).order_by(Region.code))))


def match_region(text: str | None, lookup: RegionLookup | None = None) -> Region | None:
    """The region that ``text`` names, or None when it names none or more than one."""
    return (lookup or region_lookup()).match(text)


def regions_by_code() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.code)))


def regions_by_name() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.name)))
