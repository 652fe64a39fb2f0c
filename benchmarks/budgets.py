"""How long and how much memory refusing each crafted spreadsheet takes (issue: trust).

    .venv/bin/python -m benchmarks.budgets

Each file is read in a fresh child process, so that its peak RSS is its own.
"""
from __future__ import annotations

import multiprocessing
import tempfile
import time

from . import high_water_kb


def _one(name, queue):
    from registry import create_app
    from registry.importers.spreadsheet import SpreadsheetError, read_table
    from tests import test_spreadsheet_budgets as crafted

    folder = tempfile.mkdtemp()  # a database file (the job queue refuses an in-memory one)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/budgets.sqlite",
                      "SECRET_KEY": "bench"})
    with app.app_context():
        data = {"row 20000000": crafted._huge_row_number,
                "15 million empty rows": lambda: crafted._empty_rows(15_000_000),
                "5.5 million shared strings": lambda: crafted._shared_strings(5_500_000)}[name]()
        before = high_water_kb()
        started = time.perf_counter()
        try:
            read_table(data)
            outcome = "read"
        except SpreadsheetError:
            outcome = "refused"
        seconds = time.perf_counter() - started
        peak = high_water_kb()
    queue.put((name, len(data), outcome, seconds, before, peak))


def main():
    ctx = multiprocessing.get_context("spawn")
    for name in ("row 20000000", "15 million empty rows", "5.5 million shared strings"):
        queue = ctx.Queue()
        process = ctx.Process(target=_one, args=(name, queue))
        process.start()
        process.join()
        if process.exitcode:
            raise SystemExit(f"{name}: the child process failed ({process.exitcode})")
        name, size, outcome, seconds, before, peak = queue.get()
        print(f"{name}: {size / 1024:.1f} KB upload, {outcome} in {seconds * 1000:.0f} ms; "
              f"peak RSS {peak / 1024:.0f} MB (of which {before / 1024:.0f} MB before reading, "
              f"building the file included)")


if __name__ == "__main__":
    main()
