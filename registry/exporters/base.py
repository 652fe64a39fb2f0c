"""The exporter registry (after pretix's ``base/exporter.py``).

An exporter declares an identifier, a label, the permission it needs, the filters it accepts,
its columns, and yields rows. ``registry.exporters.render`` turns any exporter into CSV or XLSX;
the export page and ``flask export`` list ``EXPORTERS``.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

TEXT, INTEGER, DECIMAL, DATE = "text", "integer", "decimal", "date"

# Filters an exporter may declare; the export form and the CLI offer the same names.
FILTERS = ("kind", "year", "stage", "competition", "region", "competency", "category", "award")


@dataclass(frozen=True)
class Column:
    label: object  # a lazy gettext string: translated when the header is written
    kind: str = TEXT
    width: int = 16


class Exporter:
    """Subclass, set the class attributes, implement ``columns`` and ``rows``, and decorate
    with ``@register``."""

    identifier: ClassVar[str]
    label: ClassVar[object]
    description: ClassVar[object] = ""
    permission: ClassVar[str] = "exports.run"
    filters: ClassVar[tuple[str, ...]] = ()

    def columns(self) -> list[Column]:
        raise NotImplementedError

    def rows(self, filters: dict) -> Iterator[tuple]:
        """Yield one tuple per row, in column order, with typed values (int, Decimal, date)."""
        raise NotImplementedError


EXPORTERS: dict[str, Exporter] = {}


def register(cls: type[Exporter]) -> type[Exporter]:
    if cls.identifier in EXPORTERS:
        raise ValueError(f"exporter {cls.identifier!r} registered twice")
    unknown = set(cls.filters) - set(FILTERS)
    if unknown:
        raise ValueError(f"exporter {cls.identifier!r} declares unknown filters {unknown}")
    EXPORTERS[cls.identifier] = cls()
    return cls
