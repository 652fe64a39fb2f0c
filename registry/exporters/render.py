"""The table renderer, for every table exporter: the output formats ``csv`` (UTF-8 with BOM,
``;`` by default for Russian Excel) and ``xlsx`` (typed numbers and dates, bold frozen header,
autofilter, column widths), registered in ``OUTPUT_FORMATS``.

Both stream: CSV row by row; XLSX through openpyxl's write-only workbook into a temporary
file that is then sent in chunks. Memory does not grow with the row count.

Spreadsheet formula injection: a text cell whose first visible character (after NFKC folding
and without zero-width characters: ``registry.text.starts_formula``) is ``=``, ``+``, ``-``,
``@``, tab or CR is neutralised. In CSV it gets a leading apostrophe (Excel then shows it as text); in XLSX it
is written as a typed string cell, never as a formula, so no spreadsheet evaluates it. The
participants importer removes that apostrophe, so that exports re-import unchanged.
"""
from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..text import printable, starts_formula
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


def _csv_converter(column: Column, decimal_comma: bool):
    """How one column's values become CSV text, chosen once per column (not per cell)."""
    if column.kind == DATE:
        return lambda v: "" if v is None else v.strftime(
            "%d.%m.%Y %H:%M" if isinstance(v, datetime) else "%d.%m.%Y")
    if column.kind == DECIMAL:
        if decimal_comma:  # Russian Excel reads a decimal comma when the delimiter is ';'
            return lambda v: "" if v is None else str(v).replace(".", ",")
        return lambda v: "" if v is None else str(v)
    if column.kind == INTEGER:
        return lambda v: "" if v is None else str(v)
    return lambda v: "" if v is None else neutralise(v if isinstance(v, str) else str(v))


def render_csv(columns: list[Column], rows: Iterable[tuple], delimiter: str = ";",
               decimal_comma: bool | None = None) -> Iterator[bytes]:
    if decimal_comma is None:
        decimal_comma = delimiter == ";"
    converters = [_csv_converter(c, decimal_comma) for c in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([neutralise(str(c.label)) for c in columns])
    yield "\ufeff".encode() + buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    count = 0
    for row in rows:
        writer.writerow([convert(value) for convert, value in zip(converters, row, strict=True)])
        count += 1
        if count % 1000 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def _xlsx_cell(sheet, value, column: Column):
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=None)
        # A typed string cell: whatever it starts with, no spreadsheet evaluates it. Control
        # characters (stored before the door refused them) cannot be written: dropped.
        cell.value = printable(value)
        cell.data_type = "s"
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if column.kind == DATE and isinstance(value, date):
        cell.number_format = "DD.MM.YYYY"
    elif column.kind == DECIMAL:
        cell.number_format = "0.00"
    elif column.kind == INTEGER:
        cell.number_format = "0"
    return cell


def render_xlsx(columns: list[Column], rows: Iterable[tuple], title: str = "Export") -> Iterator[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Export")
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=None)
        cell.value = str(column.label)
        cell.data_type = "s"
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value, column)
                      for value, column in zip(row, columns, strict=True)])
        count += 1
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    with tempfile.TemporaryFile() as fh:
        workbook.save(fh)
        fh.seek(0)
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
