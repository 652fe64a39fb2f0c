"""The export job: an export of more rows than ``EXPORT_JOB_ROWS`` (default 20,000) is
written by a worker, with its progress on a page, and kept for its owner for a day."""
from __future__ import annotations

import tempfile

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select

from ..exporters.base import EXPORTERS, OUTPUT_FORMATS, RenderOptions
from ..exporters.service import file_name, resolve_filters
from ..extensions import db
from . import Output, job_kind, start

DEFAULT_THRESHOLD = 20000


def threshold() -> int:
    return int(current_app.config.get("EXPORT_JOB_ROWS", DEFAULT_THRESHOLD))


def count_rows(exporter, filters: dict) -> int | None:
    """How many rows the export will have, for exporters built on one query (``query``);
    None for the others (they are small: a medal table, say)."""
    query = getattr(exporter, "query", None)
    if query is None:
        return None
    statement = query(filters).order_by(None).subquery()
    return db.session.scalar(select(func.count()).select_from(statement))


class _Counting:
    """The exporter, with its rows counted for the progress."""

    def __init__(self, exporter, progress, total):
        self._exporter, self._progress, self._total = exporter, progress, total

    def __getattr__(self, name):
        return getattr(self._exporter, name)

    def rows(self, filters):
        done = 0
        for done, row in enumerate(self._exporter.rows(filters), start=1):
            if done % 500 == 0:
                self._progress(done, self._total)
            yield row
        self._progress(done, self._total)


def start_export(identifier: str, raw_filters: dict, fmt: str, *, owner, lang: str,
                 delimiter: str, total: int | None, label: str):
    return start("export", {"identifier": identifier, "filters": raw_filters, "format": fmt,
                            "lang": lang, "delimiter": delimiter},
                 owner=owner, label=label, total=total)


@job_kind("export")
def export(params: dict, progress) -> Output:
    exporter = EXPORTERS[params["identifier"]]
    filters = resolve_filters(exporter, params["filters"])
    output = OUTPUT_FORMATS[params["format"]]
    counting = _Counting(exporter, progress, progress.total)
    with force_locale(params["lang"]), tempfile.SpooledTemporaryFile(8 * 1024 * 1024) as fh:
        for chunk in output.render(counting, filters,
                                   RenderOptions(delimiter=params["delimiter"])):
            fh.write(chunk)
        fh.seek(0)
        content = fh.read()
    return Output(file_name(params["identifier"], filters, output.extension),
                  output.mimetype, content)
