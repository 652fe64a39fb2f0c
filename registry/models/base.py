"""Shared column helpers and text normalisation used for matching names."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache

from ..extensions import db

Model = db.Model


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


_SPACES = re.compile(r"\s+")
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\u00a0": " "})


@lru_cache(maxsize=65536)  # a pure function of the text; an import asks it for each name
def name_key(text: str | None) -> str:
    """The form in which names are compared: case-, ё/е-, dash- and whitespace-insensitive."""
    if not text:
        return ""
    text = text.translate(_DASHES).replace("ё", "е").replace("Ё", "Е")
    text = _SPACES.sub(" ", text).strip().casefold()
    return text.replace(" - ", "-")
