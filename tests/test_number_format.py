"""``formatting.grouped`` writes numbers with ``str.format`` for speed: it must write exactly
what Babel's ``format_decimal`` writes with the same pattern, in every UI language."""
from __future__ import annotations

import random
from decimal import Decimal

import pytest
from flask_babel import force_locale, format_decimal

from registry.formatting import decimal, grouped
from registry.medals.figures import number


def _values():
    rng = random.Random(16)
    fixed = ["0", "-0", "-0.00", "0.005", "-0.005", "0.015", "0.025", "2.5", "3.5", "-2.5",
             "0.125", "999.995", "999.994", "1000", "-1000", "1234.5", "-1234.567",
             "1234567.891", "100.00", "9.50", "9.5", "0.1", "-0.001", "12", "1E+3", "1.2E+7",
             "5E-7", "123456789012.345"]
    values = [Decimal(v) for v in fixed]
    for _ in range(600):
        digits = rng.randint(0, 12)
        places = rng.randint(0, 5)
        raw = rng.randint(0, 10 ** digits) * rng.choice((1, -1))
        values.append(Decimal(raw).scaleb(-places))
    return values + [0, 7, -7, 1234, -1234567, 10 ** 9]


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_grouped_writes_what_babel_writes(app, locale):
    with app.test_request_context("/"), force_locale(locale):
        for value in _values():
            for low, high in ((0, 0), (1, 1), (2, 2), (3, 3), (0, 2), (1, 3)):
                pattern = "#,##0" + ("." + "0" * low + "#" * (high - low) if high else "")
                assert grouped(value, low, high) == format_decimal(value, format=pattern), (
                    value, pattern)


def test_the_filters_keep_their_output(app):
    with app.test_request_context("/"), force_locale("ru"):
        assert decimal(Decimal("1234.50")) == "1\xa0234,50"
        assert decimal(Decimal("-9.5")) == "-9,5"
        assert decimal(None) == "—"
        assert decimal(Decimal("2.345"), places=2) == "2,34"  # half to even, as Babel
        assert number(Decimal("12.50")) == "12,5"
        assert number(3) == "3"
    with app.test_request_context("/"), force_locale("en"):
        assert decimal(Decimal("1234.50")) == "1,234.50"
        assert number(Decimal("1234.567")) == "1,234.57"


def test_the_language_is_asked_again_when_force_locale_swaps_it(app):
    """The symbols are kept beside the request's Locale object: a number written inside
    ``force_locale`` (an export in another language) and after it uses the language of the
    moment, not the one seen first."""
    with app.test_request_context("/"):
        assert decimal(Decimal("1234.5")) == "1\xa0234,5"
        with force_locale("en"):
            assert decimal(Decimal("1234.5")) == "1,234.5"
            with force_locale("ru"):
                assert decimal(Decimal("1234.5")) == "1\xa0234,5"
            assert decimal(Decimal("1234.5")) == "1,234.5"
        assert decimal(Decimal("1234.5")) == "1\xa0234,5"
