"""Reading a marking scheme from XLSX/CSV (the reader is ``spreadsheet.read_table``).

Columns (header row, any order, case-insensitive): «Критерий» (code, e.g. A), «Название
критерия» (optional), «Аспект», «Макс. балл», «Тип» (измеримая / судейская; measurement /
judgement)."""
from __future__ import annotations

from flask_babel import gettext as _

from ..models import name_key
from ..services.marking import SchemeRow
from .spreadsheet import SpreadsheetError, read_table

HEADERS = {
    "code": ("критерий", "код критерия", "код", "criterion", "code"),
    "criterion_title": ("название критерия", "наименование критерия", "criterion title"),
    "aspect_title": ("аспект", "наименование аспекта", "название аспекта", "aspect"),
    "max_marks": ("макс. балл", "макс балл", "максимальный балл", "баллы", "max marks",
                  "max"),
    "kind": ("тип", "тип аспекта", "type", "kind"),
}
REQUIRED = ("code", "aspect_title", "max_marks", "kind")


class SchemeFileError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_scheme(data: bytes) -> list[SchemeRow]:
    try:
        table = read_table(data, max_rows=2000)
    except SpreadsheetError as error:
        raise SchemeFileError(error.message) from error
    if not table.rows:
        raise SchemeFileError(_("The file is empty."))
    _number, header = table.rows[0]
    columns = {}
    for index, cell in enumerate(header):
        key = name_key(_text(cell)).rstrip(":")
        for field, names in HEADERS.items():
            if key in names and field not in columns:
                columns[field] = index
    missing = [HEADERS[f][0] for f in REQUIRED if f not in columns]
    if missing:
        raise SchemeFileError(_("Columns missing: %(columns)s.",
                                columns=", ".join(f"«{m.capitalize()}»" for m in missing)))
    rows = []
    for number, cells in table.rows[1:]:
        def get(field, cells=cells):
            index = columns.get(field)
            return _text(cells[index]) if index is not None and index < len(cells) else ""
        rows.append(SchemeRow(number, get("code"), get("criterion_title"), get("aspect_title"),
                              get("max_marks"), get("kind")))
    return rows
