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
also without punctuation and with look-alikes folded); names one or two edits apart within a
block of the same first letters are listed too. Pairs marked "not the same"
(``DistinctPersons``, ``DistinctOrganisations``) are never offered again.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
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


def fold(text: str | None) -> str:
    """A name as compared for duplicates: ``name_key``, Latin look-alikes as Cyrillic, no
    spaces or hyphens."""
    return name_key(text).translate(_LOOKALIKES).replace(" ", "").replace("-", "")


def birth_dates_one_typo_apart(a: date, b: date) -> bool:
    """One digit of DD.MM.YYYY differs, two adjacent digits are swapped, or day and month
    are swapped (07.03 for 03.07)."""
    if a == b:
        return False
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return True
    x, y = a.strftime("%d%m%Y"), b.strftime("%d%m%Y")
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
    """Every likely duplicate pair of persons, in the order of the first person's name."""
    blocks: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for row in db.session.execute(
            select(Person.id, Person.last_name, Person.first_name, Person.middle_name,
                   Person.birth_date, Person.organisation_id, Person.identity_key)
            .order_by(Person.identity_key, Person.id)):
        blocks[(fold(row.last_name), fold(row.first_name))].append(row)
    distinct = _distinct(DistinctPersons)
    pairs: list[Pair] = []
    for block in blocks.values():
        if len(block) < 2:
            continue
        for i, a in enumerate(block):
            middle_a = fold(a.middle_name)
            for b in block[i + 1:]:
                middle_b = fold(b.middle_name)
                reason = None
                if a.birth_date == b.birth_date:
                    if (middle_a == middle_b and a.organisation_id == b.organisation_id
                            and a.identity_key != b.identity_key):
                        reason = SPELLING
                elif ((middle_a == middle_b or not middle_a or not middle_b)
                      and birth_dates_one_typo_apart(a.birth_date, b.birth_date)):
                    reason = BIRTH_DATE_TYPO
                if reason is not None:
                    first, second = _ordered(a.id, b.id)
                    if (first, second) not in distinct:
                        pairs.append(Pair(first, second, reason))
    return pairs


def are_likely_duplicates(a: Person, b: Person) -> bool:
    return any({p.first_id, p.second_id} == {a.id, b.id} for p in person_pairs())


# --- organisations --------------------------------------------------------------------------

# Leading legal forms, left out when choosing the block (the loose key has no spaces).
_LEGAL_FORMS = re.compile(
    "^(?:фгбоу|гапоу|гбпоу|гаоу|гбоу|гпоу|кгбпоу|кгапоу|огбпоу|огапоу|обпоу|бпоу|мбоу|маоу|"
    "чпоу|ано|ооо|оао|пао|зао|ао)")


def loose_organisation_key(name: str | None) -> str:
    """An organisation's name as compared for near-duplicates: the strict key
    (``models.organisation_key``), look-alikes folded, no punctuation or spaces."""
    key = strict_organisation_key(name).translate(_LOOKALIKES)
    return _NOT_LETTERS.sub("", key)


def _body(key: str) -> str:
    """The loose key without a leading legal form (ГАПОУ, ГБПОУ, ООО …) for blocking."""
    return _LEGAL_FORMS.sub("", key)


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


def organisation_pairs() -> list[Pair]:
    """Likely duplicate organisations within each region."""
    blocks: dict[tuple[int, str], list[tuple[int, str]]] = defaultdict(list)
    for organisation_id, region_id, name in db.session.execute(
            select(Organisation.id, Organisation.region_id, Organisation.name)
            .order_by(Organisation.name_key, Organisation.id)):
        key = loose_organisation_key(name)
        blocks[(region_id, _body(key)[:3])].append((organisation_id, key))
    distinct = _distinct(DistinctOrganisations)
    pairs: list[Pair] = []
    for block in blocks.values():
        for i, (a_id, a_key) in enumerate(block):
            for b_id, b_key in block[i + 1:]:
                if a_key == b_key:
                    reason = ORGANISATION_SPELLING
                elif (min(len(a_key), len(b_key)) >= MIN_NEAR_LENGTH
                      and not _numbers_differ(a_key, b_key)
                      and within_edits(a_key, b_key)):
                    reason = ORGANISATION_NEAR
                else:
                    continue
                first, second = _ordered(a_id, b_id)
                if (first, second) not in distinct:
                    pairs.append(Pair(first, second, reason))
    return pairs


_DIGITS = re.compile(r"\d+")


def _numbers_differ(a: str, b: str) -> bool:
    """«Школа № 12» and «Школа № 13» are two schools, not one spelt twice."""
    return _DIGITS.findall(a) != _DIGITS.findall(b)
