"""The charts the pages show, in the user's language: the medal chart of a medal table, and
the charts of a competition's results page, from its published standings only.

A results page's charts count the categories published (their published rows: the one
truth), never a provisional category or a draft change, whoever looks."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup

from .. import charts
from ..formatting import grouped
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..services.awards import medal_region
from .queries import ranking_key

MEDAL_KINDS = tuple(charts.MEDAL_COLOURS)
MEDAL_LABELS = {"gold": _l("Gold"), "silver": _l("Silver"), "bronze": _l("Bronze"),
                "medallion": _l("Medallions")}


def number(value) -> str:
    """A number as the page writes it (a decimal comma in Russian)."""
    if isinstance(value, int):
        return str(value)
    return grouped(value, 0, 2)  # Babel's "#,##0.##", faster


def medal_chart(rows: list[tuple], chart_id: str = "medal-chart") -> Markup | None:
    """The stacked bars of ``rows`` (region, gold, silver, bronze, medallion, total), in
    their order; None when there is no medal."""
    if not rows:
        return None
    # translated once, filled per region (``gettext`` per row looked the language up 89 times)
    sentence = _("%(region)s: gold %(gold)d, silver %(silver)d, bronze %(bronze)d, medallions "
                 "%(medallion)d, total %(total)d.")
    desc = " ".join(
        sentence % {"region": r[0], "gold": r[1], "silver": r[2], "bronze": r[3],
                    "medallion": r[4], "total": r[5]} for r in rows)
    return charts.stacked_bars(
        [(r[0], r[1:5]) for r in rows], charts.medal_series(MEDAL_LABELS), chart_id=chart_id,
        title=_("Medals by region"), desc=desc, number=number)


@dataclass(frozen=True)
class PointsGroup:
    """The published points of one category of a competency (for the chart and its table)."""

    competency: str
    category: str
    points: list[Decimal]

    @property
    def label(self) -> str:
        return f"{self.competency} · {self.category}"

    @property
    def summary(self) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal]:
        """Minimum, first quartile, median, third quartile, maximum."""
        q1, median, q3 = charts.quartiles(self.points)
        return min(self.points), q1, median, q3, max(self.points)


def standings_medals(standings) -> list[tuple]:
    """The medal table by region of the published categories of ``standings``: a team's medal
    counts once, for the region ``services.awards.medal_region`` gives (as the awards do)."""
    tally: dict[int, Counter] = {}
    names: dict[int, str] = {}
    for category in standings.categories:
        if not category.published:
            continue
        for row in category.rows:
            if row.award not in MEDAL_KINDS:
                continue
            people = [m.person for m in row.entry.members]
            region = medal_region([p.region_id for p in people])
            if region is None:
                continue
            names.update({p.region_id: p.region.name for p in people})
            tally.setdefault(region, Counter())[row.award] += 1
    rows = []
    for region, counter in tally.items():
        counts = [counter[k] for k in MEDAL_KINDS]
        rows.append((names[region], *counts, sum(counts)))
    return sorted(rows, key=ranking_key)


def standings_points(standings) -> list[PointsGroup]:
    """The published points of each published category that has any, by competency."""
    groups = []
    for category in standings.categories:
        if not category.published:
            continue
        points = [row.total for row in category.rows if row.total is not None and row.ranked]
        if points:
            groups.append(PointsGroup(category.competency.name, category.category.name, points))
    return groups  # in the standings' order: competency, then category


def points_chart(groups: list[PointsGroup], chart_id: str = "points-chart") -> Markup | None:
    if not groups:
        return None
    sentence = _("%(group)s: %(n)d results, from %(low)s to %(high)s, median %(median)s.")
    parts = []
    for g in groups:
        low, _q1, median, _q3, high = g.summary  # sorts the points: once a group
        parts.append(sentence % {"group": g.label, "n": len(g.points), "low": number(low),
                                 "high": number(high), "median": number(median)})
    desc = " ".join(parts)
    return charts.strip_plot(
        [(g.label, g.points) for g in groups], chart_id=chart_id,
        title=_("Points per competency"), desc=desc, number=number, median_label=_("median"))
