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

import unicodedata

from flask_babel import gettext as _

INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f", "\u00ad"}
BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x061C)}
FORMULA_STARTS = ("=", "+", "-", "@")


class UncleanText(ValueError):
    """``message`` is for people (translated)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _without_invisible(text: str) -> str:
    return "".join(ch for ch in text if ch not in INVISIBLE)


def clean(value: str | None, *, multiline: bool = False) -> str | None:
    if value is None:
        return None
    text = _without_invisible(unicodedata.normalize("NFC", str(value)))
    for ch in text:
        if ch in BIDI_CONTROLS:
            raise UncleanText(_("contains an invisible character that reverses the text "
                                "direction (U+%(code)04X); type the text again.",
                                code=ord(ch)))
        if unicodedata.category(ch) == "Cc" and not (multiline and ch in "\n\r\t"):
            raise UncleanText(_("contains a control character (U+%(code)04X); type the text "
                                "again.", code=ord(ch)))
    return text.strip()


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
    visible = _without_invisible(unicodedata.normalize("NFKC", value))
    return visible.startswith(FORMULA_STARTS) or visible[:1] in ("\t", "\r", "\n")


def printable(value: str) -> str:
    """``value`` without the control characters a spreadsheet file cannot hold (for exports
    of what was stored before the door was closed)."""
    return "".join(ch for ch in value
                   if not (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r"))
