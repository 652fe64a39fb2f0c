"""Looking a diploma up by its code, rate-limited per address.

Each lookup claims the address's counter in ``services/throttle.py`` (in the database, so
every instance shares it); a code that names a diploma gives its claim back, so that only
unknown codes count: ``FREE`` of them go by, then each further lookup waits twice as long.
Known and unknown codes cost the same queries; the codes have 96 bits, so guessing is hopeless
anyway and the limit only keeps scanners from loading the database.
"""
from __future__ import annotations

import re

from .. import throttle
from .issue import find

FREE = 30
CODE = re.compile(r"[A-Za-z0-9_-]{16,32}")


class Throttled(Exception):
    def __init__(self, wait: float):
        super().__init__(wait)
        self.wait = wait


def address_key(ip: str) -> str:
    return f"v:{ip}"[:400]


def lookup(code: str, ip: str):
    """The diploma of ``code``, or None; ``Throttled`` when this address must wait."""
    key = address_key(ip or "?")
    wait = throttle.claim(key, FREE)
    if wait:
        raise Throttled(wait)
    diploma = find(code) if CODE.fullmatch(code or "") else None
    if diploma is not None:
        throttle.release(key, FREE)
    return diploma
