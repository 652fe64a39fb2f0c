"""A job's page (its progress, then its file), the JSON the page polls, and the download;
only for the job's owner (404 for anyone else: a job's existence is not theirs to learn)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, render_template, url_for
from flask_login import current_user

from ..exporters.service import content_disposition
from ..extensions import db
from ..models import Job, utcnow
from ..security import requires

bp = Blueprint("jobs", __name__)


def _own_job(job_id: str) -> Job:
    job = db.session.get(Job, job_id) if len(job_id) == 32 else None
    if job is None or job.owner_id != current_user.id or job.expires_at <= utcnow():
        abort(404)
    return job


def status_of(job: Job) -> dict:
    percent = None
    if job.total:
        percent = min(100, int(100 * (job.done or 0) / job.total))
    if job.state == "done":
        percent = 100
    return {"state": job.state, "done": job.done, "total": job.total, "percent": percent,
            "download": url_for("jobs.download", job_id=job.id) if job.state == "done"
            else None}


@bp.route("/<job_id>")
@requires("jobs.own")
def status(job_id: str):
    job = _own_job(job_id)
    return render_template("jobs/status.html", job=job, status=status_of(job))


@bp.route("/<job_id>/status.json")
@requires("jobs.own")
def status_json(job_id: str):
    response = jsonify(status_of(_own_job(job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<job_id>/download")
@requires("jobs.own")
def download(job_id: str):
    job = _own_job(job_id)
    if job.state != "done" or job.content is None:
        abort(404)
    response = Response(job.content, mimetype=job.mimetype)
    response.headers["Content-Disposition"] = content_disposition(job.filename)
    response.headers["Cache-Control"] = "no-store"  # personal data
    return response
