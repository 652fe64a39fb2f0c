"""XLSX figures for issue 16, point 1: the export writer and the import reader, each against
the library alone on the same rows, and the export's peak memory at two sizes.

    .venv/bin/python -m benchmarks.xlsx_figures          # prints the figures as JSON

``xlsx_figures()`` returns them as a dict, for ``docs/benchmarks.md`` (the caller formats
them). Medians of ``repeat`` runs; peak RSS is measured in a fresh subprocess per size with
``resource.getrusage``. No database: the rows are made in memory, shaped like the winners
export (15 columns: text, integers, a Decimal, empty cells).
"""
from __future__ import annotations

import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal

SMALL, BIG = 36_792, 367_920
IMPORT_ROWS = 20_000


def winner_rows(count: int):
    for i in range(count):
        yield ("Профессионалы", 2025, "региональный этап", "Республика Татарстан",
               f"Сварочные технологии {i % 100}", "Основная", i % 3 + 1, "Золото",
               f"Иванов{i}", "Иван", "Иванович", "Оренбургская область",
               f"ГАПОУ Оренбургский колледж {i % 500}", Decimal("87.25"),
               None if i % 2 else f"Команда {i}")


def winner_columns():
    from registry.exporters.base import DECIMAL, INTEGER, Column
    kinds = {1: INTEGER, 6: INTEGER, 13: DECIMAL}
    return [Column(f"Столбец {i + 1}", kinds.get(i, "text")) for i in range(15)]


def _median(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _medians_in_turn(ours, alone, repeat: int) -> tuple[float, float]:
    """The medians of ``ours`` and of the library ``alone``, run in turns (``repeat`` of
    each), so that a slow spell of the shared machine falls on both alike: run one after
    the other, the same code measured 1.40× in one run and 1.62× in the next."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for function, kept in ((ours, times[0]), (alone, times[1])):
            started = time.perf_counter()
            function()
            kept.append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def _writer_alone(count: int) -> None:
    """rustpy-xlsxwriter with the same rows as dicts, the same widths and formats."""
    import rustpy_xlsxwriter as rx
    labels = [str(c.label) for c in winner_columns()]
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as fh:
        (rx.FastExcel(fh.name).freeze(row=1)
         .sheet("Export", (dict(zip(labels, row, strict=True)) for row in winner_rows(count)),
                column_widths=[16] * 15, header_format=rx.Format().set_bold(), autofilter=True)
         .save())


def _export(count: int) -> int:
    from registry.exporters.render import render_xlsx
    return sum(len(chunk) for chunk in render_xlsx(winner_columns(), winner_rows(count)))


def _peak_rss_mb(count: int) -> float:
    """The export's peak resident memory, in a process of its own (``high_water_kb``)."""
    code = ("from benchmarks import high_water_kb; "
            "from benchmarks.xlsx_figures import _export; "
            f"_export({count}); print(high_water_kb() / 1024)")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    return float(out.strip().splitlines()[-1])


def import_file(count: int = IMPORT_ROWS) -> bytes:
    """A participants file as openpyxl saves one: texts inline in the sheet (``inlineStr``;
    Excel would keep them in ``sharedStrings.xml``), date cells typed as dates."""
    import openpyxl
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Фамилия", "Имя", "Отчество", "Дата рождения", "Регион", "Организация",
                  "Компетенция", "Категория", "Команда", "E-mail", "Телефон", "Дата согласия"])
    for i in range(count):
        sheet.append([f"Иванов{i}", "Иван", "Иванович", date(2005, 1 + i % 12, 1 + i % 28),
                      "Республика Татарстан", f"ГАПОУ Колледж {i % 300}",
                      "Сварочные технологии", "Основная", None, f"a{i}@example.ru",
                      f"+7 912 000-00-{i % 100:02d}", date(2024, 1, 10)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_figures(repeat: int = 3, small: int = SMALL, big: int = BIG,
                 import_rows: int = IMPORT_ROWS) -> dict:
    from flask import Flask
    from flask_babel import Babel
    from python_calamine import CalamineWorkbook

    from registry.importers.spreadsheet import read_table

    figures: dict = {"rows": small}
    figures["export_s"], figures["writer_alone_s"] = _medians_in_turn(
        lambda: _export(small), lambda: _writer_alone(small), repeat)
    figures["export_ratio"] = figures["export_s"] / figures["writer_alone_s"]
    figures["peak_rss_mb"] = {small: _peak_rss_mb(small), big: _peak_rss_mb(big)}
    figures["peak_rss_ratio"] = figures["peak_rss_mb"][big] / figures["peak_rss_mb"][small]

    data = import_file(import_rows)
    figures["import_rows"] = import_rows

    def reader_alone():
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)

    def openpyxl_read_only():
        import openpyxl
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        for _row in workbook.worksheets[0].iter_rows(values_only=True, max_col=100):
            pass
        workbook.close()

    app = Flask(__name__)
    Babel(app)
    with app.app_context():
        figures["read_table_s"], figures["reader_alone_s"] = _medians_in_turn(
            lambda: read_table(data), reader_alone, repeat)
        figures["openpyxl_read_only_s"] = _median(openpyxl_read_only, 1)
    figures["import_read_ratio"] = figures["read_table_s"] / figures["reader_alone_s"]
    return figures


if __name__ == "__main__":
    print(json.dumps(xlsx_figures(), indent=2, default=str))
