"""Reading one cell: text, dates, numbers, places, names and award words, the same for every
importer. A parser takes what ``spreadsheet.read_table`` gives (``str``, ``date``, ``int``,
``float`` or ``None``) and returns the value, or raises ``CellError`` with a message for
people (the importer adds the row and the column)."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from decimal import Decimal

from ..i18n import gettext as _
from ..models import name_key
from ..services.marking import parse_decimal
from ..text import NoSuchDate, UncleanText, calendar_date, clean, email, starts_formula

_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_EXCEL_EPOCH = date(1899, 12, 30)
MAX_NAME_LENGTH = 100

# Words people write in protocols and filters, to the award slug (``models.AWARD_KINDS``).
# Which of them a competition may give is the kind's business, not this table's.
AWARD_WORDS = {
    "золото": "gold", "золотая медаль": "gold", "gold": "gold",
    "серебро": "silver", "серебряная медаль": "silver", "silver": "silver",
    "бронза": "bronze", "бронзовая медаль": "bronze", "bronze": "bronze",
    "медальон": "medallion", "медальон за профессионализм": "medallion",
    "medallion": "medallion",
    "победитель": "winner", "winner": "winner",
    "призер": "prize_winner", "призёр": "prize_winner", "prize-winner": "prize_winner",
    "prize_winner": "prize_winner",
    "special": "special", "специальная": "special",
}


class CellError(ValueError):
    """The cell cannot be read as what its column holds; ``message`` is for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def text(value) -> str | None:
    """The cell as text with its spaces collapsed; a date as ДД.ММ.ГГГГ; empty → None."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    try:
        written = clean(" ".join(str(value).split()))  # the one normaliser (registry/text.py)
    except UncleanText as error:
        raise CellError(error.message) from error
    return written or None


def is_formula(value) -> bool:
    """A text cell that a spreadsheet would take for a formula (``＝`` and hidden characters
    in front included)."""
    return isinstance(value, str) and starts_formula(value.lstrip()) and \
        unicodedata.normalize("NFKC", value).lstrip("\u200b\ufeff ").startswith("=")


def parse_date(value) -> date:
    """A date cell, «ДД.ММ.ГГГГ» (a time after it is ignored), ISO «ГГГГ-ММ-ДД», or an Excel
    day number; ``ValueError`` for anything else (``NoSuchDate`` for 31.02.2024)."""
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 80000:  # Excel's day numbers: 1900 … 2119
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError(value)
    written = text(value) or ""
    match = _DOTTED.match(written)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return calendar_date(year, month, day)
    match = _ISO.match(written)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return calendar_date(year, month, day)
    raise ValueError(written)


def date_cell(value) -> date:
    """``parse_date`` with the message people read."""
    try:
        return parse_date(value)
    except NoSuchDate as error:
        raise CellError(error.message) from error
    except (ValueError, OverflowError) as error:
        raise CellError(_("«%(value)s» is not a date; write it as DD.MM.YYYY, e.g. 14.03.2007.",
                          value=text(value))) from error


def number_cell(value) -> Decimal | None:
    """A number, with a decimal comma or point (the forms' parser, ``parse_decimal``)."""
    try:
        return parse_decimal(value)
    except ValueError as error:
        raise CellError(_("«%(value)s» is not a number.", value=text(value))) from error


def points_cell(value) -> Decimal | None:
    try:
        return parse_decimal(value)
    except ValueError as error:
        raise CellError(_("«%(value)s» is not a number of points.", value=text(value))) from error


def place_cell(value) -> int | None:
    """A place: a whole number from 1; empty → None."""
    if text(value) is None:
        return None
    try:
        place = parse_decimal(value)
    except ValueError:
        place = None
    if place is None or place != place.to_integral() or place < 1:
        raise CellError(_("«%(value)s» is not a place (a whole number from 1).",
                          value=text(value)))
    return int(place)


def award_cell(value) -> str | None:
    """An award word («Золото», «призёр», «gold» …) → its slug; empty → None; an unknown word
    → ``KeyError`` (the caller says which awards the competition's kind has)."""
    written = text(value)
    if written is None:
        return None
    return AWARD_WORDS[name_key(written)]


YES_WORDS = frozenset({"да", "д", "yes", "y", "1", "+", "true", "есть", "согласен",
                       "согласна", "дано", "получено", "✓", "v", "истина"})
NO_WORDS = frozenset({"нет", "н", "no", "n", "0", "-", "false", "не дано", "отказ", "ложь"})


def yes_no_cell(value) -> bool | None:
    """«да» / «нет» (yes/no, 1/0, +/−, a spreadsheet's TRUE/FALSE): True or False; empty →
    None (an optional column left empty: «нет» for the callers); another word →
    ``CellError``."""
    if isinstance(value, bool):
        return value
    written = text(value)
    if written is None:
        return None
    key = name_key(written).rstrip(".")
    if key in YES_WORDS:
        return True
    if key in NO_WORDS:
        return False
    raise CellError(_("«%(value)s»: write «да» or «нет».", value=written[:60]))


def name_cell(value) -> str | None:
    """A person's name: letters, not too long, no digits."""
    written = text(value)
    if written is None:
        return None
    if len(written) > MAX_NAME_LENGTH:
        raise CellError(_("too long (at most %(n)d characters).", n=MAX_NAME_LENGTH))
    if any(ch.isdigit() for ch in written) or not any(ch.isalpha() for ch in written):
        raise CellError(_("«%(value)s» does not look like a name.", value=written))
    return written


def email_cell(value) -> str | None:
    written = text(value)
    if written is None:
        return None
    if len(written) > 254:
        raise CellError(_("«%(value)s» is not an e-mail address.", value=written[:60]))
    try:
        return email(written)
    except UncleanText as error:
        raise CellError(error.message) from error


def phone_cell(value) -> str | None:
    written = text(value)
    if written is not None and (len(written) > 40 or sum(ch.isdigit() for ch in written) < 5):
        raise CellError(_("«%(value)s» is not a phone number.", value=written))
    return written


def limited(length: int):
    """A text cell of at most ``length`` characters."""

    def parse(value) -> str | None:
        written = text(value)
        if written is not None and len(written) > length:
            raise CellError(_("too long (at most %(n)d characters).", n=length))
        return written

    return parse
