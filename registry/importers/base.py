"""What every importer shares: the column specification, the header, the rows, the problems
and the plan.

An importer declares its columns (``Column``: key, the header as the template writes it,
aliases, whether it is required, the cell parser) in a ``Spec``. ``read_plan(plan, data,
spec)`` reads the file (``spreadsheet.read_table``, with its limits), finds the header row
(title lines above it are skipped), maps the headers — case-, ё/е-, space- and «_»-insensitive,
aliases included — and gives one ``Row`` per data row, whose cells are parsed on demand
(``row.cell(key)``); whatever cannot be read becomes a ``Problem`` «Row N, «column»: …» with
the column named as the file writes it. The importer then checks its rows against the
database with the services' rule functions and fills its plan; the preview shows the plan, the
confirmation builds it again from the same file and writes it (``apply``); nothing is written
while the plan has problems.

This is Tabbycat's ``importer/importers/base.py`` and Indico's
``import_registrations_from_csv`` in one shape: validate every row, report every problem
with its place, write all or nothing.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, has_app_context

from ..i18n import gettext as _
from ..models import name_key
from ..services import ServiceError
from . import cells
from .spreadsheet import MAX_ROWS, MAX_UNCOMPRESSED, SpreadsheetError, Table, read_table

HEADER_SEARCH_ROWS = 10


def header_key(written) -> str:
    """Headers match case-, ё/е- and space-insensitively; «last_name» = «Last name»; a trailing
    «*» (a required-column mark) or «:» is ignored."""
    return name_key(str(written).replace("_", " ")).strip(" *:")


@dataclass(frozen=True)
class Column:
    key: str
    header: str                              # the Russian header, as in the template
    required: bool = False
    aliases: tuple[str, ...] = ()
    parse: Callable = cells.text             # value → what the column holds, or CellError


class Spec:
    """The columns of one kind of file. ``either`` lists groups of columns of which at least
    one must be present (a protocol gives points or places)."""

    def __init__(self, *columns: Column, either: tuple[tuple[str, ...], ...] = (),
                 template_hint: bool = False):
        self.columns = columns
        self.by_key = {c.key: c for c in columns}
        self.either = either
        self.template_hint = template_hint
        self.lookup: dict[str, Column] = {}
        for column in columns:
            for name in (column.header, column.key, *column.aliases):
                self.lookup.setdefault(header_key(name), column)

    def column(self, written) -> Column | None:
        return self.lookup.get(header_key(written)) if written is not None else None

    def header_index(self, table: Table) -> int:
        """The header row: the first of the first rows that names 3+ known columns (a title
        line above the header is allowed); else the first row."""
        for index, (_number, values) in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
            known = {column.key for column in map(self.column, values) if column is not None}
            if len(known) >= 3:
                return index
        return 0


@dataclass
class Problem:
    """One thing wrong with the file: in a row and a column (as the file names it), in a row,
    or in the file as a whole."""
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is not None and self.column:
            return _("Row %(row)d, «%(column)s»: %(message)s",
                     row=self.row, column=self.column, message=self.message)
        if self.row is not None:
            return _("Row %(row)d: %(message)s", row=self.row, message=self.message)
        return self.message


class ImportRefused(ServiceError):
    """``apply`` was given a plan with problems, or the database refused it; nothing was
    written. ``problems`` are for people."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Row:
    """One data row: the cells under the known columns, as read and as text."""
    number: int
    raw: dict[str, object]
    text: dict[str, str | None]
    column_name: Callable[[str | None], str | None] = field(repr=False)
    spec: Spec = field(repr=False)
    problems: list[Problem] = field(default_factory=list)

    def value(self, key: str) -> str | None:
        return self.text.get(key)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, key: str | None, message: str) -> None:
        self.problems.append(Problem(self.number, self.column_name(key), message))

    def has_problem(self, key: str) -> bool:
        column = self.column_name(key)
        return any(p.column == column for p in self.problems)

    def cell(self, key: str, *, required: bool | None = None):
        """The cell parsed by its column's parser; a problem (and ``None``) when it cannot be
        read, or when it is empty and required (by default: when the column is)."""
        column = self.spec.by_key[key]
        if required is None:
            required = column.required
        value = self.raw.get(key)
        if isinstance(value, str) and self.text.get(key) is not None:
            value = self.text[key]  # cleaned once on reading; cleaning it again changes nothing
        if value is None:
            if required and not self.has_problem(key):
                self.problem(key, _("required."))
            return None
        try:
            return column.parse(value)
        except cells.CellError as error:
            self.problem(key, error.message)
            return None


@dataclass
class Plan:
    """What an import would do, built without writing; importers add their own fields."""
    filename: str | None = None
    rows: list = field(default_factory=list)
    file_problems: list[Problem] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)   # key → header as written
    ignored_columns: list[str] = field(default_factory=list)
    table: Table | None = None
    spec: Spec | None = field(default=None, repr=False)

    def column_name(self, key: str | None) -> str | None:
        if key is None:
            return None
        return self.headers.get(key) or self.spec.by_key[key].header

    @property
    def problems(self) -> list[Problem]:
        return self.file_problems + [p for row in self.rows for p in row.problems]

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    @property
    def invalid_rows(self) -> int:
        return sum(1 for row in self.rows if row.problems)

    def problem(self, message: str) -> None:
        self.file_problems.append(Problem(None, None, message))


def read_plan(plan: Plan, data: bytes, spec: Spec, *, row_type: type[Row] = Row,
              max_rows: int | None = None) -> bool:
    """Read ``data`` into ``plan.rows`` (one ``row_type`` per data row, its formula cells
    refused). False, with the file's problems in ``plan``, when there are no rows to check."""
    plan.spec = spec
    config = current_app.config if has_app_context() else {}
    try:
        table = read_table(
            data,
            max_rows=max_rows or config.get("IMPORT_MAX_ROWS", MAX_ROWS),
            max_uncompressed=config.get("IMPORT_MAX_UNCOMPRESSED", MAX_UNCOMPRESSED),
        )
    except SpreadsheetError as error:
        plan.problem(error.message)
        return False
    plan.table = table
    if not table.rows:
        plan.problem(_("The file is empty."))
        return False
    header_index = spec.header_index(table)
    mapping = _map_header(plan, spec, table.rows[header_index][1])
    if plan.file_problems:
        return False
    for number, values in table.rows[header_index + 1:]:
        raw = {column.key: values[index] if index < len(values) else None
               for index, column in mapping.items()}
        if all(v is None for v in raw.values()):
            continue  # only cells outside the known columns
        texts, unclean = {}, {}
        for key, value in raw.items():
            try:
                texts[key] = cells.text(value)
            except cells.CellError as error:
                texts[key], unclean[key] = None, error.message
        row = row_type(number=number, raw=raw, text=texts, column_name=plan.column_name,
                       spec=spec)
        for key, message in unclean.items():  # refused at the door, named by its cell
            row.problem(key, message)
            raw[key] = None
        for key, value in raw.items():
            if cells.is_formula(value):
                row.problem(key, _("formulas are not accepted; enter the value itself."))
                row.text[key] = raw[key] = None
        plan.rows.append(row)
    return True


def _map_header(plan: Plan, spec: Spec, values: list) -> dict[int, Column]:
    mapping: dict[int, Column] = {}
    seen: dict[str, str] = {}
    for index, value in enumerate(values):
        if value is None:
            continue
        written = cells.text(value) or ""
        column = spec.column(written)
        if column is None:
            plan.ignored_columns.append(written)
            continue
        if column.key in seen:
            plan.problem(_("The columns «%(first)s» and «%(second)s» both mean «%(column)s»; "
                           "keep one.", first=seen[column.key], second=written,
                           column=column.header))
            continue
        seen[column.key] = written
        mapping[index] = column
    plan.headers = seen
    missing = [f"«{c.header}»" for c in spec.columns if c.required and c.key not in seen]
    for group in spec.either:
        if not any(key in seen for key in group):
            missing.append(_("%(first)s or %(second)s",
                             first=f"«{spec.by_key[group[0]].header}»",
                             second=", ".join(f"«{spec.by_key[k].header}»" for k in group[1:])))
    if missing:
        if spec.template_hint:
            plan.problem(_("Required columns are missing: %(columns)s. The first row must name "
                           "the columns (download the template to see them).",
                           columns=", ".join(missing)))
        else:
            plan.problem(_("Columns missing: %(columns)s.", columns=", ".join(missing)))
    return mapping
