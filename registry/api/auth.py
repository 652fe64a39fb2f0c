"""Who is asking, and may they: the bearer token, the rate limits, the role permission and
the token's scope of every API view.

The API authenticates by ``Authorization: Bearer <token>`` only: it never reads the session
cookie for identity (Flask-Login's ``current_user`` is not consulted on ``/api/v1``), so a
browser's cookies cannot make a cross-site request act for its user; that is why the
blueprint is exempt from CSRF protection (``routes.py``). A token acts as its user — the
user's role (``security.PERMISSIONS``) and assignments (``access.py``), never more — and
further limited by its scopes: ``read`` for every GET, ``register`` for writes of
competitions, offers, persons, entries and the participants import, ``results`` for the
results import.

Every view declares itself with ``@operation(...)``: the permission and scope it needs, the
schema of its body and answer and its summary; the OpenAPI document is built from these
declarations (``openapi.py``), and the permission-matrix test walks them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import wraps

from flask import g, request
from marshmallow import ValidationError

from .. import security
from ..i18n import gettext as _
from ..models import utcnow
from . import idempotency, ratelimit, tokens
from .problems import ApiProblem


@dataclass
class Operation:
    summary: str
    permission: str | None      # None: no token needed (the document, its page)
    scope: str | None
    body: object = None         # a marshmallow schema (class) of the JSON body
    response: object = None     # a marshmallow schema (class) of the answer
    many: bool = False          # the answer is a page of ``response`` items
    query: object = None        # a marshmallow schema (class) of the query string
    creates: bool = False       # honours Idempotency-Key; answers 201
    upload: bool = False        # also takes a multipart ``file``
    tag: str = ""
    statuses: tuple[int, ...] = field(default_factory=tuple)
    etag: bool = False          # answers with an ETag; PATCH honours If-Match
    produces: str = "application/json"


def operation(summary: str, *, permission: str | None, scope: str | None = None, **options):
    if permission is not None and permission not in security.PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    described = Operation(summary, permission, scope, **options)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if described.permission is None:
                limit()
            else:
                _check(described)
                if described.creates and request.method == "POST":
                    replayed = idempotency.begin(g.api_token)
                    if replayed is not None:
                        return replayed
            return view(*args, **kwargs)

        wrapped.api_operation = described
        wrapped.authenticates_by_token = True
        return wrapped

    return decorator


def client_address() -> str:
    return request.remote_addr or "unknown"


def _too_many(wait: float) -> ApiProblem:
    return ApiProblem(429, _("Too many requests; try again in %(n)d s.", n=int(wait)),
                      headers={"Retry-After": str(int(wait))}, slug="rate-limited")


def limit(token=None) -> None:
    """Count the request on its address and, when it carries a valid token, on the token
    (one transaction); 429 over either limit. A request with a missing or bad token counts
    on its address, so guessing is slowed down too."""
    token_limit, address_limit, window = ratelimit.limits()
    counters = [(ratelimit.address_key(client_address()), address_limit)]
    if token is not None:
        counters.append((ratelimit.token_key(token.id), token_limit))
    wait = ratelimit.hit_all(counters, window)
    if wait:
        raise _too_many(wait)


def _unauthorized(detail: str) -> ApiProblem:
    return ApiProblem(401, detail, slug="unauthorized",
                      headers={"WWW-Authenticate": 'Bearer realm="registry"'})


def authenticate():
    """The token of the request and its user, or a 401 problem."""
    header = request.headers.get("Authorization", "")
    scheme, _space, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        limit()
        raise _unauthorized(_("An API token is required: Authorization: Bearer <token>."))
    token = tokens.find_by_secret(secret.strip())
    refusal = None
    if token is None:
        refusal = _("The API token is not valid.")
    elif tokens.state(token) == "revoked":
        refusal = _("The API token was revoked.")
    elif tokens.state(token) == "expired":
        refusal = _("The API token has expired.")
    elif not token.user.active:
        refusal = _("The user of this API token is deactivated.")
    limit(None if refusal else token)
    if refusal:
        raise _unauthorized(refusal)
    now = utcnow()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now  # committed with the request (a GET that succeeds too)
    g.api_token, g.api_user = token, token.user
    g.api_token_name = token.name  # every audit entry of this request names it
    return token


def _check(described: Operation) -> None:
    token = authenticate()
    user = token.user
    if described.scope is not None and described.scope not in token.scope_set:
        raise ApiProblem(403, _("This API token lacks the scope «%(scope)s».",
                                scope=described.scope), slug="scope")
    if not security.has_permission(user, described.permission):
        raise ApiProblem(403, _("Your role may not do this."), slug="forbidden")


def current_api_user():
    return g.get("api_user")


def parse_body(schema_class, *, partial: bool = False) -> dict:
    """The JSON body validated by ``schema_class``; 415/400/422 problems otherwise."""
    if not request.is_json:
        raise ApiProblem(415, _("Send the body as JSON (Content-Type: application/json)."))
    data = request.get_json(silent=True)
    if data is None:
        raise ApiProblem(400, _("The body is not valid JSON."))
    return load(schema_class, data, partial=partial)


def load(schema_class, data, *, partial: bool = False) -> dict:
    try:
        return schema_class().load(data, partial=partial)
    except ValidationError as error:
        raise ApiProblem(422, _("The request has invalid fields."),
                         errors=flatten(error.messages), slug="validation") from error


def flatten(messages, prefix: str = "") -> list[dict]:
    found: list[dict] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                name = prefix or None
            found += flatten(value, name)
    elif isinstance(messages, list):
        if all(isinstance(m, str) for m in messages):
            found += [{"field": prefix or None, "detail": str(m)} for m in messages]
        else:
            for item in messages:
                found += flatten(item, prefix)
    else:
        found.append({"field": prefix or None, "detail": str(messages)})
    return found


