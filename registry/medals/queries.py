"""Reads of the medal-table page: the medal table of the export (one ``GROUP BY`` over the
awards of published results), sorted as the page asks."""
from __future__ import annotations

from ..exporters.base import EXPORTERS
from ..exporters.winners import medal_points
from ..models import name_key

# The table's columns, as the page's ``sort`` parameter names them (the row's index is the
# position: region, gold, silver, bronze, medallion, total, points).
SORT_COLUMNS = ("region", "gold", "silver", "bronze", "medallion", "total", "points")
DEFAULT_SORT = ("gold", "desc")
POINTS_SORT = ("points", "desc")  # the default when the page ranks by points


def ranking_key(row: tuple):
    """How medal tables are ranked: gold, then silver, bronze, medallions; then the name."""
    return (-row[1], -row[2], -row[3], -row[4], name_key(row[0]))


def points_key(row: tuple):
    """Ranked by points (4 gold, 3 silver, 2 bronze, 1 medallion), then gold first."""
    return (-medal_points(row), *ranking_key(row))


def sort_rows(rows: list[tuple], column: str, direction: str,
              order: str = "medals") -> list[tuple]:
    """``rows`` sorted by ``column`` (one of ``SORT_COLUMNS``) ``asc`` or ``desc``; rows equal
    in that column keep the ranking order (gold first, or by points: ``order``)."""
    ranked = sorted(rows, key=points_key if order == "points" else ranking_key)
    index = SORT_COLUMNS.index(column)
    key = (lambda r: name_key(r[0])) if index == 0 else (lambda r: r[index])
    return sorted(ranked, key=key, reverse=direction == "desc")


def medal_table(filters: dict) -> list[tuple]:
    """``[(region, gold, silver, bronze, medallion, total)]`` of published results, the same
    rows the «medals» export writes, ranked."""
    return EXPORTERS["medals"].table(filters)
