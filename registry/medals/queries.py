"""Reads of the medal-table page: the medal table of the export (one ``GROUP BY`` over the
awards of published results), sorted as the page asks."""
from __future__ import annotations

from ..exporters.base import EXPORTERS
from ..models import name_key

# The table's columns, as the page's ``sort`` parameter names them (the row's index is the
# position: region, gold, silver, bronze, medallion, total).
SORT_COLUMNS = ("region", "gold", "silver", "bronze", "medallion", "total")
DEFAULT_SORT = ("gold", "desc")


def ranking_key(row: tuple):
    """How medal tables are ranked: gold, then silver, bronze, medallions; then the name."""
    return (-row[1], -row[2], -row[3], -row[4], name_key(row[0]))


def sort_rows(rows: list[tuple], column: str, direction: str) -> list[tuple]:
    """``rows`` sorted by ``column`` (one of ``SORT_COLUMNS``) ``asc`` or ``desc``; rows equal
    in that column keep the ranking order."""
    ranked = sorted(rows, key=ranking_key)
    index = SORT_COLUMNS.index(column)
    key = (lambda r: name_key(r[0])) if index == 0 else (lambda r: r[index])
    return sorted(ranked, key=key, reverse=direction == "desc")


def medal_table(filters: dict) -> list[tuple]:
    """``[(region, gold, silver, bronze, medallion, total)]`` of published results, the same
    rows the «medals» export writes, ranked."""
    return EXPORTERS["medals"].table(filters)
