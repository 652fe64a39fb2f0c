"""Likely duplicates: persons and organisations entered twice under slightly different
spellings. Finding them is read-only; merging is ``person_merge`` / ``organisation_merge``.

Persons are compared within blocks of the same folded surname and given name (``fold``:
case, ё/е, spaces, hyphens and Latin look-alike letters do not matter), so the search reads
every person once and compares only namesakes — never all pairs. Two persons of one block are
likely the same when

* their birth dates are one typo apart (one digit differs, two adjacent digits swapped, or
  day and month swapped) and their patronymics agree (or one has none); or
* they have the same birth date, patronymic and organisation but are spelt differently
  (their identity keys differ: a Latin «о», a space, …).

Organisations are compared within a region by a looser key (``loose_organisation_key``:
also without punctuation and with look-alikes folded); names one or two edits apart are
listed too, found through the one-letter deletions they share (symmetric deletion: no
comparison of all pairs). Pairs marked "not the same"
(``DistinctPersons``, ``DistinctOrganisations``) are never offered again.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import DistinctOrganisations, DistinctPersons, Organisation, Person, name_key
from ..models import organisation_key as strict_organisation_key

# Latin letters that look like Cyrillic ones (after case folding).
_LOOKALIKES = str.maketrans({"a": "а", "b": "в", "c": "с", "e": "е", "h": "н", "k": "к",
                             "m": "м", "o": "о", "p": "р", "t": "т", "x": "х", "y": "у"})
_NOT_LETTERS = re.compile(r"[\W_]+")

BIRTH_DATE_TYPO = "birth_date_typo"
SPELLING = "spelling"
REASONS = {
    BIRTH_DATE_TYPO: _l("same name, birth dates one typo apart"),
    SPELLING: _l("same name, birth date and organisation, spelt differently"),
}
ORGANISATION_SPELLING = "organisation_spelling"
ORGANISATION_NEAR = "organisation_near"
ORGANISATION_REASONS = {
    ORGANISATION_SPELLING: _l("the same name but for punctuation, spaces or look-alike letters"),
    ORGANISATION_NEAR: _l("names one or two letters apart"),
}


_LATIN = re.compile("[a-z]")


def _fold_key(key: str) -> str:
    """``fold`` of text that is ``name_key``-ed already (as the parts of an identity key)."""
    if _LATIN.search(key):
        key = key.translate(_LOOKALIKES)
    return key.replace(" ", "").replace("-", "")


def fold(text: str | None) -> str:
    """A name as compared for duplicates: ``name_key``, Latin look-alikes as Cyrillic, no
    spaces or hyphens."""
    return _fold_key(name_key(text))


def _digits(day: date | str) -> str:
    """DDMMYYYY of a date or of its ISO text."""
    iso = day if isinstance(day, str) else day.isoformat()
    return iso[8:10] + iso[5:7] + iso[0:4]


def birth_dates_one_typo_apart(a: date | str, b: date | str) -> bool:
    """One digit of DD.MM.YYYY differs, two adjacent digits are swapped, or day and month
    are swapped (07.03 for 03.07). Dates or their ISO text."""
    x, y = _digits(a), _digits(b)
    if x == y:
        return False
    if x[4:] == y[4:] and x[0:2] == y[2:4] and x[2:4] == y[0:2]:
        return True
    differ = [i for i in range(len(x)) if x[i] != y[i]]
    if len(differ) == 1:
        return True
    return (len(differ) == 2 and differ[1] == differ[0] + 1
            and x[differ[0]] == y[differ[1]] and x[differ[1]] == y[differ[0]])


@dataclass(frozen=True)
class Pair:
    first_id: int      # the smaller id
    second_id: int
    reason: str

    @property
    def reason_label(self) -> str:
        return str({**REASONS, **ORGANISATION_REASONS}[self.reason])


def _ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _distinct(model) -> set[tuple[int, int]]:
    return {tuple(row) for row in db.session.execute(select(model.first_id, model.second_id))}


def person_pairs() -> list[Pair]:
    """Every likely duplicate pair of persons, in the order of the first person's name. One
    query of three columns: the names and birth date come out of the identity key (already
    case- and ё-folded)."""
    blocks: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for person_id, key, organisation_id in db.session.execute(
            select(Person.id, Person.identity_key, Person.organisation_id)):
        *names, born = key.split("|")  # a «|» typed into a name must not break the search
        last, first, middle = names[0], "|".join(names[1:2]), "|".join(names[2:])
        blocks[(_fold_key(last), _fold_key(first))].append(
            (person_id, _fold_key(middle), born, organisation_id, key))
    distinct = _distinct(DistinctPersons)
    pairs: list[tuple[tuple, Pair]] = []
    for block_key, block in blocks.items():
        if len(block) < 2:
            continue
        for i, (a_id, a_middle, a_born, a_org, a_key) in enumerate(block):
            for b_id, b_middle, b_born, b_org, b_key in block[i + 1:]:
                reason = None
                if a_born == b_born:
                    if a_middle == b_middle and a_org == b_org and a_key != b_key:
                        reason = SPELLING
                elif ((a_middle == b_middle or not a_middle or not b_middle)
                      and birth_dates_one_typo_apart(a_born, b_born)):
                    reason = BIRTH_DATE_TYPO
                if reason is not None:
                    first, second = _ordered(a_id, b_id)
                    if (first, second) not in distinct:
                        pairs.append(((block_key, first, second), Pair(first, second, reason)))
    pairs.sort(key=lambda item: item[0])
    return [pair for _key, pair in pairs]


# --- organisations --------------------------------------------------------------------------


def loose_organisation_key(name: str | None) -> str:
    """An organisation's name as compared for near-duplicates: the strict key
    (``models.organisation_key``), look-alikes folded, no punctuation or spaces."""
    key = strict_organisation_key(name).translate(_LOOKALIKES)
    return _NOT_LETTERS.sub("", key)


def within_edits(a: str, b: str, limit: int = 2) -> bool:
    """Levenshtein distance of ``a`` and ``b`` at most ``limit`` (banded: O(len·limit))."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [limit + 1] * len(b)
        low, high = max(1, i - limit), min(len(b), i + limit)
        for j in range(low, high + 1):
            cost = 0 if ca == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if min(current[max(0, low - 1):high + 1]) > limit:
            return False
        previous = current
    return previous[len(b)] <= limit


MIN_NEAR_LENGTH = 8  # shorter names one edit apart are different names («Школа 1», «Школа 2»)


def _deletions(key: str) -> set[str]:
    """The key and every key one letter shorter: two names share one of these when they are
    one insertion, deletion, substitution or swap of neighbours apart (symmetric deletion)."""
    return {key, *(key[:i] + key[i + 1:] for i in range(len(key)))}


def organisation_pairs() -> list[Pair]:
    """Likely duplicate organisations within each region: the same loose key, or loose keys
    one or two edits apart (found through shared one-letter deletions, then checked), never
    by comparing every pair."""
    by_region: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for organisation_id, region_id, name in db.session.execute(
            select(Organisation.id, Organisation.region_id, Organisation.name)):
        by_region[region_id].append((organisation_id, loose_organisation_key(name)))
    distinct = _distinct(DistinctOrganisations)
    found: dict[tuple[int, int], str] = {}
    for organisations in by_region.values():
        keys = dict(organisations)
        variants: dict[str, list[int]] = defaultdict(list)
        for organisation_id, key in organisations:
            for variant in (_deletions(key) if len(key) >= MIN_NEAR_LENGTH else {key}):
                variants[variant].append(organisation_id)
        for ids in variants.values():
            if len(ids) < 2:
                continue
            for i, a in enumerate(ids):
                for b in ids[i + 1:]:
                    pair = _ordered(a, b)
                    if pair in found or pair in distinct or a == b:
                        continue
                    a_key, b_key = keys[a], keys[b]
                    if a_key == b_key:
                        found[pair] = ORGANISATION_SPELLING
                    elif not _numbers_differ(a_key, b_key) and within_edits(a_key, b_key):
                        found[pair] = ORGANISATION_NEAR
    return [Pair(first, second, reason) for (first, second), reason in sorted(found.items())]


_DIGITS = re.compile(r"\d+")


def _numbers_differ(a: str, b: str) -> bool:
    """«Школа № 12» and «Школа № 13» are two schools, not one spelt twice."""
    return _DIGITS.findall(a) != _DIGITS.findall(b)
