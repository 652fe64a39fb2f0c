"""The endpoints of ``/api/v1``: thin views that load, check and call the same operations and
queries as the web pages (``registry/services``, ``registry/importers``,
``registry/exporters``), with the same permissions (``@operation``: the role table and the
token's scope; ``access.require`` for the object) and the same audit (the token's name is
added to every entry, ``services/audit.py``).

CSRF: the blueprint is exempt (``registry/__init__`` wires ``csrf.exempt``) because no view
here takes its identity from a cookie: a request without a bearer token is 401 whatever
cookies it carries (``auth.py``).

The endpoints live in one module a resource, on this blueprint: ``competitions.py``,
``persons.py``, ``entries.py``, ``imports.py``, ``results.py`` (standings, awards, offers) and
``exports.py``; their shared helpers in ``helpers.py``, the shapes of the answers in
``serialisers.py``. Here: the blueprint, its frame (headers, error handlers) and ``/token``.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, g, request

from ..extensions import db
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..importers.base import ImportRefused
from ..services import ServiceError
from . import idempotency, schemas
from .auth import operation
from .helpers import _json, _problems
from .problems import (
    ApiProblem,
    from_http,
    from_problem,
    from_service_error,
    problem_response,
)

bp = Blueprint("api", __name__)
log = logging.getLogger(__name__)


# --- the blueprint's frame -----------------------------------------------------------------

@bp.after_request
def _finish(response: Response) -> Response:
    response = idempotency.finish(response)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.errorhandler(ApiProblem)
def _problem(error: ApiProblem):
    db.session.rollback()
    return from_problem(error)


@bp.errorhandler(ServiceError)
def _refused(error: ServiceError):
    return from_service_error(error)


@bp.errorhandler(ImportRefused)
def _import_refused(error: ImportRefused):
    db.session.rollback()
    return problem_response(422, _("Nothing was imported."), errors=_problems(error.problems),
                            slug="validation")


def _http_error(error):
    return from_http(error)


def _unexpected(error: Exception):
    from werkzeug.exceptions import HTTPException

    if isinstance(error, HTTPException):
        return from_http(error)
    log.exception("API request %s %s failed", request.method, request.path)
    db.session.rollback()
    return problem_response(500, _("Something went wrong on the server; nothing was saved."))


bp.register_error_handler(Exception, _unexpected)


# --- the token itself ----------------------------------------------------------------------

@bp.route("/token")
@operation(_l("The token of the request: its name, scopes, user and role"),
           permission="dashboard.view", response=schemas.TokenOut, tag="token")
def token_info():
    token = g.api_token
    return _json({"name": token.name, "scopes": sorted(token.scope_set),
                  "user": token.user.email, "role": token.user.role,
                  "expires_at": token.expires_at})


# The endpoints register on the same blueprint, in this order (the order of the rules, and so
# of the operations of a path in the OpenAPI document).
from . import competitions, persons, entries, imports, results, exports  # noqa: E402,F401,I001
