"""``Idempotency-Key`` on the POSTs that create: a retried request (the answer was lost on
the way) gets the first answer again instead of registering twice.

The key is scoped per token. ``begin`` runs before the view: a stored answer for the same key
and the same request (method, path, body) is replayed; the same key with another request is
422. Otherwise a row is inserted and flushed at once, in the request's own transaction, so a
parallel request with the same key waits on (or is refused by) the unique constraint;
``finish`` stores the answer in that row. A request that failed rolls back its row with
everything else, and may be retried with the same key.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import Response, g, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..i18n import gettext as _
from ..models import ApiIdempotencyKey, utcnow
from .problems import ApiProblem

HEADER = "Idempotency-Key"
MAX_KEY = 200
KEEP = timedelta(days=1)  # a retry comes within minutes; older answers are forgotten


def _fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0" + request.path.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def begin(token) -> Response | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY or not key.isprintable() or not key.isascii():
        raise ApiProblem(422, _("The Idempotency-Key must be 1 to %(n)d printable ASCII "
                                "characters.", n=MAX_KEY),
                         errors=[{"field": HEADER, "detail": _("invalid.")}], slug="validation")
    fingerprint = _fingerprint()
    db.session.execute(delete(ApiIdempotencyKey).where(
        ApiIdempotencyKey.token_id == token.id, ApiIdempotencyKey.created_at < utcnow() - KEEP))
    stored = db.session.scalar(select(ApiIdempotencyKey).where(
        ApiIdempotencyKey.token_id == token.id, ApiIdempotencyKey.key == key))
    if stored is not None:
        if stored.fingerprint != fingerprint:
            raise ApiProblem(422, _("This Idempotency-Key was used for another request."),
                             errors=[{"field": HEADER, "detail": _("reused.")}],
                             slug="idempotency-key-reused")
        if not stored.status:
            raise ApiProblem(409, _("A request with this Idempotency-Key is still running."),
                             slug="conflict")
        response = Response(stored.body, status=stored.status, mimetype="application/json")
        response.headers["Idempotent-Replayed"] = "true"
        if stored.location:
            response.headers["Location"] = stored.location
        return response
    row = ApiIdempotencyKey(token_id=token.id, key=key, fingerprint=fingerprint, status=0,
                            body="")
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError as error:  # the problem handler rolls the request back
        raise ApiProblem(409, _("A request with this Idempotency-Key is still running."),
                         slug="conflict") from error
    g.api_idempotency = row
    return None


def finish(response: Response) -> Response:
    row = g.pop("api_idempotency", None)
    if row is not None and response.status_code < 400:
        row.status = response.status_code
        row.body = response.get_data(as_text=True)
        row.location = response.headers.get("Location")
        db.session.flush()
    return response
