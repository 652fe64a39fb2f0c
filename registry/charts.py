"""Charts drawn on the server as SVG markup: pure functions from rows to ``Markup``.

No JavaScript and no library: the two charts the registry shows (medals by region, points per
category) are a few rectangles, circles and lines, simpler to write than to configure. The
markup keeps the strict CSP: colours are SVG presentation attributes (``fill=``, ``stroke=``),
which CSP does not govern, or classes styled in ``static/css/registry.css``; never a
``style=`` attribute. Every text (region, competency, label) is escaped.

Each chart is ``role="img"`` with a ``<title>`` and a ``<desc>`` naming every number it shows,
and the page shows the same numbers as a table (the text alternative). Colours keep a 3:1
contrast against white and differ in grey print too: each medal has its own pattern (solid,
hatched, dotted, crossed) and each segment wide enough carries its count.

Elements carry ``data-`` attributes (``data-region``, ``data-award``, ``data-count``,
``data-group``, ``data-points``) so that a test can read the chart back against the table.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

WIDTH = 640  # the viewBox width; the page scales it (CSS ``.chart``)
FONT = 12
LABEL_HEIGHT = 16  # a row's label line, above its bar
BAR_HEIGHT = 18
ROW_GAP = 8
LEFT, RIGHT = 4, 44  # room on the right for a bar's total
AXIS_HEIGHT = 22
LEGEND_HEIGHT = 26
_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_PLAIN_NUMBERS = (Decimal, int)  # written by ``str`` in digits, «.», «-», «E» and «+» only


@dataclass(frozen=True)
class Series:
    """One segment kind of a stacked bar: its key (``gold``…), its label in the legend, its
    colour and the pattern that tells it apart in grey print."""

    key: str
    label: str
    colour: str
    pattern: str  # "solid", "hatch", "dots", "cross"


# Medal colours: each at least 3:1 against white (non-text contrast), told apart in grey by
# the pattern; counts are written black on a white halo, readable on every one.
MEDAL_COLOURS = {
    "gold": ("#b8860b", "solid"),
    "silver": ("#8a8d91", "hatch"),
    "bronze": ("#9c5221", "dots"),
    "medallion": ("#0b3c5d", "cross"),
}


def medal_series(labels: dict[str, str]) -> list[Series]:
    """The four medal series with ``labels`` ({award kind: label}), in table order."""
    return [Series(key, str(labels[key]), *MEDAL_COLOURS[key]) for key in MEDAL_COLOURS]


def _n(value: float) -> str:
    """A coordinate: two decimals at most, no trailing zeros."""
    if value == (whole := int(value)):
        return str(whole)
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _attrs(**values) -> str:
    return "".join(f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"'
                   for name, value in values.items() if value is not None)


def nice_step(maximum: float, ticks: int = 6, *, integer: bool = False) -> float:
    """A tick step of 1, 2 or 5 times a power of ten (at least 0.01, or 1 for counts:
    ``integer``) giving at most ``ticks`` intervals up to ``maximum``."""
    if maximum <= 0:
        return 1
    for exponent in range(0 if integer else -2, 12):
        for factor in (1, 2, 5):
            step = factor * 10.0 ** exponent
            if maximum / step <= ticks:
                return step
    return maximum


def _axis_max(maximum: float, step: float) -> float:
    """``maximum`` rounded up to a whole number of steps (1 for an empty chart)."""
    if maximum <= 0:
        return 1
    steps = -(-round(maximum / step, 9) // 1)
    return round(steps * step, 9)


def _patterns(chart_id: str, series: Sequence[Series]) -> str:
    out = []
    for s in series:
        pid = f"{chart_id}-{s.key}"
        if s.pattern == "solid":
            continue
        out.append(f'<pattern{_attrs(id=pid)} width="6" height="6" patternUnits="userSpaceOnUse">'
                   f'<rect width="6" height="6"{_attrs(fill=s.colour)}/>')
        if s.pattern == "hatch":
            out.append('<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke="#ffffff" '
                       'stroke-width="1.2"/>')
        elif s.pattern == "dots":
            out.append('<circle cx="3" cy="3" r="1.2" fill="#ffffff"/>')
        elif s.pattern == "cross":
            out.append('<path d="M0,3 h6 M3,0 v6" stroke="#ffffff" stroke-width="0.8"/>')
        out.append("</pattern>")
    return f"<defs>{''.join(out)}</defs>" if out else ""


def _paint(chart_id: str, s: Series) -> str:
    return s.colour if s.pattern == "solid" else f"url(#{chart_id}-{s.key})"


def _open(chart_id: str, kind: str, height: float, title: str, desc: str) -> str:
    if not _ID.match(chart_id):
        raise ValueError(f"chart id {chart_id!r}: lower-case letters, digits and dashes only")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_n(height)}"'
            f'{_attrs(id=chart_id, class_=f"chart chart-{kind}", data_chart=kind)} role="img"'
            f' aria-labelledby="{chart_id}-title {chart_id}-desc"'
            f' font-family="system-ui, -apple-system, \'Segoe UI\', Roboto, Arial, sans-serif"'
            f' font-size="{FONT}">'
            f'<title id="{chart_id}-title">{escape(title)}</title>'
            f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
            f'<rect width="{WIDTH}" height="{_n(height)}" fill="#ffffff"/>')


def _legend(chart_id: str, series: Sequence[Series]) -> str:
    out, x = ['<g class="chart-legend">'], LEFT
    for s in series:
        out.append(f'<rect x="{x}" y="4" width="14" height="14"{_attrs(fill=_paint(chart_id, s))}'
                   f' stroke="#000000" stroke-width="0.5"{_attrs(data_legend=s.key)}/>'
                   f'<text x="{x + 19}" y="15" fill="#212529">{escape(s.label)}</text>')
        x += 19 + 8 * len(s.label) + 18
    out.append("</g>")
    return "".join(out)


def _axis(x0: float, plot: float, top: float, bottom: float, maximum: float, step: float,
          number: Callable[[object], str], low: float = 0) -> str:
    out = ['<g class="chart-axis">']
    count = int(round((maximum - low) / step)) if step else 0
    for i in range(count + 1):
        value = round(low + step * i, 9)
        x = x0 + plot * (value - low) / (maximum - low)
        shown = int(value) if float(value).is_integer() else Decimal(str(round(value, 2)))
        out.append(f'<line x1="{_n(x)}" x2="{_n(x)}" y1="{_n(top)}" y2="{_n(bottom)}" '
                   f'stroke="#ced4da" stroke-width="1"/>'
                   f'<text x="{_n(x)}" y="{_n(bottom + 15)}" '
                   f'text-anchor="{"start" if i == 0 else "middle"}" '
                   f'fill="#495057">{escape(number(shown))}</text>')
    out.append("</g>")
    return "".join(out)


def _halo_text(x: float, y: float, text: str, anchor: str = "middle", **extra) -> str:
    return (f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" fill="#000000" '
            f'stroke="#ffffff" stroke-width="3" paint-order="stroke"'
            f'{_attrs(**extra) if extra else ""}>{escape(text)}</text>')


def stacked_bars(rows: Sequence[tuple[str, Sequence[int]]], series: Sequence[Series], *,
                 chart_id: str, title: str, desc: str,
                 number: Callable[[object], str] = str) -> Markup:
    """A horizontal stacked bar per row, in the order given: ``rows`` are ``(label, counts)``
    with one count per series. A row's label is written above its bar (never cut short);
    each segment is a ``rect`` with ``data-region``, ``data-award`` and ``data-count``, its
    width proportional to its count on one scale for all bars."""
    totals = [sum(counts) for _label, counts in rows]
    maximum = max(totals, default=0)
    step = nice_step(maximum, integer=True)
    axis_max = _axis_max(maximum, step)
    plot = WIDTH - LEFT - RIGHT
    row_height = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    top = LEGEND_HEIGHT + 4
    bottom = top + row_height * len(rows)
    height = bottom + AXIS_HEIGHT
    out = [_open(chart_id, "bars", height, title, desc), _patterns(chart_id, series),
           _legend(chart_id, series),
           _axis(LEFT, plot, top, bottom, axis_max, step, number)]
    # the attributes that are the same for every bar, escaped once (a national medal table
    # draws some 350 segments: ``_attrs`` per segment was most of the page's time)
    paints = [(str(escape(_paint(chart_id, s))), str(escape(s.key))) for s in series]
    for index, ((label, counts), total) in enumerate(zip(rows, totals, strict=True)):
        y = top + index * row_height
        bar_y = y + LABEL_HEIGHT
        name = escape(label)
        out.append(f'<g class="chart-row" data-region="{name}" data-total="{escape(total)}">'
                   f'<title>{name}: {escape(number(total))}</title>'
                   f'<text x="{LEFT}" y="{_n(y + FONT)}" fill="#212529">{name}</text>')
        x = LEFT
        bar_top = _n(bar_y)
        text_y = bar_y + 13
        for (paint, key), count in zip(paints, counts, strict=True):
            width = plot * count / axis_max
            if count:
                out.append(
                    f'<rect x="{_n(x)}" y="{bar_top}" width="{_n(width)}" height="{BAR_HEIGHT}"'
                    f' fill="{paint}" stroke="#ffffff" stroke-width="1"'
                    f' data-region="{name}" data-award="{key}" data-count="{escape(count)}"/>')
                if width >= 16:
                    out.append(_halo_text(x + width / 2, text_y, number(count)))
            x += width
        out.append(_halo_text(x + 4, text_y, number(total), anchor="start",
                              font_weight="bold"))
        out.append("</g>")
    out.append("</svg>")
    return Markup("".join(out))


def quartiles(values: Sequence[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    """First quartile, median and third quartile (the medians of the halves, Tukey's)."""
    ordered = sorted(values)

    def median(part):
        n = len(part)
        middle = n // 2
        return part[middle] if n % 2 else (part[middle - 1] + part[middle]) / 2

    n = len(ordered)
    lower, upper = ordered[:n // 2], ordered[(n + 1) // 2:]
    centre = median(ordered)
    return (median(lower) if lower else centre, centre, median(upper) if upper else centre)


def strip_plot(groups: Sequence[tuple[str, Sequence[Decimal]]], *, chart_id: str, title: str,
               desc: str, number: Callable[[object], str] = str,
               median_label: str = "median") -> Markup:
    """One strip per group (``(label, points)``): a dot per result on one points scale (from 0,
    or from below the lowest when all are in the upper half), with the box from the first to
    the third quartile and the median as a thick line. A group's label is written above its
    strip; each dot is a ``circle`` with ``data-group`` and ``data-points``."""
    values = [float(v) for _label, points in groups for v in points]
    maximum, minimum = max(values, default=0), min(values, default=0)
    # from 0, unless every result is in the upper half: then from a tick below the lowest,
    # so that close results stay apart (the axis says where it starts)
    zoom = maximum > minimum > maximum / 2
    step = nice_step(maximum - minimum if zoom else maximum)
    low = (minimum // step) * step if zoom else 0
    axis_max = _axis_max(maximum, step)
    plot = WIDTH - LEFT - RIGHT
    row_height = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    top = 6
    bottom = top + row_height * len(groups)
    height = bottom + AXIS_HEIGHT

    def at(value) -> float:
        return LEFT + plot * (float(value) - low) / (axis_max - low)

    out = [_open(chart_id, "strip", height, title, desc),
           _axis(LEFT, plot, top, bottom, axis_max, step, number, low)]
    for index, (label, points) in enumerate(groups):
        y = top + index * row_height
        mid = y + LABEL_HEIGHT + BAR_HEIGHT / 2
        name = escape(label)  # once per group, not once per dot
        out.append(f'<g class="chart-row" data-group="{name}">'
                   f'<text x="{LEFT}" y="{_n(y + FONT)}" fill="#212529">{name}</text>')
        if points:
            q1, centre, q3 = quartiles(points)
            out.append(
                f'<line x1="{_n(at(min(points)))}" x2="{_n(at(max(points)))}" y1="{_n(mid)}" '
                f'y2="{_n(mid)}" stroke="#6c757d" stroke-width="1"/>'
                f'<rect x="{_n(at(q1))}" y="{_n(mid - 7)}" width="{_n(at(q3) - at(q1))}" '
                f'height="14" fill="#e7f1ff" stroke="#0b3c5d" stroke-width="1"'
                f'{_attrs(data_q1=q1, data_q3=q3)}/>'
                f'<line x1="{_n(at(centre))}" x2="{_n(at(centre))}" y1="{_n(mid - 8)}" '
                f'y2="{_n(mid + 8)}" stroke="#000000" stroke-width="3"'
                f'{_attrs(data_median=centre)}>'
                f'<title>{escape(median_label)}: {escape(number(centre))}</title></line>')
            rows = [_n(mid + jitter) for jitter in (-4, 0, 4)]
            for i, value in enumerate(sorted(points)):
                # equal points side by side stay visible: three rows, in turn; a number's
                # text is digits and signs (``str`` of a Decimal or an int needs no escaping)
                out.append(
                    f'<circle cx="{_n(at(value))}" cy="{rows[i % 3]}" r="3.5" '
                    f'fill="#9c5221" fill-opacity="0.75" stroke="#000000" stroke-width="0.6"'
                    f' data-group="{name}" data-points="'
                    f'{value if value.__class__ in _PLAIN_NUMBERS else escape(value)}">'
                    f'<title>{escape(number(value))}</title></circle>')
        out.append("</g>")
    out.append("</svg>")
    return Markup("".join(out))
