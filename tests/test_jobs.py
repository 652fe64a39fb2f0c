"""Big work off the request (issue 16, point 5): an export above the row threshold runs as
a job on the job runner (huey, immediate in tests, and once for real on the test database),
its page polls its progress, its file is only its owner's and expires after a day."""
from __future__ import annotations

import io
import json
import time
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import select, update

from registry import create_app, jobs
from registry.extensions import db
from registry.jobs import runner
from registry.models import AuditEntry, Job, utcnow

from . import factories
from .test_exports import _registered_competition


@pytest.fixture
def small_threshold(app):
    app.config["EXPORT_JOB_ROWS"] = 1
    yield
    app.config.pop("EXPORT_JOB_ROWS", None)


def _export_url(competition):
    return (f"/exports/participants?competition={competition.id}&format=xlsx&lang=ru"
            f"&delimiter=%3B")


def _job():
    db.session.expire_all()
    return db.session.scalar(select(Job))


def test_a_small_export_is_sent_at_once(app, client, login):
    competition = _registered_competition()
    login(client, "organiser")
    response = client.get(_export_url(competition))
    assert response.status_code == 200 and response.data.startswith(b"PK")
    assert _job() is None


def test_a_big_export_runs_as_a_job_and_its_file_is_its_owners(
        app, client, login, small_threshold):
    competition = _registered_competition()
    owner = login(client, "organiser")
    response = client.get(_export_url(competition))
    assert response.status_code == 302
    job = _job()
    assert response.location.endswith(f"/jobs/{job.id}")
    assert job.owner_id == owner.id and job.kind == "export" and job.total == 3
    # the run is in the audit log at once, as for a download
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export.run"))

    page = client.get(response.location)
    assert page.status_code == 200
    assert "js/job-progress.js" in page.text and "<script>" not in page.text  # CSP: no inline
    status = client.get(f"/jobs/{job.id}/status.json").get_json()
    assert status["state"] == "done" and status["percent"] == 100 and status["done"] == 3
    file = client.get(status["download"])
    assert file.status_code == 200 and file.headers["Cache-Control"] == "no-store"
    assert "participants-" in file.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(file.data)).active
    assert sheet.max_row == 4 and "Инявин" in [c.value for c in sheet[2]] + \
        [c.value for c in sheet[3]] + [c.value for c in sheet[4]]

    # another user, whatever their role, learns nothing of it; an anonymous one logs in
    for role in ("organiser", "admin"):
        other = app.test_client()
        login(other, role)
        for path in ("", "/status.json", "/download"):
            assert other.get(f"/jobs/{job.id}{path}").status_code == 404
    assert app.test_client().get(f"/jobs/{job.id}").status_code == 302


def test_progress_is_seen_while_the_job_runs(app, monkeypatch):
    owner = factories.make_user(role="organiser")
    seen = []

    @jobs.job_kind("test-progress")
    def _kind(params, progress):
        for done in (2, 5):
            progress(done, 10)
            with db.engine.connect() as connection:  # as the polling page would read it
                seen.append(tuple(connection.execute(
                    select(Job.state, Job.done, Job.total)).one()))
        return jobs.Output("x.txt", "text/plain", b"ok")

    monkeypatch.setattr(runner, "PROGRESS_EVERY", 0)
    try:
        with app.test_request_context():
            job = jobs.start("test-progress", {}, owner=owner)
            db.session.commit()  # the job runs when its transaction commits
        assert seen == [("running", 2, 10), ("running", 5, 10)]
        finished = _job()
        assert (finished.state, finished.content, finished.filename) == ("done", b"ok", "x.txt")
        assert job.id == finished.id
    finally:
        jobs.KINDS.pop("test-progress")


def test_a_rolled_back_job_is_never_run(app):
    owner = factories.make_user(role="organiser")
    ran = []
    jobs.KINDS["test-never"] = lambda params, progress: ran.append(1)
    try:
        with app.test_request_context():
            jobs.start("test-never", {}, owner=owner)
            db.session.rollback()
            db.session.commit()
        assert ran == [] and _job() is None
    finally:
        jobs.KINDS.pop("test-never")


def test_a_failing_job_says_so(app, client, login):
    owner = login(client, "coordinator")

    def _fail(params, progress):
        raise RuntimeError("disk full")

    jobs.KINDS["test-fail"] = _fail
    try:
        with app.test_request_context():
            job = jobs.start("test-fail", {}, owner=owner)
            db.session.commit()
        status = client.get(f"/jobs/{job.id}/status.json").get_json()
        assert status["state"] == "failed" and status["download"] is None
        assert client.get(f"/jobs/{job.id}/download").status_code == 404
    finally:
        jobs.KINDS.pop("test-fail")


def test_a_job_expires_after_a_day(app, client, login, small_threshold):
    competition = _registered_competition()
    login(client, "organiser")
    client.get(_export_url(competition))
    job = _job()
    assert job.expires_at - job.created_at == timedelta(days=1)
    db.session.execute(update(Job).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get(f"/jobs/{job.id}/download").status_code == 404
    result = app.test_cli_runner().invoke(args=["sweep"])
    assert result.exit_code == 0 and "expired jobs deleted: 1" in result.output
    assert _job() is None


def test_a_real_worker_runs_the_job_from_the_shared_queue(app, login):
    """huey's SQL storage on the test database, a consumer thread as ``make run`` starts."""
    real = create_app({
        "TESTING": True, "JOBS_IMMEDIATE": False, "EXPORT_JOB_ROWS": 1,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test-secret", "SERVER_NAME": None,
    })
    competition = _registered_competition()
    db.session.commit()
    client = real.test_client()
    login(client, "organiser")
    response = client.get(_export_url(competition))
    assert response.status_code == 302
    job_id = response.location.rsplit("/", 1)[1]
    with real.app_context():
        queue = real.extensions["registry_jobs"]
        assert queue.pending_count() == 1  # in huey_task, for any instance's worker
    from registry.jobs.worker import consumer

    worker = consumer(real)
    worker.start()
    try:
        deadline = time.monotonic() + 120  # a guard against a hang, not a timing
        state = None
        while time.monotonic() < deadline:
            state = client.get(f"/jobs/{job_id}/status.json").get_json()["state"]
            if state in ("done", "failed"):
                break
            time.sleep(0.2)
        assert state == "done"
    finally:
        worker.stop(graceful=True)
        with real.app_context():
            db.session.remove()
            real.extensions["registry_jobs"].storage.close()
            db.engine.dispose()
    file = client.get(f"/jobs/{job_id}/download")
    assert file.status_code == 200 and file.data.startswith(b"PK")
    assert json.loads(_job().params)["identifier"] == "participants"
