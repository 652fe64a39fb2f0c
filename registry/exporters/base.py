"""The exporter registry (after pretix's ``base/exporter.py``).

An exporter declares an identifier, a label, the permission it needs, the filters it accepts
(``registry.exporters.filters.Filter``: the export page's fields, the ``flask export`` options
and their validation are all built from them), the output formats it can be written in, and
produces its content. A table exporter (every exporter so far) gives ``columns`` and ``rows``;
``registry.exporters.render`` writes a table as CSV or XLSX. An output format of another shape
(a document, say) registers its own ``OutputFormat`` and reads what it needs from the exporter.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from .filters import Filter

TEXT, INTEGER, DECIMAL, DATE = "text", "integer", "decimal", "date"

# The page's own fields and the command's own options: no filter may take these names.
RESERVED_NAMES = frozenset({"name", "format", "output", "lang", "delimiter"})


@dataclass(frozen=True)
class Column:
    label: object  # a lazy gettext string: translated when the header is written
    kind: str = TEXT
    width: int = 16


@dataclass(frozen=True)
class RenderOptions:
    """How the person asked for the file, beyond its format."""

    delimiter: str = ";"  # CSV only


@dataclass(frozen=True)
class OutputFormat:
    """A way to write an exporter's content to bytes (``csv``, ``xlsx``; later ``pdf``)."""

    identifier: str
    label: str  # shown in the format menu and in ``--help``
    extension: str
    mimetype: str
    render: Callable[[Exporter, dict, RenderOptions], Iterator[bytes]]


OUTPUT_FORMATS: dict[str, OutputFormat] = {}


def register_format(output: OutputFormat) -> OutputFormat:
    if output.identifier in OUTPUT_FORMATS:
        raise ValueError(f"output format {output.identifier!r} registered twice")
    OUTPUT_FORMATS[output.identifier] = output
    return output


# What a table can be written as (``registry.exporters.render``), the default one first.
TABLE_FORMATS = ("xlsx", "csv")


class Exporter:
    """Subclass, set the class attributes, implement ``columns`` and ``rows``, and decorate
    with ``@register``."""

    identifier: ClassVar[str]
    label: ClassVar[object]
    description: ClassVar[object] = ""
    permission: ClassVar[str] = "exports.run"
    filters: ClassVar[tuple[Filter, ...]] = ()
    formats: ClassVar[tuple[str, ...]] = TABLE_FORMATS

    def filter(self, name: str) -> Filter | None:
        return next((f for f in self.filters if f.name == name), None)

    def columns(self) -> list[Column]:
        raise NotImplementedError

    def columns_for(self, filters: dict) -> list[Column]:
        """The columns of an export with these filters (an option may add one)."""
        return self.columns()

    def rows(self, filters: dict) -> Iterator[tuple]:
        """Yield one tuple per row, in column order, with typed values (int, Decimal, date)."""
        raise NotImplementedError


EXPORTERS: dict[str, Exporter] = {}


def register(cls: type[Exporter]) -> type[Exporter]:
    """Add an exporter to the registry (importing its module registers it)."""
    if cls.identifier in EXPORTERS:
        raise ValueError(f"exporter {cls.identifier!r} registered twice")
    names = [f.name for f in cls.filters]
    if len(set(names)) != len(names):
        raise ValueError(f"exporter {cls.identifier!r} declares a filter twice: {names}")
    reserved = RESERVED_NAMES.intersection(names)
    if reserved:
        raise ValueError(f"exporter {cls.identifier!r}: {sorted(reserved)} are not filter names")
    if not cls.formats or set(cls.formats) - set(OUTPUT_FORMATS):
        raise ValueError(f"exporter {cls.identifier!r} declares unknown formats {cls.formats}")
    EXPORTERS[cls.identifier] = cls()
    return cls


def unregister(identifier: str) -> None:
    """Remove an exporter (tests register exporters of their own)."""
    EXPORTERS.pop(identifier, None)
