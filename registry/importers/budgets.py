"""What reading one uploaded spreadsheet may cost, checked before openpyxl sees the file.

An XLSX is a zip of XML. A tiny file can describe a huge sheet: ``<row r="20000000">`` makes
a reader fill twenty million rows, fifteen million empty ``<row/>`` elements pack into 133 KB,
and so do millions of shared strings. So before the workbook is opened, the first worksheet and
the shared strings are inflated (a chunk at a time, within the unpacked budget) and their
markup counted by regular expressions, and the read stops at the first budget it passes:

- unpacked size: at most ``UNPACKED_PER_UPLOADED`` bytes per uploaded byte (plus a small
  allowance), never more than the configured ceiling; counted on the bytes actually inflated,
  not on what the zip declares;
- rows: every ``<row>`` element, empty or not, and the highest row number any row or cell
  names (a gap counts as the rows it skips);
- cells and columns: every ``<c>`` element, and the rectangle from A1 to the last row and the
  furthest column a cell names (what a reader holds), at most the cell budget;
- shared strings: every ``<si>`` element;
- time: the whole scan.

What Excel writes (no prefixes, no comments, every row and cell naming its reference first,
rows ascending) is shown to be within the budgets by a quick scan: a few passes at C speed and
one regular-expression search that must find no cell outside the budgets, no match per cell
(``_Scan.sheet_quick``), over the sheet's pieces as they are inflated (``_Scan.parts``; the
shared strings are counted so too). Anything else, or anything near a limit, is inflated
again, whole, for the exact scans, which count every element and name the limit passed.

A DOCTYPE is refused (no entity tricks). The messages name the limit that was passed, so an
organiser knows what to change in the file.
"""
from __future__ import annotations

import re
import time
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from functools import lru_cache
from operator import lt

from ..i18n import gettext as _

UNPACKED_PER_UPLOADED = 12          # a real XLSX inflates 3-8 times
UNPACKED_ALLOWANCE = 2 * 1024 * 1024
SCAN_SECONDS = 5.0
CHUNK = 1024 * 1024                 # zipfile inflates 64 KB reads at half the speed
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


# Markup found by regular expressions over the inflated bytes (C speed; an element callback
# per cell in Python cost three times as long as reading the sheet). Sound as upper bounds:
# a literal «<» in XML text is always markup (text escapes it as «&lt;»), so nothing is missed,
# and whatever else matches (a comment, a CDATA section) only counts more. Attribute values
# may hold «>», so a tag's attributes are matched quote-aware.
_ATTRS = rb"((?:[^>\"']|\"[^\"]*\"|'[^']*')*)"
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row(?=[\s/>])" + _ATTRS + rb">")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s/>])" + _ATTRS + rb">")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s/>])")
_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si(?=[\s/>])")
_R_ATTR = re.compile(rb"(?:^|\s)r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")
# One pass for what Excel and most writers produce: the reference as the first attribute, in
# double quotes. Any row or cell written otherwise sends the sheet through the full scan.
_FAST = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])"
                   rb"(?:\s+r=\"([A-Z]{0,3})([0-9]{1,9})\"(?=[\s/>]))?")


# For ``sheet_quick``: a prefixed row or cell; each row's number when given first; the
# fewest bytes a cell can take once every cell begins with its reference.
_SHORTEST_CELL = len(b'<c r="A1">')
_PREFIXED = re.compile(rb":(?:row|c)[\s/>]")
_QUICK_ROW = re.compile(rb"<row(?=[\s/>])(?: r=\"([0-9]{1,9})\"(?=[\s/>]))?")


def _at_most(limit: int) -> bytes:
    """A group for the decimal numbers 1..``limit`` (no leading zero): the numbers as long as
    ``limit`` first. Followed by a closing quote, only the whole number can match, so the
    group needs no atomicity (an atomic group cost a fifth more)."""
    digits = str(limit)
    parts = []
    for index, digit in enumerate(digits):
        low = "1" if index == 0 else "0"
        if digit > low:
            tail = len(digits) - index - 1
            parts.append((digits[:index] + f"[{low}-{int(digit) - 1}]").encode()
                         + (rb"[0-9]{%d}" % tail if tail else b""))
    parts.append(digits.encode())
    if len(digits) > 1:
        parts.append(rb"[1-9][0-9]{0,%d}" % (len(digits) - 2))
    return b"(?:" + b"|".join(parts) + b")"


def _columns_at_most(limit: int) -> bytes | None:
    """A group for the column letters A..the ``limit``-th, one letter first (most cells);
    None past two letters. A reference that a single letter does not begin tries the
    two-letter forms next (the group is not atomic: followed by the row number, «AB5» tries
    «A», then «AB»)."""
    if not 1 <= limit <= 26 * 27:
        return None
    if limit <= 26:
        return b"[A-" + chr(64 + limit).encode() + b"]"
    whole, rest = divmod(limit - 26, 26)
    parts = [b"[A-Z]"]
    if whole:
        parts.append(b"[A-" + chr(64 + whole).encode() + b"][A-Z]")
    if rest:
        parts.append(chr(65 + whole).encode() + b"[A-" + chr(64 + rest).encode() + b"]")
    return b"(?:" + b"|".join(parts) + b")"


@lru_cache(maxsize=16)
def _quick_cells(rows: int, columns: int) -> re.Pattern | None:
    """A cell that does not name, first, a reference within ``columns`` × ``rows``."""
    letters = _columns_at_most(columns)
    if letters is None or rows < 1:
        return None
    return re.compile(rb"<c(?! r=\"" + letters + _at_most(rows) + rb"\"[\s/>])[\s/>]")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


class _Scan:
    def __init__(self, budget: Budget, spent: Spent, started: float):
        self.budget, self.spent, self.started = budget, spent, started

    def too_much(self, message: str):
        raise BudgetExceeded(message)

    def rows_message(self) -> str:
        return _("The sheet has more than %(n)d rows (empty rows and skipped row numbers "
                 "count too); split it into smaller files.", n=self.budget.rows)

    def check_time(self) -> None:
        if time.monotonic() - self.started > self.budget.seconds:
            self.too_much(_("Reading the spreadsheet takes longer than %(s)d seconds; split "
                            "it into smaller files.", s=int(self.budget.seconds)))

    def chunks(self, archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
        """The member's bytes, inflated a chunk at a time within the unpacked budget."""
        spent, budget = self.spent, self.budget
        with archive.open(name) as member:
            while chunk := member.read(CHUNK):
                spent["unpacked"] += len(chunk)
                if spent["unpacked"] > budget.unpacked:
                    self.too_much(_(
                        "The spreadsheet unpacks to more than %(mb).1f MB, far more than a file "
                        "of this size should; save it again in Excel (without empty rows and "
                        "columns) or split it.", mb=budget.unpacked / (1024 * 1024)))
                self.check_time()
                yield chunk

    def parts(self, archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
        """The member's bytes in pieces that each end just before a «<» (the last one at the
        end): every tag lies whole in one piece, since a tag holds no «<» (XML escapes it in
        text and forbids it in attribute values), so a pattern that matches within one tag
        finds in the pieces what it finds in the whole. Scanning the pieces as they come,
        nothing as large as the sheet is held: a 14.5 MB sheet joined and freed again cost
        the scan a third of its time in fresh memory pages."""
        tail = b""
        for chunk in self.chunks(archive, name):
            cut = chunk.rfind(b"<")
            if cut < 0:
                tail += chunk
                continue
            if tail or cut:
                yield tail + chunk[:cut]
            tail = chunk[cut:]
        if tail:
            yield tail

    def inflate(self, archive: zipfile.ZipFile, name: str) -> bytes:
        """The member's bytes, whole (for the exact scans); a DOCTYPE is refused."""
        data = b"".join(self.chunks(archive, name))
        _check_declarations(data)
        return data

    def shared_strings(self, parts: Iterable[bytes]) -> None:
        # «<si» counted by bytes.count is an upper bound of the unprefixed elements; the regex
        # (prefixes too) only when that bound is over the budget or a prefix may be there
        count, budget = 0, self.budget.shared_strings
        for part in parts:
            _check_declarations(part)
            found = part.count(b"<si")
            if count + found > budget or b":si" in part:
                found = sum(1 for _match in _SHARED_STRING.finditer(part))
            count += found
            if count > budget:
                self.too_much(_("The workbook has more than %(n)d different texts; split it "
                                "into smaller files.", n=budget))
        self.spent["shared_strings"] = count

    def sheet_member(self, archive: zipfile.ZipFile, name: str) -> None:
        """The quick scan over the member's pieces as they are inflated; when it cannot show
        the sheet within the budgets, the member inflated again, whole, for the exact scans
        (its size counted once)."""
        unpacked = self.spent["unpacked"]
        with closing(self.parts(archive, name)) as parts:
            if self.sheet_quick(parts):
                return
        self.spent["unpacked"] = unpacked
        self.exact(self.inflate(archive, name))

    def sheet(self, data: bytes) -> None:
        _check_declarations(data)
        if not self.sheet_quick([data]):
            self.exact(data)

    def exact(self, data: bytes) -> None:
        if not self.sheet_fast(data):
            self.sheet_full(data)

    def sheet_quick(self, parts: Iterable[bytes]) -> bool:
        """True when the sheet (its bytes in ``parts``, each ending before a «<», as
        ``parts()`` cuts them) is within every budget ``sheet_fast`` checks, shown by a few
        passes at C speed without a match per cell (what Excel writes: every row and cell
        names its reference first, rows ascending); False when that cannot be shown, and the
        exact scans decide. Sound: each figure is exact or an upper bound of the exact one.

        - no «<!» (no declaration, comment or CDATA) and no prefixed ``row`` or ``c``
          (``:row``/``:c`` before a space, «/» or «>» would be one), so every row and cell is
          ``<row``/``<c`` unprefixed;
        - the rows' numbers (one match per row), all given, ascending from 1, so the last
          one is the last row, at most the row budget;
        - no cell whose reference, first, is not a column within the column budget and a row
          number within the row budget (one regex search that finds nothing), so that every
          cell begins ``<c r="``;
        - the cells, at most the cell budget: at most a piece's size over the fewest bytes a
          cell takes now, or when that would pass the budget ``<c r="`` counted by
          ``bytes.count`` in the piece (every cell, once)."""
        spent, budget = self.spent, self.budget
        cells_pattern = _quick_cells(budget.rows, budget.columns)
        if cells_pattern is None or budget.rows * budget.columns > budget.cells:
            return False
        numbers: list[bytes] = []
        cells = 0
        for part in parts:
            # a «!» is looked for first: found at memchr speed (0.3 ms in a 14.5 MB sheet),
            # where «<!» takes 15 ms (every few bytes is a «<»)
            if ((b"!" in part and b"<!" in part) or _PREFIXED.search(part)
                    or cells_pattern.search(part)):
                return False
            numbers += _QUICK_ROW.findall(part)
            if len(numbers) > budget.rows:
                return False
            # every cell here begins «<c r="A1"» or longer (10 bytes at the least:
            # «<c r="A1">»), so the piece's size bounds their number; counted (faster than
            # «<c», which every other «<» begins a search for) only when that bound would
            # pass the budget
            found = len(part) // _SHORTEST_CELL
            if cells + found > budget.cells:
                found = part.count(b'<c r="')
            cells += found
            if cells > budget.cells:
                return False
        if b"" in numbers:
            return False
        numbers = list(map(int, numbers))
        if numbers and (numbers[0] < 1 or numbers[-1] > budget.rows
                        or not all(map(lt, numbers, numbers[1:]))):
            return False
        spent["rows"] = len(numbers)
        spent["last_row"] = numbers[-1] if numbers else 0
        spent["cells"] = cells                  # an upper bound
        spent["columns"] = budget.columns       # an upper bound
        return True

    def sheet_fast(self, data: bytes) -> bool:
        """The same counts as ``sheet_full`` in one pass, when every row and cell names its
        reference first; False when one does not."""
        tags = _FAST.findall(data)
        digits = [number for _name, _letters, number in tags]
        if b"" in digits:  # a row or cell without its reference first
            return False
        row_numbers = [int(number) for name, _letters, number in tags if name == b"row"]
        cell_letters = {letters for name, letters, _number in tags if name == b"c"}
        row_letters = any(letters for name, letters, _number in tags if name == b"row")
        if b"" in cell_letters or row_letters:  # a cell without its column, a row with one
            return False
        spent, budget = self.spent, self.budget
        self.count_rows(row_numbers)
        cells = len(tags) - len(row_numbers)
        spent["cells"] = cells
        if cells > budget.cells:
            self.too_much(_("The sheet has more than %(n)d cells; split it into smaller files.",
                            n=budget.cells))
        # the highest row any row or cell names: among the longest numbers, the greatest
        longest = max(map(len, digits), default=0)
        lowest = int(max((d for d in digits if len(d) == longest), default=b"0"))
        if lowest > budget.rows:
            self.too_much(self.rows_message())
        spent["last_row"] = max(spent["last_row"], lowest)
        width = max((_column_number(c.decode()) for c in cell_letters), default=0)
        self.check_area(width)
        return True

    def count_rows(self, numbers) -> None:
        spent, budget = self.spent, self.budget
        spent["rows"] = len(numbers)
        if len(numbers) > budget.rows:
            self.too_much(self.rows_message())
        last = 0
        for number in numbers:
            last = max(last + 1, number or 0)
            if last > budget.rows:
                self.too_much(self.rows_message())
        spent["last_row"] = last

    def check_area(self, width: int) -> None:
        # A reader holds the rectangle from A1 to the last row and column: a cell far to the
        # right of a long table makes it as large as the row count times that column.
        spent, budget = self.spent, self.budget
        spent["columns"] = width
        last = spent["last_row"]
        if max(last, 1) * width > budget.cells:
            self.too_much(_("The sheet's cells span %(rows)d rows and %(columns)d columns, more "
                            "than the %(n)d cells the registry reads; delete what lies beside "
                            "the table (far to the right or far below) or split the file.",
                            rows=last, columns=width, n=budget.cells))

    def sheet_full(self, data: bytes) -> None:
        spent, budget = self.spent, self.budget
        rows = _ROW.findall(data)
        if len(rows) > budget.rows:
            self.too_much(self.rows_message())
        numbers = []
        for attrs in rows:
            number = _r_value(attrs)
            if number is not None and (not number.isdigit() or len(number) > 9):
                self.too_much(_("The sheet names a row number that no spreadsheet has."))
            numbers.append(int(number or 0))
        self.count_rows(numbers)
        cells = _CELL.findall(data)
        spent["cells"] = len(cells)
        if len(cells) > budget.cells:
            self.too_much(_("The sheet has more than %(n)d cells; split it into smaller files.",
                            n=budget.cells))
        self.check_time()
        refs = [_r_value(attrs) for attrs in cells]
        named = [ref for ref in refs if ref is not None]
        columns = set()
        for ref in named:
            match = _CELL_REF.match(ref)
            if match is None:
                self.too_much(_("The sheet names a cell that no spreadsheet has."))
            if int(match.group(2)) > budget.rows:
                self.too_much(self.rows_message())
            spent["last_row"] = max(spent["last_row"], int(match.group(2)))
            columns.add(match.group(1))
        width = max((_column_number(letters) for letters in columns), default=0)
        if len(named) < len(refs):
            # Cells without a reference follow the one before them: at most as many columns
            # further as the longest row has cells.
            width += max((len(_CELL_TAG.findall(part)) for part in _ROW.split(data)[::2]),
                         default=0) if rows else len(refs)
        self.check_area(width)


def _r_value(attrs: bytes) -> str | None:
    match = _R_ATTR.search(attrs)
    if match is None:
        return None
    value = match.group(1) if match.group(1) is not None else match.group(2)
    return value.decode("ascii", "replace")


def _check_declarations(data: bytes) -> None:
    """A DOCTYPE (or an ENTITY) refused; «!» looked for first, at memchr speed."""
    if b"!" in data and any(declaration in data for declaration in _DECLARATIONS):
        _refuse_doctype()


def _refuse_doctype(*_args) -> None:
    raise BudgetExceeded(_("The XLSX file contains a document type declaration, which a "
                           "spreadsheet never needs; save it again in Excel."))


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
    """Read the first sheet and the shared strings within ``budget``; what they cost."""
    spent = Spent()
    scan = _Scan(budget, spent, time.monotonic())
    names = set(archive.namelist())
    if "xl/sharedStrings.xml" in names:
        with closing(scan.parts(archive, "xl/sharedStrings.xml")) as parts:
            scan.shared_strings(parts)
    sheet = first_sheet_name(archive)
    if sheet is not None:
        scan.sheet_member(archive, sheet)
    scan.check_time()
    return spent
