"""Big work off the request (issue 16, point 5): a job is a row of ``jobs`` (state, progress,
the file it made, kept for its owner for a day) and a task on the job runner (``queue.py``:
huey on the application's database).

- ``start(kind, params, owner=…)`` adds the row (flushed, in the caller's transaction) and
  enqueues the task once that transaction commits, so a worker never looks for a row that is
  not there yet;
- a kind is a function registered with ``@job_kind(name)``: it gets the job's params and a
  ``progress(done, total=None)`` callback and returns an ``Output`` (file name, MIME type,
  bytes). ``exports.py`` registers ``export``; the diploma batch can register its own around
  ``generate_bulk(competition, fmt, progress=…)``;
- the worker (``runner.run``) is a boundary like a request: it writes the job's state and
  progress in short transactions of its own, so the page polling it sees them at once;
- a worker runs as ``flask jobs worker`` (production), or as threads inside the web process
  when ``JOBS_IN_PROCESS`` is set (``make run`` sets it); tests run tasks immediately.
"""
from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, event

from ..extensions import db
from ..models import Job, utcnow

KEEP = timedelta(days=1)
KINDS: dict[str, Callable] = {}
_PENDING = "registry_jobs_to_enqueue"


@dataclass
class Output:
    filename: str
    mimetype: str
    content: bytes


def job_kind(name: str):
    def register(function: Callable) -> Callable:
        KINDS[name] = function
        return function
    return register


def sweep() -> int:
    """Delete the jobs (and their files) whose day has passed; how many."""
    result = db.session.execute(delete(Job).where(Job.expires_at <= utcnow()))
    return result.rowcount or 0


def start(kind: str, params: dict, *, owner, label: str = "", total: int | None = None) -> Job:
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    sweep()
    now = utcnow()
    job = Job(id=secrets.token_hex(16), owner_id=owner.id, kind=kind, label=label[:200],
              params=json.dumps(params, ensure_ascii=False), state="queued", done=0,
              total=total, created_at=now, expires_at=now + KEEP)
    db.session.add(job)
    db.session.flush()
    db.session().info.setdefault(_PENDING, []).append(job.id)
    return job


def huey():
    return current_app.extensions["registry_jobs"]


def _after_commit(session) -> None:
    ids = session.info.pop(_PENDING, None)
    if not ids:
        return
    from flask import current_app as app
    task = app.extensions["registry_jobs_task"]
    for job_id in ids:
        task(job_id)


def _after_rollback(session) -> None:
    session.info.pop(_PENDING, None)


_listening = False


def init_app(app) -> None:
    global _listening
    from . import diplomas, exports  # noqa: F401  (register their kinds)
    from .cli import jobs_cli, sweep_command
    from .queue import make_huey
    from .routes import bp
    from .runner import run

    app.config.setdefault("JOBS_IN_PROCESS", os.environ.get("REGISTRY_JOBS_IN_PROCESS") == "1")
    if os.environ.get("REGISTRY_EXPORT_JOB_ROWS", "").isdigit():
        app.config.setdefault("EXPORT_JOB_ROWS", int(os.environ["REGISTRY_EXPORT_JOB_ROWS"]))
    immediate = app.config.get("JOBS_IMMEDIATE", app.config.get("TESTING", False))
    runner = make_huey(app.config["SQLALCHEMY_DATABASE_URI"], immediate=immediate)

    @runner.task(retries=2, retry_delay=2, name="registry.run_job")
    def run_job(job_id: str):
        with app.app_context():
            run(job_id)

    app.extensions["registry_jobs"] = runner
    app.extensions["registry_jobs_task"] = run_job
    if not _listening:
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_rollback", _after_rollback)
        _listening = True
    app.register_blueprint(bp, url_prefix="/jobs")
    app.cli.add_command(jobs_cli)
    app.cli.add_command(sweep_command)
    if app.config.get("JOBS_IN_PROCESS") and not immediate:
        from .worker import start_in_process
        start_in_process(app)
