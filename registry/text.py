"""Text at the door and at the exit: one normaliser for what people type or upload, and one
test for what a spreadsheet would take for a formula.

``clean(value)``: Unicode NFC, surrounding spaces trimmed, zero-width characters and
left-to-right / right-to-left marks removed (harmless, invisible, and they hide formulas and
make names differ that look the same); control characters and bidirectional overrides or
isolates (``ad\\u202emin`` shows as «adnim») refused with ``UncleanText``, whose message the
caller puts on the field it came from. Newlines and tabs are allowed only where ``multiline``.

``starts_formula(value)``: whether the first visible character, after NFKC folding (``＝`` is
``=``) and without zero-width characters, would start a formula in a spreadsheet.
"""
from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from .i18n import gettext as _
from .i18n import ngettext

INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f", "\u00ad"}
BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x061C)}
FORMULA_STARTS = ("=", "+", "-", "@")
# One pass of the regular-expression engine each (a character loop in Python costs ~10×
# on a 10,000-row import); control characters are Unicode category Cc: U+0000–001F, 007F–009F.
_INVISIBLE = re.compile("[" + "".join(sorted(INVISIBLE)) + "]")
_BIDI = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_INLINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class UncleanText(ValueError):
    """``message`` is for people (translated)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _without_invisible(text: str) -> str:
    return _INVISIBLE.sub("", text)


def squashed(value: str | None) -> str | None:
    """``value`` with every run of whitespace one space and none at the ends; None for
    nothing left: how names, titles and reasons are stored."""
    value = " ".join((value or "").split())
    return value or None


def clean(value: str | None, *, multiline: bool = False) -> str | None:
    if value is None:
        return None
    text = str(value)
    # Printable text holds no control, invisible or direction character (they are all of
    # categories Cc and Cf); NFC text needs no composing: the common case, checked in C.
    if text.isprintable() and (text.isascii() or unicodedata.is_normalized("NFC", text)):
        return text.strip()
    if not text.isascii():
        text = _without_invisible(unicodedata.normalize("NFC", text))
        found = _BIDI.search(text)
        if found:
            raise UncleanText(_("contains an invisible character that reverses the text "
                                "direction (U+%(code)04X); type the text again.",
                                code=ord(found.group())))
    found = (_CONTROL_INLINE if multiline else _CONTROL).search(text)
    if found:
        raise UncleanText(_("contains a control character (U+%(code)04X); type the text "
                            "again.", code=ord(found.group())))
    return text.strip()


# The dot-atom local part of RFC 5322 in ASCII: what email-validator accepts without
# rewriting it. Such an address needs only its domain checked, and domains repeat (a 10,000-row
# import has a few dozen), so each domain is checked once per process.
_ASCII_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")


@lru_cache(maxsize=4096)
def _checked_domain(domain: str) -> str:
    """``domain`` as email-validator writes it; ``EmailNotValidError`` when it is not one."""
    from email_validator import validate_email

    return validate_email(f"a@{domain}", check_deliverability=False,
                          allow_smtputf8=True).domain


def email(value: str | None) -> str | None:
    """An e-mail address as the registry stores it (cleaned, lower case), checked by
    email-validator without asking the network; ``UncleanText`` when it is none."""
    from email_validator import EmailNotValidError, validate_email

    address = clean(value)
    if not address:
        return None
    local, _at, domain = address.rpartition("@")
    try:
        if domain.lower() == "localhost" and local:  # the first administrator of a new install
            validate_email(f"{local}@example.org", check_deliverability=False)
            return address.lower()
        if len(address) <= 254 and len(local) <= 64 and _ASCII_LOCAL.match(local):
            return f"{local}@{_checked_domain(domain)}".lower()
        checked = validate_email(address, check_deliverability=False,
                                 allow_smtputf8=True).normalized
    except EmailNotValidError as error:
        raise UncleanText(_("«%(value)s» is not an e-mail address.", value=address)) from error
    return checked.lower()


def starts_formula(value: str) -> bool:
    if not value:
        return False
    if value[0] in "\t\r\n":
        return True
    if value[0].isalnum():  # no letter or digit folds (NFKC) into a formula sign: checked
        return False        # over every code point (tests/test_text.py)
    if value.isascii():  # nothing to fold, nothing invisible
        return value.startswith(FORMULA_STARTS)
    visible = _without_invisible(unicodedata.normalize("NFKC", value))
    return visible.startswith(FORMULA_STARTS) or visible[:1] in ("\t", "\r", "\n")


# The control characters (Unicode's Cc: exactly U+0000–U+001F and U+007F–U+009F, a set that
# Unicode's stability policy keeps) but tab, LF and CR: what a spreadsheet file cannot hold.
UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def printable(value: str) -> str:
    """``value`` without the control characters a spreadsheet file cannot hold (for exports
    of what was stored before the door was closed). One regular expression, not a look at
    each character: a national export writes millions of them."""
    return UNPRINTABLE.sub("", value)


# Russian Cyrillic in Latin letters by the passport scheme (ICAO Doc 9303, used in Russian
# passports since 2013): ASCII letters only, no apostrophes, so it makes clean file names.
ICAO_RU = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ("a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p",
     "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "ie", "y", "", "e", "iu", "ia"),
    strict=True))


def transliterate(value: str) -> str:
    """``value`` with its Russian letters in Latin (ICAO passport scheme), lower case; other
    characters are kept as they are."""
    return "".join(ICAO_RU.get(ch, ch) for ch in unicodedata.normalize("NFC", value).lower())


def slug(value: str, *, limit: int = 40) -> str:
    """``value`` as a part of a file name: transliterated, ASCII letters and digits joined by
    single hyphens, at most ``limit`` characters (cut at a hyphen where it can be)."""
    text = unicodedata.normalize("NFKD", transliterate(str(value)))
    ascii_text = text.encode("ascii", "ignore").decode()
    words = "".join(ch if ch.isalnum() else " " for ch in ascii_text).split()
    result = "-".join(words)
    if len(result) > limit:
        cut = result[:limit]
        result = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return result


class NoSuchDate(ValueError):
    """A date written as a date that the calendar does not have (31.02.2024, 29.02.2023);
    ``message`` says so (translated)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def calendar_date(year: int, month: int, day: int) -> date:
    """``date(year, month, day)``; ``NoSuchDate`` when the day is beyond the month's last
    (the month and year exist), ``ValueError`` when the numbers are no date at all."""
    if 1 <= year <= 9999 and 1 <= month <= 12 and 1 <= day <= 31:
        days = calendar.monthrange(year, month)[1]
        if day > days:
            written = f"{day:02d}.{month:02d}.{year:04d}"
            raise NoSuchDate(ngettext(
                "The date %(date)s does not exist: that month has %(num)d day.",
                "The date %(date)s does not exist: that month has %(num)d days.",
                days, date=written))
    return date(year, month, day)


# --- Russian agreement ----------------------------------------------------------------------

_MALE_PATRONYMIC = ("вич", "ьич", "оглы", "улы", "уулу")
_FEMALE_PATRONYMIC = ("вна", "чна", "кызы", "гызы")
_FEMALE_SURNAME = ("ова", "ева", "ёва", "ина", "ына", "ская", "цкая", "ая")
_MALE_SURNAME = ("ов", "ев", "ёв", "ин", "ын", "ский", "цкий", "ой", "ый")


def gender(last_name: str | None, middle_name: str | None = None) -> str | None:
    """``"male"`` or ``"female"`` when a Russian name says it (the patronymic, else the
    surname's ending: Иванова, Петровский), None when it does not (Ким, Шевченко, Дюма): the
    phrase is then built so that nothing has to agree with the person."""
    middle = (middle_name or "").strip().lower()
    if middle.endswith(_MALE_PATRONYMIC):
        return "male"
    if middle.endswith(_FEMALE_PATRONYMIC):
        return "female"
    last = (last_name or "").strip().lower()
    if last.endswith(_FEMALE_SURNAME):
        return "female"
    if last.endswith(_MALE_SURNAME):
        return "male"
    return None


class Phrase(NamedTuple):
    """A phrase about a person, in the three forms Russian needs: ``other`` (built so that
    nothing agrees with the person), ``male`` and ``female`` (``lazy_pgettext`` with those
    contexts); English has one. ``of(person)`` picks the form by ``gender`` and fills
    ``%(name)s`` with the person's full name."""

    other: object
    male: object
    female: object

    def of(self, person, **values) -> str:
        chosen = {"male": self.male, "female": self.female}.get(
            gender(person.last_name, person.middle_name), self.other)
        return str(chosen) % {"name": person.full_name, **values}


QUOTE_MARKS = "«»„“”\""


def quoted(name: str | None) -> str:
    """``name`` in «» for a message, unless it carries quotes of its own (ГАПОУ «Орский
    нефтяной техникум», Чемпионат "Профессионалы"): then as it is, never in a second pair."""
    name = name or ""
    return name if any(mark in name for mark in QUOTE_MARKS) else f"«{name}»"
