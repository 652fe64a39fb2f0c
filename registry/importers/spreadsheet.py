"""Reading an uploaded spreadsheet (XLSX or CSV) into numbered rows of plain values.

What comes out: ``Table.rows``, a list of ``(row_number, values)`` where ``row_number`` is the
row as the spreadsheet program shows it (the first line is 1) and each value is a ``str``,
a ``date`` (an Excel date cell), an ``int``/``float`` (an Excel number cell) or ``None``.
Rows with nothing in them are left out.

Safety:
- the file type is recognised by its content, not by its name;
- an XLSX is a zip: the declared uncompressed sizes are added up *before* the reader opens it
  (zip bombs), the number of members is bounded and a name used twice is refused; ``zipfile``
  itself refuses a member that inflates beyond its declared size (CRC / size check);
- the reader is python-calamine (Rust's calamine; picked by measurement: a 20,000-row
  participants file in 0.6-1.1 s against 17 s for openpyxl's read-only mode on the shared
  machine, ``benchmarks/xlsx_figures.py``). It reads the values Excel cached: a formula cell is
  never evaluated, and one never cached reads as empty. A text cell that starts with «=» is
  refused by the participants importer;
- what reading may cost is bounded before the reader opens the file (``budgets.py``: unpacked
  size per uploaded byte, rows counting empty ones and gaps, cells, the rectangle the reader
  holds (a lone cell at XFD20000 would make it 330 million cells), shared strings, time); a
  CSV's rows count its empty lines too;
- rows, columns and cell length are bounded; every failure is a ``SpreadsheetError`` with
  a message for people.
"""
from __future__ import annotations

import csv
import gc
import io
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import chain
from operator import length_hint

from python_calamine import CalamineWorkbook

from ..i18n import gettext as _
from ..text import starts_formula
from . import budgets

MAX_ROWS = 20000                         # data rows; app.config["IMPORT_MAX_ROWS"] overrides
MAX_COLUMNS = 100
MAX_CELL_LENGTH = 1000
MAX_UNCOMPRESSED = 100 * 1024 * 1024     # sum of the uncompressed sizes in an XLSX
MAX_ZIP_MEMBERS = 2000

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"

Value = str | date | int | float | None


class SpreadsheetError(Exception):
    """The file cannot be read as a spreadsheet; ``message`` is for people (translated)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    rows: list[tuple[int, list[Value]]] = field(default_factory=list)
    format: str = ""            # "xlsx" or "csv"
    encoding: str | None = None  # CSV only
    delimiter: str | None = None  # CSV only


def read_table(data: bytes, *, max_rows: int = MAX_ROWS,
               max_uncompressed: int = MAX_UNCOMPRESSED) -> Table:
    """Read XLSX or CSV bytes. ``max_rows`` bounds the rows after the first (the header)."""
    if not data or not data.strip():
        raise SpreadsheetError(_("The file is empty."))
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, max_rows, max_uncompressed)
    if data.startswith(_OLE_MAGIC):
        raise SpreadsheetError(_("This is an old Excel file (.xls) or a password-protected one. "
                                 "Save it as .xlsx (Excel workbook) or CSV, without a password, "
                                 "and upload it again."))
    if data.startswith(b"PK"):
        raise SpreadsheetError(_("The file is not a spreadsheet the registry can read "
                                 "(expected XLSX or CSV)."))
    return _read_csv(data, max_rows)


# --- XLSX ----------------------------------------------------------------------------------

def _check_zip(data: bytes, max_uncompressed: int, max_rows: int) -> None:
    damaged = _("The XLSX file is damaged or incomplete; save it again in Excel and upload it "
                "again.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise SpreadsheetError(damaged) from error
    if len(members) > MAX_ZIP_MEMBERS:
        raise SpreadsheetError(_("The file is not a spreadsheet the registry can read "
                                 "(expected XLSX or CSV)."))
    names = {m.filename for m in members}
    if len(names) != len(members):
        # two members of one name: which one a reader takes is its own choice, so the sheet
        # the budgets read might not be the one read (Python's zipfile and calamine take the
        # last today); no spreadsheet program writes this
        raise SpreadsheetError(damaged)
    if "mimetype" in names and "xl/workbook.xml" not in names:
        raise SpreadsheetError(_("This looks like an OpenDocument (.ods) file. Save it as .xlsx "
                                 "or CSV and upload it again."))
    if "xl/workbook.xml" not in names:
        raise SpreadsheetError(_("The file is not a spreadsheet the registry can read "
                                 "(expected XLSX or CSV)."))
    budget = budgets.Budget.for_upload(len(data), max_rows=max_rows, max_columns=MAX_COLUMNS,
                                       ceiling=max_uncompressed)
    total = sum(m.file_size for m in members)
    if total > budget.unpacked:
        raise SpreadsheetError(_("The spreadsheet unpacks to more than %(mb).1f MB, far more "
                                 "than a file of this size should; save it again in Excel "
                                 "(without empty rows and columns) or split it.",
                                 mb=budget.unpacked / (1024 * 1024)))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            budgets.check(archive, budget)
    except budgets.BudgetExceeded as error:
        raise SpreadsheetError(error.message) from error
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            RuntimeError, NotImplementedError, zlib.error) as error:
        raise SpreadsheetError(damaged) from error


def _cell(value) -> Value:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, int | float):
        return value
    text = str(value).strip()
    return text or None


def _values(values) -> list[Value]:
    """``_cell`` of each value, the common kinds inline (a call per cell costs more than the
    read itself)."""
    return [(v.strip() or None) if v.__class__ is str
            else v if v.__class__ is date
            else int(v) if v.__class__ is float and v.is_integer() and abs(v) < 1e15
            else _cell(v) for v in values]


@contextmanager
def _collector_paused():
    """The cyclic garbage collector off while many lists are made that are all kept (a
    collection every 700 of them walked every list again: a third of the conversion); back
    on after, unless something else had turned it off."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _rows(values: list[list], max_rows: int) -> list | None:
    """``Table.rows`` of the sheet's ``values`` in a few passes at C speed: the same rows as
    the row loop in ``_read_xlsx``, or None when that loop would refuse the sheet (too many
    rows, a cell too long), so that it runs and says where. The reader's lists are converted
    in place when no row is too wide (no second list of each row made while the first is
    freed: a tenth of the conversion); ``_values`` of a converted value is that value, so
    the row loop after a None reads the same."""
    if len(values) > max_rows + budgets.EXTRA_ROWS:
        return None
    if max(map(len, values), default=0) > MAX_COLUMNS:
        rows = [(number, _values(raw[:MAX_COLUMNS]))
                for number, raw in enumerate(values, start=1)]
    else:
        for raw in values:
            raw[:] = _values(raw)
        rows = list(enumerate(values, start=1))
    # a row with a value: ``any`` finds a true one at its first cells (nearly every row);
    # only a row of false ones (None, 0) is counted
    rows = [row for row in rows if any(row[1]) or row[1].count(None) != len(row[1])]
    if len(rows) > max_rows + 1:  # the header plus max_rows rows are allowed
        return None
    # the longest text: ``length_hint`` is a text's length and 0 for a date, a number or
    # None, the only other values here (a quarter faster than filtering the texts out first)
    if max(map(length_hint, chain.from_iterable([cells for _n, cells in rows])),
           default=0) > MAX_CELL_LENGTH:
        return None
    return rows


def _first_worksheet(workbook):
    for index, sheet in enumerate(workbook.sheets_metadata):
        if str(sheet.typ).endswith("WorkSheet"):
            return workbook.get_sheet_by_index(index)
    return None


def _read_xlsx(data: bytes, max_rows: int, max_uncompressed: int) -> Table:
    _check_zip(data, max_uncompressed, max_rows)
    damaged = _("The XLSX file is damaged or incomplete; save it again in Excel and upload it "
                "again.")
    table = Table(format="xlsx")
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as error:  # the reader raises its own kinds on a damaged file
        raise SpreadsheetError(damaged) from error
    try:
        sheet = _first_worksheet(workbook)
        if sheet is None:
            raise SpreadsheetError(_("The workbook has no sheets."))
        # From A1 (not from the first filled cell), so that row numbers are Excel's; one row
        # more than allowed, so that too many rows are reported, not cut.
        values = sheet.to_python(skip_empty_area=False,
                                 nrows=max_rows + budgets.EXTRA_ROWS + 1)
        with _collector_paused():
            rows = _rows(values, max_rows)
        if rows is not None:
            table.rows = rows
            return table
        for number, raw in enumerate(values, start=1):
            _count_row(number, max_rows)
            cells = _values(raw[:MAX_COLUMNS])
            if not any(v is not None for v in cells):
                continue
            _add_row(table, number, cells, max_rows)
    except SpreadsheetError:
        raise
    except Exception as error:
        raise SpreadsheetError(damaged) from error
    finally:
        workbook.close()
    return table


# --- CSV -----------------------------------------------------------------------------------

def _decode(data: bytes) -> tuple[str, str]:
    if b"\x00" in data[:65536]:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise SpreadsheetError(_("The CSV file is in UTF-16; save it as «CSV UTF-8» and "
                                     "upload it again."))
        raise SpreadsheetError(_("The file is not a spreadsheet the registry can read "
                                 "(expected XLSX or CSV)."))
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, "utf-8" if encoding == "utf-8-sig" else encoding
    raise SpreadsheetError(_("The CSV file is neither in UTF-8 nor in Windows-1251 encoding."))


def _looks_like_text(text: str) -> bool:
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return controls <= len(sample) // 100


def _delimiter(text: str) -> str:
    """``;`` or ``,`` (or a tab): the one found most often in the first line, outside quotes."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {";": 0, ",": 0, "\t": 0}
    quoted = False
    for ch in first:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] else ";"


def _unneutralise(text: str) -> str:
    """Our exports (and other careful tools) write «'» before a cell that a spreadsheet would
    take for a formula («'+7 912 …», «'=…»); the importer reads the cell as it was."""
    if len(text) > 1 and text[0] == "'" and starts_formula(text[1:]):
        return text[1:]
    return text


def _read_csv(data: bytes, max_rows: int) -> Table:
    text, encoding = _decode(data)
    if not _looks_like_text(text):
        raise SpreadsheetError(_("The file is not a spreadsheet the registry can read "
                                 "(expected XLSX or CSV)."))
    delimiter = _delimiter(text)
    table = Table(format="csv", encoding=encoding, delimiter=delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # A record is one row as Excel shows it, even when a quoted cell spans lines.
        for number, values in enumerate(reader, start=1):
            _count_row(number, max_rows)
            cells: list[Value] = [_unneutralise(v.strip()) or None for v in values[:MAX_COLUMNS]]
            if not any(cells):
                continue
            _add_row(table, number, cells, max_rows)
    except csv.Error as error:
        raise SpreadsheetError(_("The CSV file cannot be read near line %(line)d: %(error)s",
                                 line=reader.line_num, error=str(error))) from error
    return table


# --- both ----------------------------------------------------------------------------------

def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _count_row(number: int, max_rows: int) -> None:
    """Empty rows count too: a file of a million blank lines is refused, not skipped."""
    if number > max_rows + budgets.EXTRA_ROWS:
        raise SpreadsheetError(_("The sheet has more than %(n)d rows (empty rows and skipped "
                                 "row numbers count too); split it into smaller files.",
                                 n=max_rows + budgets.EXTRA_ROWS))


def _add_row(table: Table, number: int, cells: list[Value], max_rows: int) -> None:
    if len(table.rows) > max_rows:  # the header plus max_rows rows are allowed
        raise SpreadsheetError(_("The file has more than %(n)d rows; split it into smaller "
                                 "files.", n=max_rows))
    if max((len(v) for v in cells if v.__class__ is str), default=0) <= MAX_CELL_LENGTH:
        table.rows.append((number, cells))
        return
    for index, value in enumerate(cells):
        if isinstance(value, str) and len(value) > MAX_CELL_LENGTH:
            raise SpreadsheetError(_("Row %(row)d, column %(column)s: the cell is longer than "
                                     "%(n)d characters.", row=number,
                                     column=column_letter(index), n=MAX_CELL_LENGTH))
    table.rows.append((number, cells))
