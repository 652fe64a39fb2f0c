"""Public reads without a token (issue 15, point 2): released competitions, their published
results and medal tables — only what the public pages show, read through the very functions
the public pages call (``services/public_results.py``: what is released, what is published,
and ``services/public_names.py``: how a person may be named). Nothing here decides anything of
its own: no second rule.

- No token, no session: the views never look at ``Authorization`` or at the session cookie
  (``@operation(permission=None)`` counts the request on its address only,
  ``ratelimit.py``), so the answer is the same for everyone and may be cached by anyone.
- Lists are paged with an opaque ``cursor``: the page after, signed with the application's
  secret (``itsdangerous``, which Flask already depends on) together with the filters and the
  limit it was made for, so a cursor that was altered is refused (400), never a 500. The order
  is the public list's (year, start, title, id: a total order).
- ``ETag`` / ``Last-Modified`` come from the public pages' validators
  (``public_results.released_with_validators`` / ``list_validators``); ``If-None-Match`` that
  names the current one is answered 304 before anything is read.
"""
from __future__ import annotations

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from marshmallow import Schema, fields, validate
from werkzeug.http import is_resource_modified

from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..models import STAGES
from ..services import public_results as pub
from ..services import reference as reference_service
from .auth import load, operation
from .helpers import _invalid, _json, _region
from .problems import ApiProblem
from .routes import bp

MAX_AGE = 300  # as the public pages
DEFAULT_LIMIT = pub.PAGE_SIZE
MAX_LIMIT = 100
MAX_CURSOR = 500  # characters; a longer one is not ours
FILTERS = ("kind", "year", "stage", "region")


# --- shapes --------------------------------------------------------------------------------

class PublicCompetitionsQuery(Schema):
    kind = fields.String(metadata={"description": "the kind's slug or short name"})
    year = fields.Integer(validate=validate.Range(min=1900, max=2999))
    stage = fields.String(validate=validate.OneOf(STAGES))
    region = fields.String(metadata={"description": "the host region: its id or name"})
    limit = fields.Integer(validate=validate.Range(min=1, max=MAX_LIMIT))
    cursor = fields.String(metadata={"description": "``next_cursor`` of the page before; "
                                                    "it carries the filters and the limit"})


class MedalsQuery(Schema):
    kind = fields.String(metadata={"description": "the kind's slug or short name"})
    year = fields.Integer(validate=validate.Range(min=1900, max=2999))
    stage = fields.String(validate=validate.OneOf(STAGES))


class PublicCompetitionOut(Schema):
    id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    year = fields.Integer()
    stage = fields.String()
    host_region = fields.String(allow_none=True)
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)


class PublicCompetitionPage(Schema):
    items = fields.List(fields.Nested(PublicCompetitionOut))
    total = fields.Integer()
    next_cursor = fields.String(allow_none=True)


class PublicCategorySummary(Schema):
    offered_category_id = fields.Integer()
    category = fields.String()
    results = fields.Integer()
    not_held = fields.String(allow_none=True)


class PublicCompetencySummary(Schema):
    offered_competency_id = fields.Integer()
    competency = fields.String()
    code = fields.String(allow_none=True)
    not_held = fields.String(allow_none=True)
    categories = fields.List(fields.Nested(PublicCategorySummary))


class PublicOverviewOut(Schema):
    competition = fields.Nested(PublicCompetitionOut)
    published_at = fields.DateTime(allow_none=True)
    competencies = fields.List(fields.Nested(PublicCompetencySummary))


class PublicPersonOut(Schema):
    name = fields.String(metadata={"description": "the full name only with the consent to "
                                                  "publication, else «Фамилия И. О.»"})
    region = fields.String()
    organisation = fields.String(allow_none=True)


class PublicRowOut(Schema):
    entry_id = fields.Integer()
    place = fields.Integer(allow_none=True)
    team = fields.String(allow_none=True)
    award = fields.String(allow_none=True)
    points = fields.String(allow_none=True)
    members = fields.List(fields.Nested(PublicPersonOut))


class PublicCategoryOut(Schema):
    offered_category_id = fields.Integer()
    category = fields.String()
    published_at = fields.DateTime(allow_none=True)
    not_held = fields.String(allow_none=True)
    rows = fields.List(fields.Nested(PublicRowOut))


class PublicResultsOut(Schema):
    competition_id = fields.Integer()
    offered_competency_id = fields.Integer()
    competency = fields.String()
    code = fields.String(allow_none=True)
    not_held = fields.String(allow_none=True)
    categories = fields.List(fields.Nested(PublicCategoryOut))


class MedalRowOut(Schema):
    region = fields.String()
    gold = fields.Integer()
    silver = fields.Integer()
    bronze = fields.Integer()
    medallion = fields.Integer()
    total = fields.Integer()


class MedalTableOut(Schema):
    competition_id = fields.Integer(allow_none=True)
    rows = fields.List(fields.Nested(MedalRowOut))


READ_ERRORS = (400, 404, 422)


# --- helpers -------------------------------------------------------------------------------

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="registry.api.public.cursor")


def _cursor(filters: dict, limit: int, page: int) -> str:
    return _serializer().dumps({"f": filters, "n": limit, "p": page})


def _bad_cursor() -> ApiProblem:
    return ApiProblem(400, _("The cursor is not valid: start again without it."),
                      errors=[{"field": "cursor", "detail": _("Not a valid cursor.")}],
                      slug="cursor")


def _read_cursor(text: str) -> tuple[dict, int, int]:
    if len(text) > MAX_CURSOR:
        raise _bad_cursor()
    try:
        value = _serializer().loads(text)
    except (BadSignature, UnicodeError, ValueError):
        raise _bad_cursor() from None
    # signed by us, but checked all the same (a secret shared by mistake must not be a 500)
    if not isinstance(value, dict) or not isinstance(value.get("f"), dict):
        raise _bad_cursor()
    filters, limit, page = value["f"], value.get("n"), value.get("p")
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in (limit, page)) \
            or not 1 <= limit <= MAX_LIMIT or not 1 <= page <= 10**6 \
            or set(filters) - set(FILTERS):
        raise _bad_cursor()
    return filters, limit, page


def _kind(text):
    if not text:
        return None
    kind = reference_service.find_kind(text) if len(text) <= 100 else None
    if kind is None:
        raise _invalid("kind", _("Unknown competition kind."))
    return kind.id


def _region_id(text):
    if not text:
        return None
    number = text.isascii() and text.isdigit() and len(text) < 10  # not «²», which int() refuses
    return _region(int(text) if number else text, "region").id


def _cached(validators, render):
    """``render()`` as JSON with the page's validators, or 304 when the client's copy is
    current; cacheable by anyone, as the public pages are."""
    etag, last_modified = validators
    if not is_resource_modified(request.environ, etag=etag, last_modified=last_modified):
        response = current_app.response_class(status=304)
    else:
        response = _json(render())
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response


def _args(schema) -> dict:
    return load(schema, {k: v for k, v in request.args.items() if k in schema._declared_fields})


def _competition(competition_id: int, name: str, offered_competency_id: int | None = None):
    """The released competition and the validators of the resource ``name`` (one query)."""
    competition, validators = pub.released_with_validators(
        competition_id, name, offered_competency_id=offered_competency_id)
    if competition is None:
        raise ApiProblem(404, _("Not found."))
    return competition, validators


def competition_out(c) -> dict:
    return {"id": c.id, "title": c.title, "kind": c.kind.slug, "year": c.year, "stage": c.stage,
            "host_region": c.host_region.name if c.host_region else None,
            "starts_on": c.starts_on, "ends_on": c.ends_on}


def _medals(rows, competition_id=None) -> dict:
    keys = ("region", *pub.MEDAL_KINDS, "total")
    return {"competition_id": competition_id, "rows": [dict(zip(keys, r, strict=True))
                                                       for r in rows]}


# --- the views -----------------------------------------------------------------------------

@bp.route("/public/competitions")
@operation(_l("Released competitions, latest year first (no token; filters: kind, year, "
              "stage, region; paged by cursor; ETag)"), permission=None,
           query=PublicCompetitionsQuery, response=PublicCompetitionPage, etag=True,
           tag="public", statuses=READ_ERRORS)
def public_competitions():
    args = _args(PublicCompetitionsQuery)
    if args.get("cursor"):  # an empty one is none: the first page
        filters, limit, page = _read_cursor(args["cursor"])
    else:
        filters = {k: str(args[k]) for k in FILTERS if args.get(k) not in (None, "")}
        limit, page = args.get("limit") or DEFAULT_LIMIT, 1
    # a cursor's filters are checked as the query's are: the rule is the same
    chosen = {"kind_id": _kind(filters.get("kind")),
              "year": _year(filters.get("year")),
              "stage": _stage(filters.get("stage")),
              "region_id": _region_id(filters.get("region"))}

    def render():
        found = pub.released_competitions(**chosen, page=page, per_page=limit)
        last = found.page < page  # past the end: the service shows the last page
        return {"items": [] if last else [competition_out(c) for c in found.items],
                "total": found.total,
                "next_cursor": _cursor(filters, limit, page + 1)
                if not last and found.has_next else None}

    return _cached(pub.list_validators("api.public_competitions", sorted(filters.items()),
                                       limit, page), render)


def _year(text):
    if text is None:
        return None
    if not str(text).isdigit() or len(str(text)) > 4:
        raise _bad_cursor()
    return int(text)


def _stage(text):
    if text is not None and text not in STAGES:
        raise _bad_cursor()
    return text


@bp.route("/public/competitions/<int:competition_id>")
@operation(_l("A released competition and what of it is published: its competencies and "
              "categories with the number of results each shows (no token; ETag)"),
           permission=None, response=PublicOverviewOut, etag=True, tag="public",
           statuses=READ_ERRORS)
def public_competition(competition_id: int):
    competition, validators = _competition(competition_id, "api.public_competition")

    def render():
        overview = pub.overview(competition)
        return {"competition": competition_out(competition),
                "published_at": overview.published_at,
                "competencies": [{
                    "offered_competency_id": oc.offered_competency_id, "competency": oc.name,
                    "code": oc.code, "not_held": oc.not_held,
                    "categories": [{"offered_category_id": c.offered_category_id,
                                    "category": c.category, "results": c.size,
                                    "not_held": c.not_held} for c in oc.categories]}
                    for oc in overview.competencies]}

    return _cached(validators, render)


@bp.route("/public/competitions/<int:competition_id>/competencies/<int:offered_competency_id>")
@operation(_l("The published results of one competency of a released competition, per "
              "category; people named as the public pages name them (no token; ETag)"),
           permission=None, response=PublicResultsOut, etag=True, tag="public",
           statuses=READ_ERRORS)
def public_results(competition_id: int, offered_competency_id: int):
    competition, validators = _competition(competition_id, "api.public_results",
                                           offered_competency_id)

    def render():
        results = pub.competency_results(competition, offered_competency_id)
        if results is None:
            raise ApiProblem(404, _("Not found."))
        return {"competition_id": competition.id,
                "offered_competency_id": results.offered_competency_id,
                "competency": results.name, "code": results.code,
                "not_held": results.not_held,
                "categories": [{
                    "offered_category_id": c.offered_category_id, "category": c.category,
                    "published_at": c.published_at, "not_held": c.not_held,
                    "rows": [{"entry_id": r.entry_id, "place": r.place, "team": r.team,
                              "award": r.award,
                              "points": str(r.points) if r.points is not None else None,
                              "members": [{"name": m.name, "region": m.region,
                                           "organisation": m.organisation}
                                          for m in r.members]} for r in c.rows]}
                    for c in results.categories]}

    return _cached(validators, render)


@bp.route("/public/competitions/<int:competition_id>/medals")
@operation(_l("The medal table by region of a released competition (no token; ETag)"),
           permission=None, response=MedalTableOut, etag=True, tag="public",
           statuses=READ_ERRORS)
def public_competition_medals(competition_id: int):
    competition, validators = _competition(competition_id, "api.public_medals")
    return _cached(validators,
                   lambda: _medals(pub.medal_table(competition_id=competition.id),
                                   competition.id))


@bp.route("/public/medals")
@operation(_l("The medal table by region of the released competitions the filters give "
              "(no token; filters: kind, year, stage; ETag)"), permission=None,
           query=MedalsQuery, response=MedalTableOut, etag=True, tag="public",
           statuses=READ_ERRORS)
def public_medals():
    args = _args(MedalsQuery)
    chosen = {"kind_id": _kind(args.get("kind")), "year": args.get("year"),
              "stage": args.get("stage")}
    return _cached(pub.list_validators("api.public_medals", sorted(chosen.items(),
                                                                   key=lambda kv: kv[0])),
                   lambda: _medals(pub.medal_table(**chosen)))

