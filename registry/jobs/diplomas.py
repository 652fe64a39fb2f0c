"""The diploma batch as a job: a competition with more diplomas than ``DIPLOMA_JOB_SIZE``
(default 30, a few seconds of drawing) is drawn by a worker, with its progress on the job's page,
and the file is kept for its owner for a day.

The diplomas are issued in the request (their codes and the audit entry are the request's
transaction, as for a small batch); the job only draws them, so it writes nothing but its own
row (``runner``)."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Diploma
from ..services.diplomas.bulk import render, zip_of
from . import Output, job_kind, start

DEFAULT_SIZE = 30
MIMETYPES = {"pdf": "application/pdf", "zip": "application/zip"}


def job_size() -> int:
    return int(current_app.config.get("DIPLOMA_JOB_SIZE", DEFAULT_SIZE))


def start_drawing(diplomas: list[Diploma], fmt: str, stem: str, *, base: str, owner,
                  label: str):
    return start("diplomas", {"ids": [d.id for d in diplomas], "format": fmt, "stem": stem,
                              "base": base},
                 owner=owner, label=label, total=len(diplomas))


@job_kind("diplomas")
def draw(params: dict, progress) -> Output:
    ids = params["ids"]
    found = {d.id: d for d in db.session.scalars(select(Diploma).where(Diploma.id.in_(ids)))}
    diplomas = [found[i] for i in ids if i in found]  # in the order they were issued
    pdf = render(diplomas, progress, base=params["base"])
    fmt = params["format"]
    content = zip_of(diplomas, pdf) if fmt == "zip" else pdf
    return Output(f"{params['stem']}.{fmt}", MIMETYPES[fmt], content)
