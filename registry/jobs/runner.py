"""Running one job: the worker's boundary. The job's row is written in short transactions of
its own (``db.engine.begin()``), never in the session the work reads with."""
from __future__ import annotations

import json
import logging
import time

from sqlalchemy import select, update

from ..extensions import db
from ..models import Job, utcnow
from . import KINDS

log = logging.getLogger(__name__)
PROGRESS_EVERY = 0.5  # seconds between two progress writes


def _write(job_id: str, **values) -> None:
    with db.engine.begin() as connection:
        connection.execute(update(Job).where(Job.id == job_id).values(**values))


class Progress:
    def __init__(self, job_id: str, total: int | None):
        self.job_id, self.total, self.last = job_id, total, 0.0

    def __call__(self, done: int, total: int | None = None) -> None:
        if total is not None:
            self.total = total
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY:
            self.last = now
            _write(self.job_id, done=done, total=self.total)


def run(job_id: str) -> None:
    with db.engine.connect() as connection:
        row = connection.execute(
            select(Job.kind, Job.params, Job.state, Job.total).where(Job.id == job_id)).first()
    if row is None or row.state not in ("queued", "running"):
        log.warning("job %s: nothing to run (%s)", job_id, row and row.state)
        return
    _write(job_id, state="running")
    try:
        output = KINDS[row.kind](json.loads(row.params), Progress(job_id, row.total))
    except Exception as error:  # the job fails; the page says so, the log says why
        log.exception("job %s (%s) failed", job_id, row.kind)
        db.session.rollback()
        _write(job_id, state="failed", error=str(error)[:500] or type(error).__name__,
               finished_at=utcnow())
        return
    finally:
        db.session.rollback()  # the work only read
        db.session.remove()
    _write(job_id, state="done", filename=output.filename, mimetype=output.mimetype,
           size=len(output.content), content=output.content, finished_at=utcnow(),
           done=row.total if row.total is not None else 0)
