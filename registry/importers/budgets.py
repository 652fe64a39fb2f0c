"""What reading one uploaded spreadsheet may cost, checked before openpyxl sees the file.

An XLSX is a zip of XML. A tiny file can describe a huge sheet: ``<row r="20000000">`` makes
a reader fill twenty million rows, fifteen million empty ``<row/>`` elements pack into 133 KB,
and so do millions of shared strings. So before the workbook is opened, the first worksheet and
the shared strings are streamed through expat once, counting as they go, and the read stops at
the first budget it passes:

- unpacked size: at most ``UNPACKED_PER_UPLOADED`` bytes per uploaded byte (plus a small
  allowance), never more than the configured ceiling; counted on the bytes actually inflated,
  not on what the zip declares;
- rows: every ``<row>`` element, empty or not, and the highest row number any row or cell
  names (a gap counts as the rows it skips);
- cells and columns: every ``<c>`` element, and the column a cell names;
- shared strings: every ``<si>`` element;
- time: the whole scan.

A DOCTYPE is refused (no entity tricks). The messages name the limit that was passed, so an
organiser knows what to change in the file.
"""
from __future__ import annotations

import re
import time
import xml.parsers.expat
import zipfile
from collections import Counter
from dataclasses import dataclass

from flask_babel import gettext as _

UNPACKED_PER_UPLOADED = 12          # a real XLSX inflates 3-8 times
UNPACKED_ALLOWANCE = 2 * 1024 * 1024
SCAN_SECONDS = 5.0
CHUNK = 64 * 1024
EXTRA_ROWS = 1000                   # title rows, blank lines, notes under the table
MAX_SHARED_STRINGS = 500_000
_CELL_REF = re.compile(r"^([A-Z]{1,3})([0-9]{1,9})$")


class BudgetExceeded(ValueError):
    """The first argument is for people (translated) and names the limit."""

    @property
    def message(self) -> str:
        return self.args[0]


@dataclass
class Budget:
    unpacked: int
    rows: int
    columns: int
    cells: int
    shared_strings: int = MAX_SHARED_STRINGS
    seconds: float = SCAN_SECONDS

    @classmethod
    def for_upload(cls, size: int, *, max_rows: int, max_columns: int,
                   ceiling: int) -> Budget:
        rows = max_rows + EXTRA_ROWS
        return cls(unpacked=min(ceiling, UNPACKED_ALLOWANCE + UNPACKED_PER_UPLOADED * size),
                   rows=rows, columns=max_columns, cells=rows * max_columns)


class Spent(Counter):
    """What the scan has read so far: ``unpacked`` bytes, ``rows``, ``last_row``, ``cells``,
    ``shared_strings`` (missing keys are 0)."""

    def __getattr__(self, name: str) -> int:
        return self[name]


class _Scan:
    def __init__(self, budget: Budget, spent: Spent, started: float):
        self.budget, self.spent, self.started = budget, spent, started

    def too_much(self, message: str):
        raise BudgetExceeded(message)

    def rows_message(self) -> str:
        return _("The sheet has more than %(n)d rows (empty rows and skipped row numbers "
                 "count too); split it into smaller files.", n=self.budget.rows)

    def count(self, what: str, limit: int, message) -> None:
        self.spent[what] += 1
        if self.spent[what] > limit:
            self.too_much(message())

    def start(self, name: str, attrs: dict) -> None:
        local = name.rsplit(":", 1)[-1]
        spent, budget = self.spent, self.budget
        if local == "row":
            self.count("rows", budget.rows, self.rows_message)
            number = attrs.get("r")
            if number is not None and (not number.isdigit() or len(number) > 9):
                self.too_much(_("The sheet names a row number that no spreadsheet has."))
            spent["last_row"] = max(spent["last_row"] + 1, int(number or 0))
            if spent["last_row"] > budget.rows:
                self.too_much(self.rows_message())
        elif local == "c":
            self.count("cells", budget.cells, lambda: _(
                "The sheet has more than %(n)d cells; split it into smaller files.",
                n=budget.cells))
            match = _CELL_REF.match(attrs.get("r") or "")
            if match and int(match.group(2)) > budget.rows:
                self.too_much(self.rows_message())
        elif local == "si":
            self.count("shared_strings", budget.shared_strings, lambda: _(
                "The workbook has more than %(n)d different texts; split it into smaller "
                "files.", n=budget.shared_strings))


def _refuse_doctype(*_args) -> None:
    raise BudgetExceeded(_("The XLSX file contains a document type declaration, which a "
                           "spreadsheet never needs; save it again in Excel."))


def _scan_member(archive: zipfile.ZipFile, name: str, scan: _Scan) -> None:
    parser = xml.parsers.expat.ParserCreate(namespace_separator=None)
    parser.StartElementHandler = scan.start
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    spent, budget = scan.spent, scan.budget
    with archive.open(name) as member:
        while True:
            chunk = member.read(CHUNK)
            if not chunk:
                break
            spent["unpacked"] += len(chunk)
            if spent["unpacked"] > budget.unpacked:
                raise BudgetExceeded(_(
                    "The spreadsheet unpacks to more than %(mb).1f MB, far more than a file of "
                    "this size should; save it again in Excel (without empty rows and "
                    "columns) or split it.", mb=budget.unpacked / (1024 * 1024)))
            if time.monotonic() - scan.started > budget.seconds:
                raise BudgetExceeded(_("Reading the spreadsheet takes longer than %(s)d "
                                       "seconds; split it into smaller files.",
                                       s=int(budget.seconds)))
            try:
                parser.Parse(chunk, False)
            except xml.parsers.expat.ExpatError as error:
                raise zipfile.BadZipFile(str(error)) from error
        try:
            parser.Parse(b"", True)
        except xml.parsers.expat.ExpatError as error:
            raise zipfile.BadZipFile(str(error)) from error


def first_sheet_name(archive: zipfile.ZipFile) -> str | None:
    """The zip member of the workbook's first sheet (as openpyxl reads it)."""
    names = set(archive.namelist())
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        return next((n for n in sorted(names) if n.startswith("xl/worksheets/")), None)
    sheet = re.search(r"<(?:\w+:)?sheet\b[^>]*\br:id=\"([^\"]+)\"", workbook) or re.search(
        r"<(?:\w+:)?sheet\b[^>]*\bid=\"([^\"]+)\"", workbook)
    if sheet:
        for rel in re.finditer(r"<Relationship\b[^>]*>", rels):
            tag = rel.group(0)
            if f'Id="{sheet.group(1)}"' in tag:
                target = re.search(r'Target="([^"]+)"', tag)
                if target:
                    path = target.group(1).lstrip("/")
                    path = path if path.startswith("xl/") else "xl/" + path
                    if path in names:
                        return path
    return next((n for n in sorted(names) if n.startswith("xl/worksheets/")), None)


def check(archive: zipfile.ZipFile, budget: Budget) -> Spent:
    """Stream the first sheet and the shared strings within ``budget``; what they cost."""
    spent = Spent()
    scan = _Scan(budget, spent, time.monotonic())
    names = set(archive.namelist())
    if "xl/sharedStrings.xml" in names:
        _scan_member(archive, "xl/sharedStrings.xml", scan)
    sheet = first_sheet_name(archive)
    if sheet is not None:
        _scan_member(archive, sheet, scan)
    return spent
