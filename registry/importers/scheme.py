"""Reading a marking scheme from XLSX/CSV into the rows ``services.marking.import_scheme``
takes; the rules (codes, aspect types, marks) are that operation's.

Columns (header row, any order, case-insensitive; a title line above it is skipped):
«Критерий» (code, e.g. A), «Название критерия» (optional), «Аспект», «Макс. балл», «Тип»
(измеримая / судейская; measurement / judgement)."""
from __future__ import annotations

from ..services.marking import SchemeRow
from . import cells
from .base import Column, Plan, Spec, read_plan

MAX_ROWS = 2000

SPEC = Spec(
    Column("code", "Критерий", True, ("код критерия", "код", "criterion", "code")),
    Column("criterion_title", "Название критерия", False,
           ("наименование критерия", "criterion title")),
    Column("aspect_title", "Аспект", True,
           ("наименование аспекта", "название аспекта", "aspect")),
    Column("max_marks", "Макс. балл", True,
           ("макс балл", "максимальный балл", "баллы", "max marks", "max"), cells.number_cell),
    Column("kind", "Тип", True, ("тип аспекта", "type", "kind")),
)


class SchemeFileError(Exception):
    """The file cannot be read as a scheme; ``message`` lists every problem, each with its
    row and column; ``problems`` are the ``base.Problem`` objects."""

    def __init__(self, message: str, problems=()):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


def read_scheme(data: bytes) -> list[SchemeRow]:
    plan = Plan()
    if read_plan(plan, data, SPEC, max_rows=MAX_ROWS):
        for row in plan.rows:
            row.cell("max_marks", required=False)
    if plan.problems:
        raise SchemeFileError("; ".join(str(p) for p in plan.problems), plan.problems)
    return [SchemeRow(row.number, row.value("code") or "", row.value("criterion_title") or "",
                      row.value("aspect_title") or "", row.value("max_marks") or "",
                      row.value("kind") or "")
            for row in plan.rows]
