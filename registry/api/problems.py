"""Errors of the API as RFC 9457 problem details (``application/problem+json``).

Every refusal of an API request, whatever raised it (a view, an operation's ``ServiceError``
or ``NotAllowed``, Werkzeug's 404/405/413, a body that is not JSON), is answered here:
``type``, ``title``, ``status``, ``detail`` and, where it applies, ``errors``: a list of
``{"field": …, "row": …, "column": …, "detail": …}``.
"""
from __future__ import annotations

import json

from flask import Response
from werkzeug.exceptions import HTTPException

from ..extensions import db
from ..i18n import gettext as _

MIMETYPE = "application/problem+json"

TITLES = {
    400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
    405: "Method not allowed", 406: "Not acceptable", 409: "Conflict",
    413: "Content too large", 415: "Unsupported media type", 422: "Unprocessable content",
    429: "Too many requests", 500: "Internal server error",
}


class ApiProblem(Exception):
    def __init__(self, status: int, detail: str, *, errors: list[dict] | None = None,
                 headers: dict | None = None, slug: str | None = None):
        super().__init__(detail)
        self.status, self.detail = status, str(detail)
        self.errors = errors or []
        self.headers = headers or {}
        self.slug = slug


def problem_response(status: int, detail: str, *, errors: list[dict] | None = None,
                     headers: dict | None = None, slug: str | None = None,
                     extra: dict | None = None) -> Response:
    """``extra``: extension members (RFC 9457 §3.2), e.g. an import preview's rows."""
    body = {
        "type": f"urn:registry:problem:{slug or status}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": str(detail),
    }
    if errors:
        body["errors"] = errors
    for name, value in (extra or {}).items():
        body.setdefault(name, value)
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=MIMETYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_problem(error: ApiProblem) -> Response:
    return problem_response(error.status, error.detail, errors=error.errors,
                            headers=error.headers, slug=error.slug)


DEFAULT_DETAILS = {
    400: lambda: _("The request cannot be read."),
    404: lambda: _("Not found."),
    405: lambda: _("This method is not allowed here."),
    413: lambda: _("The request is too large."),
    500: lambda: _("Something went wrong on the server; nothing was saved."),
}


def from_http(error: HTTPException) -> Response:
    db.session.rollback()
    code = error.code or 500
    detail = DEFAULT_DETAILS.get(code, lambda: error.description or "")()
    headers = {}
    if code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    return problem_response(code, detail, headers=headers)


def from_service_error(error) -> Response:
    """A rule refused: 422 on its field (``NotAllowed``: 404 or 403)."""
    from ..access import NotAllowed

    db.session.rollback()
    if isinstance(error, NotAllowed):
        if error.hidden:
            return problem_response(404, DEFAULT_DETAILS[404]())
        return problem_response(403, error.message, slug="forbidden")
    errors = [{"field": error.field, "detail": error.message}] if error.field else None
    return problem_response(422, error.message, errors=errors, slug="validation")


def is_api_path(path: str) -> bool:
    return path == "/api/v1" or path.startswith("/api/v1/")
