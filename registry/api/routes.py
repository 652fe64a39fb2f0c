"""The endpoints of ``/api/v1``: thin views that load, check and call the same operations and
queries as the web pages (``registry/services``, ``registry/importers``,
``registry/exporters``), with the same permissions (``@operation``: the role table and the
token's scope; ``access.require`` for the object) and the same audit (the token's name is
added to every entry, ``services/audit.py``).

CSRF: the blueprint is exempt (``registry/__init__`` wires ``csrf.exempt``) because no view
here takes its identity from a cookie: a request without a bearer token is 401 whatever
cookies it carries (``auth.py``).
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
from datetime import date, datetime
from decimal import Decimal

from flask import Blueprint, Response, g, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import access
from ..exporters import service as export_service
from ..exporters.base import EXPORTERS
from ..extensions import db
from ..importers import participants as participants_import
from ..importers import results as results_import
from ..importers.base import ImportRefused
from ..models import Competency, Competition, Entry, HealthRecord, Person
from ..registration import queries as registration_queries
from ..security import has_permission
from ..services import ServiceError
from ..services import competitions as competition_service
from ..services import offers as offer_service
from ..services import reference as reference_service
from ..services import registration as reg
from ..services import results as results_service
from ..services.person_numbers import format_number
from ..services.regions import match_region
from ..text import UncleanText, clean
from . import idempotency, queries, schemas
from .auth import current_api_user, load, operation, parse_body
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


# --- helpers -------------------------------------------------------------------------------

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


# --- serialisers ---------------------------------------------------------------------------

def competition_out(c: Competition) -> dict:
    return {
        "id": c.id, "title": c.title, "kind": c.kind.slug, "year": c.year, "stage": c.stage,
        "host_region_id": c.host_region_id,
        "host_region": c.host_region.name if c.host_region else None,
        "starts_on": c.starts_on, "ends_on": c.ends_on, "status": c.status,
        "medallion_threshold": str(c.medallion_threshold)
        if c.medallion_threshold is not None else None,
        "time_zone": c.time_zone,
    }


def person_out(p: Person, *, health: bool = False) -> dict:
    value = {
        "id": p.id, "number": format_number(p.number), "last_name": p.last_name,
        "first_name": p.first_name, "middle_name": p.middle_name, "birth_date": p.birth_date,
        "region_id": p.region_id,
        "region": p.region.name, "organisation_id": p.organisation_id,
        "organisation": p.organisation.name if p.organisation else None,
        "email": p.email, "phone": p.phone, "consent_date": p.consent_date,
        "guardian_name": p.guardian_name, "guardian_consent_date": p.guardian_consent_date,
    }
    if health:  # special-category data: only roles that see it on the person's page
        record = db.session.get(HealthRecord, p.id)
        value["health"] = None if record is None else {
            "disability_group": record.disability_group, "notes": record.notes,
            "written_consent_date": record.written_consent_date}
    return value


def _full_name(p: Person) -> str:
    return " ".join(x for x in (p.last_name, p.first_name, p.middle_name) if x)


def entry_out(e: Entry) -> dict:
    offered = e.offered_category
    return {
        "id": e.id, "competition_id": offered.offered_competency.competition_id,
        "offered_category_id": offered.id,
        "competency": offered.offered_competency.competency.name,
        "category": offered.category.name, "team_name": e.team_name, "status": e.status,
        "status_reason": e.status_reason,
        "members": [{"person_id": m.person_id, "name": _full_name(m.person)}
                    for m in e.members],
    }


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


# --- the token itself ----------------------------------------------------------------------

@bp.route("/token")
@operation(_l("The token of the request: its name, scopes, user and role"),
           permission="dashboard.view", response=schemas.TokenOut, tag="token")
def token_info():
    token = g.api_token
    return _json({"name": token.name, "scopes": sorted(token.scope_set),
                  "user": token.user.email, "role": token.user.role,
                  "expires_at": token.expires_at})


# --- competitions --------------------------------------------------------------------------

@bp.route("/competitions")
@operation(_l("Competitions, newest first (filters: kind, year, stage, status)"),
           permission="competitions.view", scope="read", response=schemas.CompetitionOut,
           many=True, tag="competitions")
def competitions():
    kind = reference_service.find_kind(request.args["kind"]) if request.args.get("kind") \
        else None
    if request.args.get("kind") and kind is None:
        raise _invalid("kind", _("Unknown competition kind."))
    year = _int_arg("year")
    rows = competition_service.list_competitions(
        kind_id=kind.id if kind else None, year=year,
        stage=request.args.get("stage") or None, status=request.args.get("status") or None)
    page, per_page = _page_args()
    chosen = rows[(page - 1) * per_page: page * per_page]
    pages = max(1, -(-len(rows) // per_page))
    return _json({"items": [competition_out(r.competition) for r in chosen],
                  "page": {"page": page, "per_page": per_page, "total": len(rows),
                           "pages": pages}})


def _competition_data(body: dict, current: Competition | None = None):
    kind = reference_service.find_kind(body["kind"]) if body.get("kind") else None
    if kind is None:
        raise _invalid("kind", _("Unknown competition kind."))
    threshold = body.get("medallion_threshold")
    return competition_service.CompetitionData(
        kind=kind, year=body["year"], stage=body["stage"],
        host_region=_region(body.get("host_region"), "host_region"),
        title=body.get("title"), starts_on=body.get("starts_on"), ends_on=body.get("ends_on"),
        status=body.get("status") or "draft",
        medallion_threshold=Decimal(threshold) if threshold is not None else None,
        time_zone=body.get("time_zone"))


def _raise_problems(problems: list[ServiceError]) -> None:
    if problems:
        raise ApiProblem(422, problems[0].message, slug="validation",
                         errors=[{"field": p.field, "detail": p.message} for p in problems])


@bp.route("/competitions", methods=["POST"])
@operation(_l("Create a competition (as the competition form)"), permission="competitions.manage",
           scope="register", body=schemas.CompetitionIn, response=schemas.CompetitionOut,
           creates=True, tag="competitions")
def competition_create():
    data = _competition_data(parse_body(schemas.CompetitionIn))
    _raise_problems(competition_service.competition_problems(data))
    competition = competition_service.create_competition(data, actor=current_api_user())
    return _created(competition_out(competition),
                    url_for("api.competition", competition_id=competition.id))


@bp.route("/competitions/<int:competition_id>")
@operation(_l("One competition (ETag)"), permission="competitions.view", scope="read",
           response=schemas.CompetitionOut, etag=True, tag="competitions")
def competition(competition_id: int):
    return _item(competition_out(_get(Competition, competition_id)))


def _competition_body(c: Competition) -> dict:
    out = competition_out(c)
    return {"kind": out["kind"], "year": out["year"], "stage": out["stage"],
            "host_region": out["host_region_id"], "title": out["title"],
            "starts_on": out["starts_on"], "ends_on": out["ends_on"], "status": out["status"],
            "medallion_threshold": out["medallion_threshold"], "time_zone": out["time_zone"]}


@bp.route("/competitions/<int:competition_id>", methods=["PATCH"])
@operation(_l("Change a competition: the fields given (If-Match: its ETag, else 409)"),
           permission="competitions.manage", scope="register", body=schemas.CompetitionIn,
           response=schemas.CompetitionOut, etag=True, tag="competitions")
def competition_update(competition_id: int):
    competition = _get(Competition, competition_id)
    _check_if_match(competition_out(competition))
    changes = parse_body(schemas.CompetitionIn, partial=True)
    body = {**_competition_body(competition), **changes}
    if isinstance(body.get("medallion_threshold"), str):
        body["medallion_threshold"] = Decimal(body["medallion_threshold"])
    data = _competition_data(body, competition)
    _raise_problems(competition_service.competition_problems(data))
    competition_service.update_competition(competition, data, actor=current_api_user())
    return _item(competition_out(competition))


@bp.route("/competitions/<int:competition_id>/competencies")
@operation(_l("What a competition offers: competencies and their categories"),
           permission="competitions.view", scope="read", response=schemas.OfferedCompetencyOut,
           many=True, tag="competitions")
def offerings(competition_id: int):
    competition = _get(Competition, competition_id)
    return _json({"items": [_offering_out(row) for row in
                            competition_service.offerings(competition)]})


def _offering_out(row) -> dict:
    oc = row.offered
    return {"offered_competency_id": oc.id, "competency_id": oc.competency_id,
            "competency": oc.competency.name, "is_team": oc.is_team,
            "team_min": oc.team_min, "team_max": oc.team_max,
            "categories": [{"offered_category_id": cat.id, "category_id": cat.category_id,
                            "name": cat.category.name, "entries": n}
                           for cat, n in row.categories]}


def _by_id_or_name(value, field: str, by_id, by_name):
    found = None
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31:
        found = by_id(value)
    elif isinstance(value, str) and 0 < len(value) <= 300:
        found = by_name(value)
    if found is None:
        raise _invalid(field, _("Not found: %(value)s.", value=str(value)[:100]))
    return found


@bp.route("/competitions/<int:competition_id>/competencies", methods=["POST"])
@operation(_l("Offer a competency in categories (as the offer form; idempotent)"),
           permission="competitions.manage", scope="register", body=schemas.OfferIn,
           response=schemas.OfferedCompetencyOut, many=True, creates=True,
           tag="competitions")
def offer(competition_id: int):
    competition = _get(Competition, competition_id)
    body = parse_body(schemas.OfferIn)
    competency = _by_id_or_name(body["competency"], "competency",
                                lambda i: db.session.get(Competency, i),
                                reference_service.find_competency)
    kind_categories = {c.id: c for c in competition.kind.categories}
    by_name = {c.name.casefold(): c for c in competition.kind.categories}
    categories = [
        _by_id_or_name(value, f"categories.{n}", kind_categories.get,
                       lambda name: by_name.get(name.strip().casefold()))
        for n, value in enumerate(body["categories"])]
    competition_service.offer_categories(competition, competency, categories,
                                         actor=current_api_user())
    return _json({"items": [_offering_out(row) for row in
                            competition_service.offerings(competition)]}, 201)


# --- persons -------------------------------------------------------------------------------

def _sees_health() -> bool:
    return has_permission(current_api_user(), "health.view")


@bp.route("/persons")
@operation(_l("Persons, by name (filters: q, region_id, organisation_id); personal data"),
           permission="persons.view", scope="read", response=schemas.PersonOut, many=True,
           tag="persons")
def persons():
    page, per_page = _page_args()
    q = (request.args.get("q") or "").strip()[:200]
    found = registration_queries.persons(q=q, region_id=_int_arg("region_id"),
                                         organisation_id=_int_arg("organisation_id"),
                                         page=page, per_page=per_page)
    return _json(_page([person_out(row[0]) for row in found.items], found))


def _person_data(body: dict) -> reg.PersonData:
    region = _region(body.get("region"), "region")
    organisation = None
    if body.get("organisation"):
        organisation, _created_now = reg.get_or_create_organisation(
            body["organisation"], region, actor=current_api_user())
    return reg.PersonData(
        last_name=body["last_name"], first_name=body["first_name"],
        middle_name=body.get("middle_name"), birth_date=body["birth_date"], region=region,
        organisation=organisation, email=body.get("email"), phone=body.get("phone"),
        consent_date=body.get("consent_date"), guardian_name=body.get("guardian_name"),
        guardian_consent_date=body.get("guardian_consent_date"))


@bp.route("/persons", methods=["POST"])
@operation(_l("Register a person (as the person form); 409 with the other's id when the same "
           "name and birth date exist"), permission="persons.manage", scope="register",
           body=schemas.PersonIn, response=schemas.PersonOut, creates=True, tag="persons")
def person_create():
    body = parse_body(schemas.PersonIn)
    existing = reg.find_person(body["last_name"] or "", body["first_name"] or "",
                               body.get("middle_name"), body["birth_date"])
    if existing is not None:
        raise ApiProblem(409, _("This person is already registered (same name and birth "
                                "date)."), slug="duplicate",
                         headers={"Location": url_for("api.person", person_id=existing.id)})
    person = reg.create_person(_person_data(body), actor=current_api_user())
    return _created(person_out(person, health=_sees_health()),
                    url_for("api.person", person_id=person.id))


@bp.route("/persons/<int:person_id>")
@operation(_l("One person with personal data (health data only for roles that see it; ETag)"),
           permission="persons.view", scope="read", response=schemas.PersonOut, etag=True,
           tag="persons")
def person(person_id: int):
    return _item(person_out(_get(Person, person_id), health=_sees_health()))


@bp.route("/persons/<int:person_id>", methods=["PATCH"])
@operation(_l("Change a person: the fields given (If-Match: its ETag, else 409)"),
           permission="persons.manage", scope="register", body=schemas.PersonIn,
           response=schemas.PersonOut, etag=True, tag="persons")
def person_update(person_id: int):
    person = _get(Person, person_id)
    _check_if_match(person_out(person, health=_sees_health()))
    current = person_out(person)
    changes = parse_body(schemas.PersonIn, partial=True)
    body = {**{k: current[k] for k in ("last_name", "first_name", "middle_name", "birth_date",
                                       "email", "phone", "consent_date", "guardian_name",
                                       "guardian_consent_date", "organisation")},
            "region": current["region_id"], **changes}
    other = reg.find_person(body["last_name"] or "", body["first_name"] or "",
                            body.get("middle_name"), body["birth_date"])
    if other is not None and other.id != person.id:
        raise ApiProblem(409, _("This person is already registered (same name and birth "
                                "date)."), slug="duplicate",
                         headers={"Location": url_for("api.person", person_id=other.id)})
    reg.update_person(person, _person_data(body), actor=current_api_user())
    return _item(person_out(person, health=_sees_health()))


# --- entries -------------------------------------------------------------------------------

@bp.route("/competitions/<int:competition_id>/entries")
@operation(_l("The entries of a competition with their members"), permission="persons.view",
           scope="read", response=schemas.EntryOut, many=True, tag="entries")
def entries(competition_id: int):
    competition = _get(Competition, competition_id)
    page, per_page = _page_args()
    found = queries.competition_entries(competition.id, page=page, per_page=per_page)
    return _json(_page([entry_out(e) for e in found.items], found))


@bp.route("/competitions/<int:competition_id>/entries", methods=["POST"])
@operation(_l("Register persons in an offered category: one person, or a team with its name "
           "(as the registration form)"), permission="persons.manage", scope="register",
           body=schemas.EntryIn, response=schemas.EntryOut, creates=True, tag="entries")
def entry_create(competition_id: int):
    competition = _get(Competition, competition_id)
    body = parse_body(schemas.EntryIn)
    offered = registration_queries.offered_in(competition, body["offered_category_id"])
    if offered is None:
        raise _invalid("offered_category_id",
                       _("This category is not offered for this competency."))
    persons_found = registration_queries.persons_by_id(body["person_ids"])
    if len(persons_found) != len(set(body["person_ids"])):
        raise _invalid("person_ids", _("Not found: %(value)s.", value=", ".join(
            str(i) for i in sorted(set(body["person_ids"]) - {p.id for p in persons_found}))))
    order = {pid: n for n, pid in enumerate(body["person_ids"])}
    persons_found.sort(key=lambda p: order[p.id])
    if len(body["person_ids"]) != len(set(body["person_ids"])):
        raise _invalid("person_ids", _("A person appears twice in the team."))
    entry = reg.register(offered, persons_found, team_name=body.get("team_name"),
                         actor=current_api_user())
    return _created(entry_out(entry), url_for("api.entry", entry_id=entry.id))


@bp.route("/entries/<int:entry_id>")
@operation(_l("One entry (ETag)"), permission="persons.view", scope="read",
           response=schemas.EntryOut, etag=True, tag="entries")
def entry(entry_id: int):
    return _item(entry_out(_get(Entry, entry_id)))


@bp.route("/entries/<int:entry_id>", methods=["PATCH"])
@operation(_l("Withdraw, disqualify (with a reason) or reinstate an entry (If-Match)"),
           permission="persons.manage", scope="register", body=schemas.EntryStatusIn,
           response=schemas.EntryOut, etag=True, tag="entries")
def entry_update(entry_id: int):
    entry = _get(Entry, entry_id)
    _check_if_match(entry_out(entry))
    body = parse_body(schemas.EntryStatusIn)
    reg.set_status(entry, body["status"], body.get("reason"), actor=current_api_user())
    return _item(entry_out(entry))


# --- imports -------------------------------------------------------------------------------

def _unclean_cells(rows: list[dict]) -> list[dict]:
    """Control characters and bidi overrides in JSON rows, named by row, item and column, as
    the import names them in a file's cells (a CSV made of them would not read as text)."""
    found = []
    for n, item in enumerate(rows):
        for key, value in item.items():
            for text in (key, value if isinstance(value, str) else None):
                if text is None:
                    continue
                try:
                    clean(text, multiline=True)
                except UncleanText as error:
                    found.append({"row": n + 2, "item": n, "column": key[:200],
                                  "detail": error.message})
                    break
            if len(found) >= 1000:
                return found
    return found


def _import_data() -> tuple[bytes, str | None]:
    """The file of a multipart upload (``file``), or the JSON ``rows`` written as the CSV file
    the web import would read (same reader, same rows, same problems; row 1 is the header)."""
    if request.files:
        upload = request.files.get("file")
        if upload is None:
            raise _invalid("file", _("Send the spreadsheet as the form field «file»."))
        return upload.read(), (upload.filename or "")[:200] or None
    body = parse_body(schemas.ImportIn)
    g.api_json_rows = True
    if unclean := _unclean_cells(body["rows"]):
        raise ApiProblem(422, _("The file has problems; nothing would be imported."),
                         errors=unclean, slug="validation")
    headers: list[str] = []
    for item in body["rows"]:
        for key in item:
            if key not in headers:
                headers.append(key)
    if len(headers) > 100:
        raise _invalid("rows", _("Too many columns."))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(headers)
    for n, item in enumerate(body["rows"]):
        values = []
        for key in headers:
            value = item.get(key)
            if isinstance(value, dict | list):
                raise ApiProblem(422, _("The request has invalid fields."), slug="validation",
                                 errors=[{"field": f"rows.{n}.{key}", "row": n + 2, "item": n,
                                          "detail": _("A cell holds text, a number or "
                                                      "null.")}])
            values.append("" if value is None else
                          ("TRUE" if value is True else "FALSE" if value is False
                           else str(value)))
        writer.writerow(values)
    return buffer.getvalue().encode("utf-8"), None


def _participant_rows(plan) -> list[dict]:
    return [{"row": row.number, "ok": row.ok, "person": row.person_status,
             "entry": row.entry_status} for row in plan.rows[:1000]]


def _import_answer(plan, *, written: bool, counts: dict | None, rows) -> dict:
    return {"ok": plan.ok, "written": written, "rows": len(plan.rows), "counts": counts or {},
            "problems": _problems(plan.problems), "preview": rows}


def _preview_problem(plan, counts: dict, rows: list) -> Response:
    """A preview with problems: 422 problem details whose ``errors`` are the plan's problems
    (row and column), with the preview of every row as extension members."""
    return problem_response(
        422, _("The file has problems; nothing would be imported."), slug="validation",
        errors=_problems(plan.problems),
        extra={"ok": False, "written": False, "rows": len(plan.rows), "counts": counts,
               "preview": rows})


def _participants(competition_id: int, *, confirm: bool):
    competition = _get(Competition, competition_id)
    data, filename = _import_data()
    plan = participants_import.build_plan(competition, data, filename=filename)
    if not plan.ok:
        if confirm:
            raise ApiProblem(422, _("Nothing was imported."), slug="validation",
                             errors=_problems(plan.problems) or [
                                 {"detail": _("The file has a header but no rows of "
                                              "participants.")}])
        return _preview_problem(plan, plan.counts.as_dict(), _participant_rows(plan))
    if not confirm:
        return _json(_import_answer(plan, written=False, counts=plan.counts.as_dict(),
                                    rows=_participant_rows(plan)))
    counts = participants_import.apply(plan, actor=current_api_user())
    return _json(_import_answer(plan, written=True, counts=counts.as_dict(),
                                rows=_participant_rows(plan)), 201)


@bp.route("/competitions/<int:competition_id>/imports/participants/preview", methods=["POST"])
@operation(_l("Check a participants import (JSON rows or a file): every row and its problems; "
           "writes nothing"), permission="competitions.manage", scope="register",
           body=schemas.ImportIn, upload=True, response=schemas.ImportResult,
           statuses=(422,), tag="imports")
def participants_preview(competition_id: int):
    return _participants(competition_id, confirm=False)


@bp.route("/competitions/<int:competition_id>/imports/participants", methods=["POST"])
@operation(_l("Import participants (JSON rows or a file): the plan is built again and written "
           "all or nothing; 422 with row-numbered problems"), permission="competitions.manage",
           scope="register", body=schemas.ImportIn, upload=True, response=schemas.ImportResult,
           creates=True, tag="imports")
def participants_confirm(competition_id: int):
    return _participants(competition_id, confirm=True)


def _results(competition_id: int, *, confirm: bool):
    competition = _get(Competition, competition_id)
    data, filename = _import_data()
    plan = results_import.build_plan(competition, data, filename=filename)
    rows = [{"row": row.number, "ok": row.ok} for row in plan.rows[:1000]]
    if not plan.ok:
        if confirm:
            raise ApiProblem(422, _("Nothing was imported."), slug="validation",
                             errors=_problems(plan.problems) or [
                                 {"detail": _("No results to import.")}])
        return _preview_problem(plan, {}, rows)
    if not confirm:
        return _json(_import_answer(plan, written=False,
                                    counts={"results": len(plan.results)}, rows=rows))
    count = results_import.apply(plan, actor=current_api_user())
    return _json(_import_answer(plan, written=True, counts={"results": count}, rows=rows), 201)


@bp.route("/competitions/<int:competition_id>/imports/results/preview", methods=["POST"])
@operation(_l("Check a results protocol (JSON rows or a file); writes nothing"),
           permission="results.import", scope="results", body=schemas.ImportIn, upload=True,
           response=schemas.ImportResult, statuses=(422,), tag="imports")
def results_preview(competition_id: int):
    return _results(competition_id, confirm=False)


@bp.route("/competitions/<int:competition_id>/imports/results", methods=["POST"])
@operation(_l("Import a results protocol, all or nothing"), permission="results.import",
           scope="results", body=schemas.ImportIn, upload=True, response=schemas.ImportResult,
           creates=True, tag="imports")
def results_confirm(competition_id: int):
    return _results(competition_id, confirm=True)


# --- results -------------------------------------------------------------------------------

@bp.route("/competitions/<int:competition_id>/standings")
@operation(_l("The standings as the results page shows them (published categories as "
           "published); an expert sees only the competencies they are assigned to"),
           permission="results.view", scope="read", response=schemas.Standings,
           tag="results")
def standings(competition_id: int):
    competition = db.session.get(Competition, competition_id)
    if competition is None:
        raise ApiProblem(404, _("Not found."))
    _require(access.can_view_results, competition.id)
    user = current_api_user()
    found = results_service.published_standings(competition)
    categories = []
    for cat in found.categories:
        oc_id = cat.offered.offered_competency_id
        if not access.sees_every_competency(user) and \
                not access.can_view_competency_results(user, oc_id):
            continue
        categories.append({
            "offered_category_id": cat.offered.id, "competency": cat.competency.name,
            "category": cat.category.name, "published": cat.published,
            "rows": [_standing_row(row) for row in cat.rows]})
    return _json({"competition_id": competition.id, "categories": categories})


def _standing_row(row) -> dict:
    if isinstance(row, dict):  # a published snapshot row
        return {k: row.get(k) for k in ("entry_id", "name", "total", "rank", "award")}
    entry = getattr(row, "entry", None)
    name = entry.team_name or ", ".join(_full_name(m.person) for m in entry.members) \
        if entry is not None else None
    return {"entry_id": getattr(entry, "id", None), "name": name,
            "total": str(row.total) if row.total is not None else None, "rank": row.rank,
            "award": row.award}


# --- awards and offers ---------------------------------------------------------------------

@bp.route("/awards")
@operation(_l("Awards (filters: competition_id, person_id), as the person pages show them"),
           permission="persons.view", scope="read", response=schemas.AwardOut, many=True,
           tag="awards")
def awards():
    page, per_page = _page_args()
    found = queries.awards(competition_id=_int_arg("competition_id"),
                           person_id=_int_arg("person_id"), page=page, per_page=per_page)
    return _json(_page([{"id": a.id, "kind": a.kind, "title": a.title,
                         "person_id": a.person_id, "entry_id": a.entry_id,
                         "competition_id": a.competition_id, "source": a.source}
                        for a in found.items], found))


@bp.route("/offers")
@operation(_l("Internship and job offers (filters: q, state, kind)"), permission="offers.view",
           scope="read", response=schemas.OfferOut, many=True, tag="awards")
def offers():
    page, per_page = _page_args()
    found = offer_service.search_offers(text=(request.args.get("q") or "")[:200] or None,
                                        state=request.args.get("state"),
                                        kind=request.args.get("kind"),
                                        page=page, per_page=per_page)
    return _json(_page([{"id": o.id, "person_id": o.person_id, "partner": o.partner.name,
                         "kind": o.kind, "state": o.state, "title": o.description or None}
                        for o in found.items], found))


# --- exports -------------------------------------------------------------------------------

@bp.route("/exports")
@operation(_l("The exports and the filters each takes"), permission="exports.run", scope="read",
           response=schemas.ExporterOut, many=True, tag="exports")
def exports():
    user = current_api_user()
    return _json({"items": [
        {"identifier": e.identifier, "label": str(e.label),
         "filters": [f.name for f in e.filters]}
        for e in EXPORTERS.values() if has_permission(user, e.permission)]})


@bp.route("/exports/<identifier>")
@operation(_l("An export as JSON: its columns and rows (filters as query parameters, as the "
           "export page and `flask export` take them); audited like a file"),
           permission="exports.run", scope="read", response=schemas.ExportOut,
           tag="exports")
def export(identifier: str):
    if identifier not in EXPORTERS:
        raise ApiProblem(404, _("Not found."))
    raw = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}
    exporter, filters = export_service.run_table(identifier, raw, actor=current_api_user())
    columns = [str(c.label) for c in exporter.columns()]
    rows = [[_cell(v) for v in row] for row in exporter.rows(filters)]
    return _json({"identifier": identifier, "columns": columns, "rows": rows})


def _cell(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value
