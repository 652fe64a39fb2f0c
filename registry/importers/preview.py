"""One page of an import preview: the summary and the problems first, then the rows in pages.

A 10,000-row file is not one 10 MB page: the preview shows the counts and the file's problems
(at most ``MAX_PROBLEMS_LISTED`` of them written out), then ``PER_PAGE`` rows. A plan with
problems shows the rows with problems first. The upload waits in the waiting room either way
(a plan with problems cannot be confirmed), and its other pages are read back from there
(``routes.preview``, a GET of the kept upload, checked against the session and the
competition).
"""
from __future__ import annotations

from dataclasses import dataclass

PER_PAGE = 100
MAX_PROBLEMS_LISTED = 100


@dataclass
class PreviewPage:
    rows: list
    number: int            # 1-based
    pages: int
    total: int             # rows in this view (all rows, or only those with problems)
    only_problems: bool
    problems: list         # the problems written out above the rows
    problems_total: int

    @property
    def first(self) -> int:
        return (self.number - 1) * PER_PAGE + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    @property
    def problems_left_out(self) -> int:
        return self.problems_total - len(self.problems)

    def numbers(self, around: int = 2) -> list[int | None]:
        """The page numbers to link: the first, the last and those near this one; ``None``
        for a gap."""
        wanted = {1, self.pages, *range(self.number - around, self.number + around + 1)}
        shown: list[int | None] = []
        for n in sorted(n for n in wanted if 1 <= n <= self.pages):
            if shown and shown[-1] is not None and n > shown[-1] + 1:
                shown.append(None)
            shown.append(n)
        return shown


def page_number(raw) -> int:
    try:
        return max(1, int(raw))
    except (TypeError, ValueError):
        return 1


def preview_page(plan, number: int = 1, *, only_problems: bool = False) -> PreviewPage:
    """Page ``number`` of ``plan.rows`` (clamped to the last page): the rows with problems first
    when the plan has any, or only those when ``only_problems``."""
    problem_rows = [row for row in plan.rows if row.problems]
    if only_problems:
        rows = problem_rows
    elif problem_rows:
        rows = problem_rows + [row for row in plan.rows if not row.problems]
    else:
        rows = plan.rows
    pages = max(1, -(-len(rows) // PER_PAGE))
    number = min(max(1, number), pages)
    problems = plan.problems
    return PreviewPage(
        rows=rows[(number - 1) * PER_PAGE:number * PER_PAGE], number=number, pages=pages,
        total=len(rows), only_problems=only_problems, problems=problems[:MAX_PROBLEMS_LISTED],
        problems_total=len(problems))
