"""XLSX through the fast writer and reader (issue 16, point 1): what the reader keeps, and the
budget that keeps it from holding a rectangle far larger than the file."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from registry.exporters.base import DATE, DECIMAL, INTEGER, Column
from registry.exporters.render import render_xlsx, sheet_name
from registry.importers.spreadsheet import SpreadsheetError, read_table


def _xlsx(cells: dict) -> bytes:
    workbook = openpyxl.Workbook()
    for ref, value in cells.items():
        workbook.active[ref] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _rewrite_sheet(data: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(info, content)
    return out.getvalue()


def test_an_export_reads_back_with_its_types(app):
    columns = [Column("Фамилия"), Column("Дата", DATE), Column("Баллы", DECIMAL),
               Column("Место", INTEGER)]
    rows = [("=1+2", date(2007, 3, 14), Decimal("95.50"), 1), ("Иванов", None, None, 2)]
    with app.test_request_context():
        table = read_table(b"".join(render_xlsx(columns, rows, title="Победители")))
    assert table.rows == [(1, ["Фамилия", "Дата", "Баллы", "Место"]),
                          (2, ["=1+2", date(2007, 3, 14), 95.5, 1]),
                          (3, ["Иванов", None, None, 2])]


def test_rows_keep_excel_numbers_when_the_table_does_not_start_at_a1(app):
    data = _xlsx({"C3": "Фамилия", "D3": "Дата", "C5": "Иванов", "D5": date(2005, 1, 2)})
    with app.test_request_context():
        table = read_table(data)
    assert table.rows == [(3, [None, None, "Фамилия", "Дата"]),
                          (5, [None, None, "Иванов", date(2005, 1, 2)])]


def test_an_empty_export_still_has_its_header():
    data = b"".join(render_xlsx([Column("A"), Column("B", INTEGER)], iter(())))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == ["A", "B"] and sheet.max_row == 1


def test_sheet_names_lose_what_excel_refuses():
    assert sheet_name("a/b:c*?[d]") == "a b c   d"
    assert sheet_name("") == "Export" and len(sheet_name("x" * 50)) == 31


@pytest.mark.parametrize("far", ["XFD20000", "EA20000", "ZZ5000"])
def test_a_lone_cell_far_from_the_table_is_refused_before_reading(app, far):
    # calamine holds the rectangle from A1 to the furthest cell: XFD20000 alone is 330
    # million cells (10 GB), a file of a few KB
    data = _xlsx({"A1": "Фамилия", far: 1})
    with app.test_request_context(), pytest.raises(SpreadsheetError, match="Ячейки листа занимают"):
        read_table(data)


def test_a_far_cell_is_refused_however_its_reference_is_written(app):
    data = _xlsx({"A1": "Фамилия", "A2": "x"})
    # single quotes and a reference after another attribute: the full scan, same answer
    crafted = _rewrite_sheet(data, lambda xml: re.sub(
        rb'<c r="A2"', b"<c t='n' r='XFD20000'", xml).replace(b't="inlineStr"', b""))
    with app.test_request_context(), pytest.raises(SpreadsheetError):
        read_table(crafted)


def test_cells_without_references_are_read_in_order(app):
    data = _xlsx({"A1": "Фамилия", "B1": "Имя", "A2": "Иванов", "B2": "Иван"})
    plain = _rewrite_sheet(data, lambda xml: re.sub(rb' r="[A-Z]+[0-9]+"', b"", xml))
    with app.test_request_context():
        table = read_table(plain)
    assert [values for _n, values in table.rows] == [["Фамилия", "Имя"], ["Иванов", "Иван"]]
