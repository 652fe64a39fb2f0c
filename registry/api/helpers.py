"""The shared helpers of the ``/api/v1`` views: JSON answers with their ETag (304 on
``If-None-Match``, 409 on a stale ``If-Match``), paging, query arguments, loading by id (404),
validation problems (422), the object check of ``access`` for the token's user, and import
problems as problem-detail items."""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal

from flask import Response, g, request

from ..extensions import db
from ..i18n import gettext as _
from ..registration import queries as registration_queries
from ..services.regions import match_region
from . import schemas
from .auth import current_api_user, load
from .problems import ApiProblem


def _json(value, status: int = 200, headers: dict | None = None) -> Response:
    response = Response(json.dumps(value, ensure_ascii=False, default=_plain), status=status,
                        mimetype="application/json")
    for name, header in (headers or {}).items():
        response.headers[name] = header
    return response


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


def _etag(value: dict) -> str:
    canonical = json.dumps(value, ensure_ascii=False, sort_keys=True, default=_plain)
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


def _item(value: dict, status: int = 200, location: str | None = None) -> Response:
    """One resource with its ETag; 304 when the client's If-None-Match names it."""
    tag = _etag(value)
    if request.method == "GET" and request.if_none_match.contains_weak(tag[1:-1]):
        return Response(status=304, headers={"ETag": tag})
    headers = {"ETag": tag}
    if location:
        headers["Location"] = location
    return _json(value, status, headers)


def _check_if_match(current: dict) -> None:
    """A PATCH with ``If-Match`` applies only to the version the client has seen; another is
    409 (as the score sheets refuse a stale form)."""
    if request.if_match and not request.if_match.star_tag \
            and _etag(current)[1:-1] not in request.if_match:
        raise ApiProblem(409, _("The record was changed by someone else since you read it; "
                                "read it again and repeat the change."), slug="conflict",
                         headers={"ETag": _etag(current)})


def _page_args() -> tuple[int, int]:
    args = load(schemas.PageQuery, {k: v for k, v in request.args.items()
                                    if k in ("page", "per_page")})
    return args["page"], args["per_page"]


def _page(items: list, pagination) -> dict:
    return {"items": items, "page": {"page": pagination.page, "per_page": pagination.per_page,
                                     "total": pagination.total, "pages": pagination.pages}}


def _int_arg(name: str) -> int | None:
    text = request.args.get(name)
    if text is None or text == "":
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 10:  # «²» is a digit to str
        raise ApiProblem(422, _("The request has invalid fields."),
                         errors=[{"field": name, "detail": _("Not a valid id.")}],
                         slug="validation")
    return int(text)


def _get(model, object_id: int):
    found = db.session.get(model, object_id)
    if found is None:
        raise ApiProblem(404, _("Not found."))
    return found


def _invalid(field: str, detail: str) -> ApiProblem:
    return ApiProblem(422, detail, errors=[{"field": field, "detail": detail}],
                      slug="validation")


def _region(value, field: str):
    if value is None:
        return None
    if isinstance(value, bool):
        raise _invalid(field, _("Unknown region."))
    if isinstance(value, int):
        found = registration_queries.region(value) if 0 < value < 2**31 else None
    elif isinstance(value, str) and len(value) <= 300:
        found = match_region(value)
    else:
        found = None
    if found is None:
        raise _invalid(field, _("Unknown region."))
    return found


def _require(predicate, object_id: int) -> None:
    """``access.require`` for the token's user: 404 where existence would leak, else 403."""
    user = current_api_user()
    if not predicate(user, object_id):
        seen = predicate.seen(user, object_id)
        if not seen:
            raise ApiProblem(404, _("Not found."))
        raise ApiProblem(403, str(predicate.refusal), slug="forbidden")


def _created(value: dict, location: str) -> Response:
    return _item(value, 201, location)


def _problems(problems) -> list[dict]:
    """Import problems as problem-detail items: the row as the file numbers it, the column
    as it names it; for JSON rows, ``item`` is the index in ``rows`` (row 2 is item 0)."""
    items = []
    for p in problems:
        item = {"row": p.row, "column": p.column, "detail": p.message}
        if p.row is not None and getattr(g, "api_json_rows", False):
            item["item"] = p.row - 2
        items.append({k: v for k, v in item.items() if v is not None})
    return items
