"""``flask jobs worker`` (the job runner's consumer) and ``flask sweep`` (expired uploads and
job files)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ..importers import uploads
from ..transaction import Commands, transactional
from . import sweep as sweep_jobs

jobs_cli = Commands("jobs", help="Background jobs.")


@jobs_cli.command("worker")
@click.option("--workers", default=1, show_default=True, help="Threads running jobs.")
def worker(workers: int):
    """Run jobs until stopped (Ctrl+C or SIGTERM finishes the running ones first)."""
    from .worker import consumer
    consumer(current_app, workers).run()


@click.command("sweep")
@with_appcontext
@transactional
def sweep_command():
    """Delete expired uploads waiting for confirmation and expired job files."""
    click.echo(f"Expired uploads deleted: {uploads.sweep()}; expired jobs deleted: "
               f"{sweep_jobs()}")
