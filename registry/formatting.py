"""Values as the page's language writes them: the ``|decimal`` and ``|quoted`` filters.

``|decimal``: a number (points, marks, totals, thresholds) with the locale's decimal sign and
grouping, keeping the places it has (``Decimal("9.50")`` is «9,50» in Russian, «9.50» in
English; ``Decimal("9.5")`` is «9,5»); None is «—». Exports keep numbers typed and do not use
it. ``|quoted``: ``registry.text.quoted``.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import format_decimal

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
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(number, format=pattern)


def decimal_sign() -> str:
    """The decimal sign of the UI language («,» in Russian), for scripts that format numbers."""
    return format_decimal(Decimal("0.5"), format="0.0")[1]


def init_app(app) -> None:
    app.add_template_filter(decimal, "decimal")
    app.add_template_filter(quoted, "quoted")
    from .services.person_numbers import format_number
    app.add_template_filter(format_number, "person_number")
    app.add_template_global(decimal_sign, "decimal_sign")
