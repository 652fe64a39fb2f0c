"""XLSX through the fast writer and reader (issue 16, point 1): what the reader keeps, and the
budget that keeps it from holding a rectangle far larger than the file."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time
from decimal import Decimal

import openpyxl
import pytest

from registry.exporters.base import DATE, DECIMAL, INTEGER, Column
from registry.exporters.render import render_xlsx, sheet_name
from registry.importers import spreadsheet
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


def _mixed_sheet(rows: int = 30, gaps: bool = True) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Фамилия", "Дата", "Баллы", "Отметка", "Время", "Команда", "Рождение",
                  "Согласие", "Место"])
    for i in range(rows):
        sheet.append([f"  Иванов{i} " if i % 3 else f"Петров{i}",
                      datetime(2005, 1, 1 + i % 28, 10 * (i % 2), 30) if i % 4 else date(2005, 2, 3),
                      [1.0, 2.5, 1e16, -3, 7][i % 5], bool(i % 2) if i % 7 else None,
                      time(8, i % 60) if i % 5 else "  ", None if i % 6 else f"Команда {i}",
                      date(2005, 1, 1 + i % 28), datetime(2024, 1, 10, 9, i % 60), i])
        if gaps and i % 10 == 9:  # empty rows (their cells read as "" in every column)
            sheet.append([None] * 9)
    if gaps:
        sheet.append(["Только текст"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _by_rows(monkeypatch, data: bytes):
    """``read_table`` through the row loop alone (the reference the columns must match)."""
    with monkeypatch.context() as patch:
        patch.setattr(spreadsheet, "_rows", lambda *_args: None)
        return read_table(data)


@pytest.mark.parametrize("data", [
    _mixed_sheet(),
    _mixed_sheet(gaps=False),  # columns of dates, of date-times under a text header
    _xlsx({"A1": "Фамилия", "B1": "Дата", "A2": "Иванов", "B2": date(2005, 1, 2),
           "A3": "Петров", "B3": date(2006, 3, 4)}),
    _xlsx({"C3": "Фамилия", "D3": "Дата", "C5": "Иванов", "D5": date(2005, 1, 2)}),
    _xlsx({"A1": "Фамилия", "B1": 1, "A2": "  ", "B2": 2.0, "A3": "Иванов", "B3": 3}),
    # a row of zeros only is a row (its values are false, not empty)
    _xlsx({"A1": "Фамилия", "B1": "Баллы", "B2": 0, "C3": 0.0, "A4": "Иванов", "B4": 0}),
    # past the 100th column (CV): the rows are cut to 100 values on both ways
    _xlsx({"A1": "Фамилия", "CV1": "сотый", "CW1": "лишний", "A2": "Иванов", "CW2": "x"}),
])
def test_values_read_a_column_at_a_time_are_those_of_the_row_loop(app, monkeypatch, data):
    with app.test_request_context():
        calls = []
        original = spreadsheet._rows
        monkeypatch.setattr(spreadsheet, "_rows",
                            lambda *args: calls.append(original(*args)) or calls[-1])
        table = read_table(data)
        monkeypatch.undo()
        assert calls and calls[0] is not None  # the columns were converted
        reference = _by_rows(monkeypatch, data)
    assert table.rows == reference.rows
    assert [[type(v) for v in values] for _n, values in table.rows] == [
        [type(v) for v in values] for _n, values in reference.rows]


def test_a_row_of_zeros_is_read_and_an_empty_one_left_out(app):
    data = _xlsx({"A1": "Фамилия", "B1": "Баллы", "B2": 0, "C3": 0.0, "A5": "Иванов"})
    with app.test_request_context():
        table = read_table(data)
    assert [number for number, _values in table.rows] == [1, 2, 3, 5]
    assert table.rows[1][1][:2] == [None, 0] and table.rows[2][1][:3] == [None, None, 0]


def test_a_cell_that_is_too_long_in_an_xlsx_is_named(app):
    data = _xlsx({"A1": "Фамилия", "B1": "Организация", "A2": "Иванов", "B2": "Я" * 1001})
    with app.test_request_context(), pytest.raises(SpreadsheetError) as error:
        read_table(data)
    assert "2" in error.value.message and "B" in error.value.message
    assert "1000" in error.value.message


def test_an_export_drops_what_an_xlsx_cannot_hold_in_any_batch(app, monkeypatch):
    from registry.exporters import render
    monkeypatch.setattr(render, "RECORDS_AT_ONCE", 3)
    columns = [Column("Фамилия"), Column("Место", INTEGER)]
    rows = [(f"Иванов{i}", i) for i in range(7)]
    rows[4] = ("Ива\x00нов\x07\tП\x1f", 4)  # in the second batch of three
    with app.test_request_context():
        table = read_table(b"".join(render_xlsx(columns, rows)))
    assert [values for _n, values in table.rows][1:] == [
        ["Иванов0", 0], ["Иванов1", 1], ["Иванов2", 2], ["Иванов3", 3], ["Иванов\tП", 4],
        ["Иванов5", 5], ["Иванов6", 6]]


def test_an_export_row_with_a_value_too_many_or_too_few_is_refused():
    columns = [Column("Фамилия"), Column("Место", INTEGER)]
    for row in (("Иванов",), ("Иванов", 1, 2)):
        with pytest.raises(ValueError):
            b"".join(render_xlsx(columns, [("Петров", 1), row]))


def test_a_converted_value_converts_to_itself(app):
    """``_rows`` converts the reader's lists in place; when it then leaves the sheet to the
    row loop (a cell too long), that loop converts those values again, and must read the
    same."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(_mixed_sheet()))
    values = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    kinds = {type(v) for raw in values for v in raw}
    assert {str, float, bool, date, datetime, time} <= kinds  # what the reader gives
    once = [spreadsheet._values(raw) for raw in values]
    twice = [spreadsheet._values(raw) for raw in once]
    assert twice == once
    assert [[type(v) for v in raw] for raw in twice] == [[type(v) for v in raw] for raw in once]
