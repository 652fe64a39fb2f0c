"""Values as the page's language writes them: the ``|decimal`` and ``|quoted`` filters.

``|decimal``: a number (points, marks, totals, thresholds) with the locale's decimal sign and
grouping, keeping the places it has (``Decimal("9.50")`` is «9,50» in Russian, «9.50» in
English; ``Decimal("9.5")`` is «9,5»); None is «—». Exports keep numbers typed and do not use
it. ``|quoted``: ``registry.text.quoted``.
"""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol
from flask_babel import format_decimal, get_locale

from .i18n import babel_kept  # the context itself: ``g``'s proxy cost most of a number's time
from .text import quoted

NOTHING = "—"


def decimal(value, places: int | None = None) -> str:
    """``value`` in the UI language; ``places`` fixes the number of decimals."""
    if value is None or value == "":
        return NOTHING
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if places is None:
        exponent = number.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return grouped(number, places, places)


@lru_cache(maxsize=16)
def _symbols(locale: str) -> tuple[str, str, str, dict] | None:
    """The grouping, decimal and minus signs of ``locale``, and the table that turns
    ``str.format``'s «,» and «.» into the first two; None if any is not one character
    (then Babel formats, as it always may)."""
    symbols = (get_group_symbol(locale), get_decimal_symbol(locale),
               get_minus_sign_symbol(locale))
    if not all(len(s) == 1 for s in symbols):
        return None
    return (*symbols, str.maketrans({",": symbols[0], ".": symbols[1]}))


_last: tuple = (None, None)  # (the Locale object last asked about, its symbols)


def _current() -> tuple[str, tuple[str, str, str, dict] | None]:
    """The UI language and its symbols. Flask-Babel keeps the request's ``Locale`` object
    (``force_locale`` swaps in another one): its symbols are kept beside it, so that the
    thousands of numbers of a standings page do not each look the language up again."""
    global _last
    try:
        locale = babel_kept().babel_locale
    except (AttributeError, LookupError, RuntimeError):  # not chosen yet, or no context
        locale = None
    if locale is None:
        locale = get_locale()
    last = _last
    if last[0] is not None and last[0] is locale:
        return last[1]
    name = str(locale or "en")
    found = (name, _symbols(name))
    if locale is not None:
        _last = (locale, found)
    return found


_QUANTA = [Decimal(1).scaleb(-n) for n in range(13)]


def grouped(number, min_places: int, max_places: int) -> str:
    """``number`` as Babel's ``format_decimal`` writes it with the pattern ``#,##0``
    followed by ``min_places`` zeros and ``max_places - min_places`` hashes (rounded half to
    even; groups of three), in the UI language — the same string (a test compares the two
    over many values), made by ``str.format`` instead of Babel's general pattern machine,
    which costs a tenth of a millisecond a number: a standings page writes thousands."""
    _locale, symbols = _current()
    if (symbols is None or max_places >= len(_QUANTA) or type(number) not in (Decimal, int)
            or (type(number) is Decimal and not number.is_finite())):
        pattern = "#,##0" + ("." + "0" * min_places + "#" * (max_places - min_places)
                             if max_places else "")
        return format_decimal(number, format=pattern)
    group, point, minus, table = symbols
    value = Decimal(number).quantize(_QUANTA[max_places], rounding=ROUND_HALF_EVEN)
    text = f"{abs(value):,.{max_places}f}"
    if max_places > min_places:
        whole, _sign, fraction = text.partition(".")
        fraction = fraction.rstrip("0").ljust(min_places, "0")
        text = whole + ("." + fraction if fraction else "")
    if group != "," or point != ".":
        # below a thousand there is no group sign to change (a replace, a fifth the cost)
        text = text.translate(table) if "," in text else text.replace(".", point)
    return minus + text if value.is_signed() else text


def decimal_sign() -> str:
    """The decimal sign of the UI language («,» in Russian), for scripts that format numbers."""
    return format_decimal(Decimal("0.5"), format="0.0")[1]


def init_app(app) -> None:
    app.add_template_filter(decimal, "decimal")
    app.add_template_filter(quoted, "quoted")
    from .services.person_numbers import format_number
    app.add_template_filter(format_number, "person_number")
    app.add_template_global(decimal_sign, "decimal_sign")
