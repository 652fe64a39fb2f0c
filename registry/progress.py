"""Progress bars for long commands, on stderr and only when stderr is a terminal.

``progress(label, length)`` gives a ``Progress``: ``update(n)`` moves it on, ``close()`` ends
it; it is a context manager too. When stderr is not a terminal (a pipe, a log file, the tests)
it writes nothing at all, so the output of scripts stays what it was. The bar is click's
(``click.progressbar``), which draws itself only on a terminal.
"""
from __future__ import annotations

import sys

import click


def _stderr():
    return sys.stderr


class Progress:
    def __init__(self, label: str, length: int | None = None, file=None):
        self.file = file or _stderr()
        self.label = label
        self.length = length
        self._bar = None
        isatty = getattr(self.file, "isatty", None)
        self.shown = bool(isatty and isatty())

    def _open(self):
        if self._bar is None and self.shown:
            # length unknown: an endless iterable without a length (never iterated) makes
            # click draw a bar that moves to and fro, with the steps counted
            unknown = iter(int, 1) if self.length is None else None
            self._bar = click.progressbar(unknown, length=self.length, label=self.label,
                                          file=self.file, show_pos=True,
                                          show_eta=self.length is not None)
            self._bar.__enter__()
        return self._bar

    def update(self, steps: int = 1) -> None:
        bar = self._open()
        if bar is not None:
            bar.update(steps)

    def to(self, done: int, total: int | None = None) -> None:
        """Move the bar to ``done`` of ``total`` steps (for work that counts its own steps)."""
        if total is not None:
            self.set_length(total)
        bar = self._open()
        if bar is not None and done > bar.pos:
            bar.update(done - bar.pos)

    def finish(self) -> None:
        """Move the bar to its end (when fewer steps were counted than its length)."""
        bar = self._open()
        if bar is not None and self.length is not None and bar.pos < self.length:
            bar.update(self.length - bar.pos)

    def set_length(self, length: int) -> None:
        """The length when it is known only later (before the first ``update``)."""
        self.length = length
        if self._bar is not None:
            self._bar.length = length

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def progress(label: str, length: int | None = None, file=None) -> Progress:
    return Progress(label, length, file)
