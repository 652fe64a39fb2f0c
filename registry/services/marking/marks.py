"""Values on a sheet: decimals typed with a comma or a point, measurement marks (0..max in steps
of 0.01) and judgement marks (the mean of the judges' 0–3 scores scaled to the aspect's maximum).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ...i18n import gettext as _
from ...models import Aspect, Entry
from .. import ServiceError

CENT = Decimal("0.01")
MAX_JUDGE_SCORE = 3
MIN_JUDGES = 3
DEFAULT_MAX_JUDGES = 7  # app.config["MAX_JUDGES"] overrides


def max_judges() -> int:
    from flask import current_app, has_app_context

    configured = current_app.config.get("MAX_JUDGES") if has_app_context() else None
    return max(MIN_JUDGES, int(configured or DEFAULT_MAX_JUDGES))
JUDGES_ON_FORM = 3
MAX_ASPECT_MARKS = Decimal(100)


def parse_decimal(text) -> Decimal | None:
    """``"7,5"`` or ``"7.5"`` → Decimal; blank → None; anything else → ValueError."""
    if text is None:
        return None
    if isinstance(text, Decimal):
        return text
    if isinstance(text, int | float):
        text = str(text)
    text = str(text).strip().replace(",", ".").replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(text) from error
    if not value.is_finite():
        raise ValueError(text)
    return value


def _fmt(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(CENT))


def judgement_mark(scores: list[int], max_marks: Decimal) -> Decimal:
    """The mean of the judges' 0–3 scores scaled to the aspect's maximum, to 0.01."""
    mean = Decimal(sum(scores)) / Decimal(len(scores))
    return (mean / MAX_JUDGE_SCORE * max_marks).quantize(CENT, rounding=ROUND_HALF_UP)


def _entry_label(entry: Entry) -> str:
    if entry.team_name:
        return entry.team_name
    return entry.members[0].person.full_name if entry.members else f"#{entry.id}"


def _parse_mark(aspect: Aspect, raw, entry: Entry) -> tuple[Decimal, list[int] | None] | None:
    """``raw`` is a string (measurement) or a list of strings (judgement); blank → None."""
    where = {"entry": _entry_label(entry), "aspect": aspect.title}
    if aspect.kind == "judgement":
        texts = [str(t).strip() for t in (raw if isinstance(raw, list | tuple) else [raw])]
        if not any(texts):
            return None
        if not all(texts) or len(texts) < MIN_JUDGES:
            raise ServiceError(_("%(entry)s, %(aspect)s: every one of at least %(n)d judges "
                                 "gives a score.", n=MIN_JUDGES, **where))
        if len(texts) > max_judges():
            raise ServiceError(_("%(entry)s, %(aspect)s: at most %(n)d judges give a score.",
                                 n=max_judges(), **where))
        if not all(t in {str(i) for i in range(MAX_JUDGE_SCORE + 1)} for t in texts):
            raise ServiceError(_("%(entry)s, %(aspect)s: a judge's score is a whole number "
                                 "from 0 to 3.", **where))
        scores = [int(t) for t in texts]
        return judgement_mark(scores, aspect.max_marks), scores
    try:
        value = parse_decimal(raw)
    except ValueError:
        raise ServiceError(_("%(entry)s, %(aspect)s: «%(value)s» is not a number.",
                             value=raw, **where)) from None
    if value is None:
        return None
    if value < 0 or value > aspect.max_marks or value != value.quantize(CENT):
        raise ServiceError(_("%(entry)s, %(aspect)s: the mark must be from 0 to %(max)s in "
                             "steps of 0.01.", max=_fmt(aspect.max_marks), **where))
    return value.quantize(CENT), None
