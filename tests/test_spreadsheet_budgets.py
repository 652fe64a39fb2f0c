"""Spreadsheets are read within fixed budgets (``registry/importers/budgets.py``).

Each crafted file of the security review is rebuilt here: a tiny XLSX that names row
20,000,000, fifteen million empty ``<row/>`` elements in about 130 KB, five and a half million
shared strings in about 230 KB. Each must be refused with a message that names the limit,
through the reader and through the participants import, and a real file of the allowed size
must still be read. (How long each refusal takes is measured by ``benchmarks/budgets.py``,
not asserted here.)
"""
from __future__ import annotations

import io
import re
import zipfile

import pytest

from registry.importers import budgets
from registry.importers.participants import build_plan
from registry.importers.spreadsheet import SpreadsheetError, read_table

from . import factories
from .test_import_participants import person_row, xlsx


def _rewrite(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The XLSX ``data`` with some members replaced (highly compressed, as an attacker would)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
        for name, content in replace.items():
            if name not in source.namelist():
                target.writestr(name, content)
    return out.getvalue()


def _sheet(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")


def _small() -> bytes:
    return xlsx([person_row()])


def _huge_row_number() -> bytes:
    sheet = _sheet(_small())
    # the third row (the first after header and data) claims to be row 20,000,000
    crafted = sheet.replace(b"</sheetData>",
                            b'<row r="20000000"><c r="A20000000" t="inlineStr"><is><t>x</t>'
                            b"</is></c></row></sheetData>")
    return _rewrite(_small(), {"xl/worksheets/sheet1.xml": crafted})


def _empty_rows(count: int) -> bytes:
    sheet = _sheet(_small())
    crafted = sheet.replace(b"</sheetData>", b"<row/>" * count + b"</sheetData>")
    return _rewrite(_small(), {"xl/worksheets/sheet1.xml": crafted})


def _shared_strings(count: int) -> bytes:
    strings = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats'
               b'.org/spreadsheetml/2006/main">' + b"<si><t>a</t></si>" * count + b"</sst>")
    return _rewrite(_small(), {"xl/sharedStrings.xml": strings})


@pytest.fixture(scope="module")
def crafted(app):
    with app.app_context():
        return {
            "row 20000000": _huge_row_number(),
            "15 million empty rows": _empty_rows(15_000_000),
            "5.5 million shared strings": _shared_strings(5_500_000),
        }


@pytest.mark.parametrize(("name", "words"), [
    ("row 20000000", "строк"),
    ("15 million empty rows", "МБ"),
    ("5.5 million shared strings", "МБ"),
])
def test_crafted_files_are_refused_naming_the_limit(app, crafted, name, words):
    data = crafted[name]
    assert len(data) < 400 * 1024, len(data)  # small uploads, as in the review
    with pytest.raises(SpreadsheetError) as error:
        read_table(data)
    assert words in error.value.message


def test_the_participants_import_reports_the_limit_and_writes_nothing(app, crafted):
    competition = factories.make_competition()
    for data in crafted.values():
        plan = build_plan(competition, data, filename="crafted.xlsx")
        assert not plan.ok
        assert any("разбейте" in str(p) or "МБ" in str(p) for p in plan.problems), [
            str(p) for p in plan.problems]


def test_each_budget_on_its_own(app):
    """Each limit stops the scan by itself, whatever the others allow."""
    small = _small()
    many = budgets.Budget(unpacked=10**9, rows=10**9, columns=100, cells=10**9,
                          shared_strings=1000)
    with zipfile.ZipFile(io.BytesIO(_shared_strings(1001))) as archive:
        with pytest.raises(budgets.BudgetExceeded, match="1000"):
            budgets.check(archive, many)
    rows = budgets.Budget(unpacked=10**9, rows=50, columns=100, cells=10**9)
    with zipfile.ZipFile(io.BytesIO(_empty_rows(60))) as archive:
        with pytest.raises(budgets.BudgetExceeded, match="50"):
            budgets.check(archive, rows)
    cells = budgets.Budget(unpacked=10**9, rows=10**9, columns=100, cells=3)
    with zipfile.ZipFile(io.BytesIO(small)) as archive:
        with pytest.raises(budgets.BudgetExceeded, match="3"):
            budgets.check(archive, cells)
    with zipfile.ZipFile(io.BytesIO(small)) as archive:
        spent = budgets.check(archive, budgets.Budget.for_upload(
            len(small), max_rows=10, max_columns=100, ceiling=10**8))
    assert spent.rows == 2 and spent.cells >= 8 and spent.unpacked > 0


def test_a_doctype_is_refused(app):
    sheet = _sheet(_small())
    crafted = re.sub(rb"^(<\?xml[^>]*\?>)?", rb'\1<!DOCTYPE x [<!ENTITY a "aaaa">]>', sheet,
                     count=1)
    with pytest.raises(SpreadsheetError, match="DOCTYPE"):
        read_table(_rewrite(_small(), {"xl/worksheets/sheet1.xml": crafted}))


def test_a_csv_of_blank_lines_is_refused_not_skipped(app):
    header = "Фамилия;Имя\r\n".encode()
    with pytest.raises(SpreadsheetError, match="строк"):
        read_table(header + b";\r\n" * 25_000 + "Иванов;Пётр\r\n".encode(), max_rows=20_000)


def test_a_real_file_of_the_allowed_size_is_read(app):
    rows = [person_row(last=f"Иванов{'а' * (i % 5)}", born=f"{1 + i % 28:02d}.03.2005")
            for i in range(2000)]
    table = read_table(xlsx(rows), max_rows=2000)
    assert len(table.rows) == 2001  # the header and every row


def test_a_dimension_claiming_the_whole_sheet_is_not_what_is_read(app):
    """``<dimension ref="A1:XFD1048576">`` claims 17 billion cells of a two-row file: the
    budgets count the cells that are there, and the reader does not size itself by the
    claim (a reader that did would fail here for memory)."""
    data = _small()
    sheet = _sheet(data)
    claimed = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', sheet)
    assert claimed != sheet
    table = read_table(_rewrite(data, {"xl/worksheets/sheet1.xml": claimed}))
    assert len(table.rows) == 2


# --- the quick scan (``_Scan.sheet_quick``): taken for what Excel writes, sound otherwise --

def _pieces(data: bytes) -> list[bytes]:
    """``data`` cut before every «<», the finest cut ``_Scan.parts`` can make."""
    return [piece for piece in re.split(rb"(?=<)", data) if piece]


def _scan(budget: budgets.Budget) -> budgets._Scan:
    import time
    return budgets._Scan(budget, budgets.Spent(), time.monotonic())


def _rows_xml(*rows: bytes) -> bytes:
    return (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"<cols><col min=\"1\" max=\"2\" width=\"9\"/></cols><sheetData>"
            + b"".join(rows) + b"</sheetData></worksheet>")


_FIFTY = budgets.Budget(unpacked=10**9, rows=50, columns=3, cells=150)


def test_the_quick_scan_reads_what_excel_writes(app):
    sheet = _rows_xml(b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1"><v>1</v></c></row>',
                      b'<row r="50" spans="1:3"><c r="B50"><v>2</v></c></row>')
    scan = _scan(_FIFTY)
    assert scan.sheet_quick([sheet])
    assert scan.spent.rows == 2 and scan.spent.last_row == 50 and scan.spent.cells >= 3
    # the same, and the same figures, read in pieces cut before each «<»
    pieces = _scan(_FIFTY)
    assert pieces.sheet_quick(_pieces(sheet))
    assert (pieces.spent.rows, pieces.spent.last_row) == (2, 50)
    assert 3 <= pieces.spent.cells <= scan.spent.cells


def test_the_quick_scan_reads_two_letter_columns_within_the_budget(app):
    # one letter is tried first, then two: «AB», «CV» (the 100th) are within 100 columns
    budget = budgets.Budget(unpacked=10**9, rows=50, columns=100, cells=5000)
    within = _rows_xml(b'<row r="1"><c r="A1"><v>1</v></c><c r="AB1"><v>2</v></c>'
                       b'<c r="CV1"><v>3</v></c></row>', b'<row r="50"><c r="Z50"/></row>')
    assert _scan(budget).sheet_quick([within])
    for past in (b"CW1", b"DA1", b"ZZ1", b"AAA1", b"A51"):
        sheet = _rows_xml(b'<row r="1"><c r="A1"/><c r="' + past + b'"><v>1</v></c></row>')
        assert not _scan(budget).sheet_quick([sheet]), past


@pytest.mark.parametrize("sheet", [
    # a cell names a row past the budget inside a row that does not
    _rows_xml(b'<row r="1"><c r="A51"><v>1</v></c></row>'),
    # a cell past the column budget (D with 3 columns), and one past it with 2 letters
    _rows_xml(b'<row r="1"><c r="D1"><v>1</v></c></row>'),
    _rows_xml(b'<row r="1"><c r="AA1"><v>1</v></c></row>'),
    # rows out of order: the last row counts on from row 50
    _rows_xml(b'<row r="50"/>', b'<row r="1"/>'),
    _rows_xml(b'<row r="2"/>', b'<row r="2"/>'),
    # a row or a cell without its reference first, a leading zero, single quotes
    _rows_xml(b'<row r="1"/>', b"<row/>"),
    _rows_xml(b'<row r="1"><c><v>1</v></c></row>'),
    _rows_xml(b'<row r="1"><c t="n" r="A1"><v>1</v></c></row>'),
    _rows_xml(b'<row r="1"><c r="A01"><v>1</v></c></row>'),
    _rows_xml(b"<row r='1'><c r='A1'><v>1</v></c></row>"),
    # prefixed rows and cells
    _rows_xml(b'<x:row r="1"><c r="A1"><v>1</v></c></x:row>'),
    _rows_xml(b'<row r="1"><x:c r="A1"><v>1</v></x:c></row>'),
    # more rows than the budget, more «<c» than the cell budget
    _rows_xml(*[b'<row r="%d"/>' % n for n in range(1, 52)]),
    _rows_xml(b'<row r="1">' + b'<c r="A1"/>' * 151 + b"</row>"),
])
def test_the_quick_scan_leaves_to_the_exact_scans_what_it_cannot_show(app, sheet):
    assert not _scan(_FIFTY).sheet_quick([sheet])
    assert not _scan(_FIFTY).sheet_quick(_pieces(sheet))


def test_the_quick_scan_is_not_taken_with_markup_it_does_not_read(app):
    sheet = _rows_xml(b'<row r="1"><c r="A1"><v>1</v></c></row>')
    assert _scan(_FIFTY).sheet_quick([sheet])
    for markup in (b"<!-- a comment -->", b"<![CDATA[x]]>"):  # the quick scan does not read
        marked = sheet.replace(b"<sheetData>", b"<sheetData>" + markup)
        assert not _scan(_FIFTY).sheet_quick([marked])
    smaller = budgets.Budget(unpacked=10**9, rows=50, columns=3, cells=10)
    assert not _scan(smaller).sheet_quick([sheet])  # the area check needs rows × columns


@pytest.mark.parametrize(("sheet", "words"), [
    (_rows_xml(b'<row r="1"><c r="A51"><v>1</v></c></row>'), "больше 50 строк"),
    (_rows_xml(b'<row r="50"/>', b'<row r="1"/>'), "больше 50 строк"),
    (_rows_xml(b'<row r="10"><c r="AA10"><v>1</v></c></row>'), "Ячейки листа занимают"),
    (_rows_xml(b'<x:row r="1"/>' * 51), "больше 50 строк"),
])
def test_what_the_quick_scan_leaves_is_refused_by_the_exact_scans(app, sheet, words):
    scan = _scan(_FIFTY)
    with pytest.raises(budgets.BudgetExceeded, match=words):
        scan.sheet(sheet)


def test_shared_strings_are_counted_with_prefixes_too(app):
    strings = b'<x:sst xmlns:x="s">' + b"<x:si><x:t>a</x:t></x:si>" * 1001 + b"</x:sst>"
    budget = budgets.Budget(unpacked=10**9, rows=10**9, columns=100, cells=10**9,
                            shared_strings=1000)
    with pytest.raises(budgets.BudgetExceeded, match="1000"):
        _scan(budget).shared_strings([strings])
    _scan(budget).shared_strings([strings.replace(b"<x:si>", b"<x:t>", 1)])


# --- the sheet scanned in pieces as it is inflated (``_Scan.parts``) ------------------------

def _archive(members: dict[str, bytes]) -> zipfile.ZipFile:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in members.items():
            target.writestr(name, content)
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


@pytest.mark.parametrize("chunk", [1, 2, 7, 10, 64, 1 << 20])
def test_the_pieces_are_the_member_cut_only_before_a_tag(app, monkeypatch, chunk):
    monkeypatch.setattr(budgets, "CHUNK", chunk)
    sheet = _rows_xml(*[b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x&lt;y</t></is></c>'
                        b"</row>" % (n, n) for n in range(1, 20)])
    scan = _scan(_FIFTY)
    pieces = list(scan.parts(_archive({"s.xml": sheet}), "s.xml"))
    assert b"".join(pieces) == sheet
    assert all(piece.startswith(b"<") for piece in pieces)  # the sheet begins with one too
    assert scan.spent.unpacked == len(sheet)
    if chunk < 64:
        assert len(pieces) > 10  # cut as it came, not joined first


@pytest.mark.parametrize("chunk", [1, 3, 5, 8, 13, 1 << 20])
def test_a_cell_or_row_split_across_chunks_is_read_as_whole(app, monkeypatch, chunk):
    monkeypatch.setattr(budgets, "CHUNK", chunk)
    good = _rows_xml(b'<row r="1"><c r="A1"><v>1</v></c><c r="C1"/></row>',
                     b'<row r="50"><c r="B50"><v>2</v></c></row>')
    spent = budgets.check(_archive({"xl/worksheets/sheet1.xml": good}), _FIFTY)
    assert (spent.rows, spent.last_row, spent.unpacked) == (2, 50, len(good))
    for far, words in ((b"A51", "больше 50 строк"), (b"AA10", "Ячейки листа занимают")):
        sheet = _rows_xml(b'<row r="10"><c r="A10"/><c r="' + far + b'"><v>1</v></c></row>')
        with pytest.raises(budgets.BudgetExceeded, match=words):
            budgets.check(_archive({"xl/worksheets/sheet1.xml": sheet}), _FIFTY)
    # past the column budget but within the cells: left to the exact scans, which read it
    wide = _rows_xml(b'<row r="1"><c r="A1"/><c r="D1"><v>1</v></c></row>')
    assert budgets.check(_archive({"xl/worksheets/sheet1.xml": wide}), _FIFTY).columns == 4
    doctype = b'<!DOCTYPE x [<!ENTITY a "a">]>' + good
    with pytest.raises(budgets.BudgetExceeded, match="DOCTYPE"):
        budgets.check(_archive({"xl/worksheets/sheet1.xml": doctype}), _FIFTY)
    strings = b"<sst>" + b"<si><t>a</t></si>" * 11 + b"</sst>"
    few = budgets.Budget(unpacked=10**9, rows=50, columns=3, cells=150, shared_strings=10)
    with pytest.raises(budgets.BudgetExceeded, match="10"):
        budgets.check(_archive({"xl/sharedStrings.xml": strings,
                                "xl/worksheets/sheet1.xml": good}), few)


def test_a_sheet_the_quick_scan_leaves_is_unpacked_again_but_counted_once(app):
    # a comment sends the sheet to the exact scans, which inflate it again, whole
    sheet = _rows_xml(b"<!-- made by hand -->", b'<row r="1"><c r="A1"><v>1</v></c></row>')
    budget = budgets.Budget(unpacked=len(sheet) * 3 // 2, rows=50, columns=3, cells=150)
    spent = budgets.check(_archive({"xl/worksheets/sheet1.xml": sheet}), budget)
    assert spent.unpacked == len(sheet) and spent.rows == 1


def test_a_zip_with_two_members_of_one_name_is_refused(app):
    """The budgets must read the sheet the reader reads: with two ``sheet1.xml``, which one a
    reader takes is its own choice, so such a file (no spreadsheet program writes one) is
    refused as damaged."""
    data = _small()
    second = _rows_xml(b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>')
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        with pytest.warns(UserWarning, match="Duplicate name"):
            target.writestr("xl/worksheets/sheet1.xml", second)
    with pytest.raises(SpreadsheetError, match="повреждён"):
        read_table(out.getvalue())
    assert len(read_table(data).rows) == 2
