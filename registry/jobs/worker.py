"""A huey consumer: in its own process (``flask jobs worker``) or as threads of the web
process (``JOBS_IN_PROCESS``, set by ``make run``: the embedded default needs no second
command)."""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)
_started: dict[int, object] = {}


def consumer(app, workers: int = 1):
    return app.extensions["registry_jobs"].create_consumer(
        workers=workers, worker_type="thread", periodic=False, check_worker_health=False)


def start_in_process(app, workers: int = 1):
    """Start the consumer's threads beside the web server (once per application)."""
    if id(app) in _started:
        return _started[id(app)]
    running = consumer(app, workers)
    running.start()
    _started[id(app)] = running
    log.info("background jobs: %d worker thread(s) in this process", workers)
    return running
