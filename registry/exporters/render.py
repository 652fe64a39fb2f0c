"""The table renderer, for every table exporter: the output formats ``csv`` (UTF-8 with BOM,
``;`` by default for Russian Excel) and ``xlsx`` (typed numbers and dates, bold frozen header,
autofilter, column widths), registered in ``OUTPUT_FORMATS``.

Both stream: CSV row by row; XLSX through rustpy-xlsxwriter (Rust's rust_xlsxwriter) in its
constant-memory mode, fed by a generator of rows and writing into a temporary file that is then
sent in chunks. Memory does not grow with the row count (a 37k-row and a 370k-row export peak
within a few MB of each other: ``benchmarks/xlsx_figures.py``). It was picked by measurement:
the same 36,792 winner rows took 0.8 s with it, 14 s with xlsxwriter in ``constant_memory``
mode and 35 s with openpyxl's write-only workbook (on the shared 2-core machine).

Spreadsheet formula injection: a text cell whose first visible character (after NFKC folding
and without zero-width characters: ``registry.text.starts_formula``) is ``=``, ``+``, ``-``,
``@``, tab or CR is neutralised. In CSV it gets a leading apostrophe (Excel then shows it as text); in XLSX it
is written as a typed (inline) string cell, never as a formula, so no spreadsheet evaluates it. The
participants importer removes that apostrophe, so that exports re-import unchanged.
"""
from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import chain, islice, repeat

import rustpy_xlsxwriter

from ..text import UNPRINTABLE, printable, starts_formula
from .base import (
    DATE,
    DECIMAL,
    INTEGER,
    OUTPUT_FORMATS,
    Column,
    Exporter,
    OutputFormat,
    RenderOptions,
    register_format,
)

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024


def neutralise(value: str) -> str:
    """Prefix text that a spreadsheet would read as a formula with an apostrophe; drop the
    control characters no spreadsheet can hold."""
    value = printable(value)
    if starts_formula(value):
        return "'" + value
    return value


CSV_ROWS_AT_ONCE = 1000
# A line that does not start with a letter or a digit, in a batch's texts joined by LF (an
# empty one written as a letter): the start of a value that ``neutralise`` might change
# (``starts_formula`` is False for a value starting with a letter or digit: its first test;
# a value starting with LF leaves an empty line). ``\w`` is exactly ``str.isalnum()`` and
# the underscore (over every code point: tests/test_exports.py).
_NOT_PLAIN_START = re.compile(r"^(?![^\W_])", re.MULTILINE)


def _csv_text(values) -> list[str]:
    """One batch of a text column, as ``neutralise`` makes each value. Every value starts a
    line of the batch joined by LF, so one search over the joined text (at C speed) shows
    when it would change none (no control character, no value starting with anything but a
    letter or a digit); only a batch where it finds one goes through ``neutralise``."""
    texts = ["" if v is None else v if v.__class__ is str else str(v) for v in values]
    joined = "\n".join([text or "a" for text in texts])
    if UNPRINTABLE.search(joined) or _NOT_PLAIN_START.search(joined):
        return [neutralise(text) for text in texts]
    return texts


def _csv_column(column: Column, decimal_comma: bool):
    """How one column's values (a batch of them) become what the CSV writer takes, chosen
    once per column; the writer itself writes ``None`` as an empty field and a number as
    ``str`` gives it."""
    if column.kind == DATE:
        return lambda values: ["" if v is None else v.strftime(
            "%d.%m.%Y %H:%M" if isinstance(v, datetime) else "%d.%m.%Y") for v in values]
    if column.kind == DECIMAL and decimal_comma:
        # Russian Excel reads a decimal comma when the delimiter is ';'
        return lambda values: [None if v is None else str(v).replace(".", ",")
                               for v in values]
    if column.kind in (DECIMAL, INTEGER):
        return lambda values: values
    return _csv_text


def render_csv(columns: list[Column], rows: Iterable[tuple], delimiter: str = ";",
               decimal_comma: bool | None = None) -> Iterator[bytes]:
    """CSV, ``CSV_ROWS_AT_ONCE`` rows at a time: each column of a batch converted at once."""
    if decimal_comma is None:
        decimal_comma = delimiter == ";"
    converters = [_csv_column(c, decimal_comma) for c in columns]
    width = len(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([neutralise(str(c.label)) for c in columns])
    yield "\ufeff".encode() + buffer.getvalue().encode("utf-8")
    rows = iter(rows)
    while batch := list(islice(rows, CSV_ROWS_AT_ONCE)):
        if set(map(len, batch)) != {width}:
            raise ValueError(f"a row has not {width} values, one per column")
        buffer.seek(0)
        buffer.truncate()
        by_column = zip(*batch, strict=True)  # the widths are checked: the same length
        writer.writerows(zip(*(convert(values) for convert, values
                               in zip(converters, by_column, strict=True)), strict=True))
        yield buffer.getvalue().encode("utf-8")


# What Excel refuses in a sheet name.
_SHEET_NAME_REFUSED = re.compile(r"[\[\]:*?/\\]")
_NUMBER_FORMATS = {DATE: "DD.MM.YYYY", DECIMAL: "0.00", INTEGER: "0"}
_IS_TEXT = str.__instancecheck__
RECORDS_AT_ONCE = 1000


def _xlsx_records(labels: list[str], rows: Iterable[tuple]) -> Iterator[dict]:
    """One dict per row, keyed by the header labels (the writer's record shape). Text stays
    text: the writer stores every ``str`` as a typed string cell, never a formula, a number or
    a link; numbers, ``Decimal`` and dates stay typed.

    Rows are taken ``RECORDS_AT_ONCE`` at a time, so that the work per row is at C speed
    (``map``): the lengths checked at once, one search for what an XLSX cannot hold over all
    their texts joined, and a value at a time only in a batch where it found some."""
    width = len(labels)
    rows = iter(rows)
    empty = True
    while batch := list(islice(rows, RECORDS_AT_ONCE)):
        empty = False
        if set(map(len, batch)) != {width}:
            raise ValueError(f"a row has not {width} values, one per column")
        # the control characters an XLSX cannot hold (XML 1.0), stored before the door
        # refused them, are dropped (``text.printable``); tab, LF and CR it can hold
        if UNPRINTABLE.search("".join(filter(_IS_TEXT, chain.from_iterable(batch)))):
            batch = [[printable(value) if isinstance(value, str) else value for value in row]
                     for row in batch]
        yield from map(dict, map(zip, repeat(labels), batch))
    if empty:  # the writer takes the header from the records: one record of empty cells
        yield dict.fromkeys(labels)


def sheet_name(title: str) -> str:
    return _SHEET_NAME_REFUSED.sub(" ", title).strip("' ")[:31].strip() or "Export"


def write_xlsx(path: str, columns: list[Column], rows: Iterable[tuple],
               title: str = "Export") -> None:
    """Write the table to ``path``: bold frozen header with an autofilter, the columns'
    widths and number formats, one typed cell per value."""
    labels = [str(column.label) for column in columns]
    if len(set(labels)) != len(labels):
        raise ValueError(f"two columns have the same header: {labels}")
    formats = [rustpy_xlsxwriter.Format().set_num_format(_NUMBER_FORMATS[column.kind])
               if column.kind in _NUMBER_FORMATS else None for column in columns]
    (rustpy_xlsxwriter.FastExcel(path)
     .freeze(row=1)
     .sheet(sheet_name(title), _xlsx_records(labels, rows),
            column_widths=[column.width for column in columns], column_formats=formats,
            header_format=rustpy_xlsxwriter.Format().set_bold(), autofilter=True)
     .save())


def render_xlsx(columns: list[Column], rows: Iterable[tuple], title: str = "Export") -> Iterator[bytes]:
    with tempfile.TemporaryDirectory(prefix="registry-xlsx-") as directory:
        path = os.path.join(directory, "export.xlsx")
        # The writer takes a path: given a file object it assembles the zip in memory.
        write_xlsx(path, columns, rows, title)
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk


def _table_csv(exporter: Exporter, filters: dict, options: RenderOptions) -> Iterator[bytes]:
    return render_csv(exporter.columns_for(filters), exporter.rows(filters),
                      delimiter=options.delimiter)


def _table_xlsx(exporter: Exporter, filters: dict, options: RenderOptions) -> Iterator[bytes]:
    return render_xlsx(exporter.columns_for(filters), exporter.rows(filters),
                       title=str(exporter.label))


register_format(OutputFormat("xlsx", "Excel (XLSX)", "xlsx", XLSX_MIMETYPE, _table_xlsx))
register_format(OutputFormat("csv", "CSV", "csv", CSV_MIMETYPE, _table_csv))


def render(exporter: Exporter, filters: dict, fmt: str,
           options: RenderOptions | None = None) -> Iterator[bytes]:
    """Bytes of the export in ``fmt``; call inside the locale the headers should be in."""
    if fmt not in exporter.formats:
        raise ValueError(f"exporter {exporter.identifier!r} has no format {fmt!r}")
    return OUTPUT_FORMATS[fmt].render(exporter, filters, options or RenderOptions())
