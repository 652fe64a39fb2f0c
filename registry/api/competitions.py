"""The ``/api/v1`` endpoints of competitions: the list, one competition, creating and
changing one (as the competition form), and what it offers (competencies in categories)."""
from __future__ import annotations

from decimal import Decimal

from flask import request, url_for

from ..extensions import db
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..models import Competency, Competition
from ..services import ServiceError
from ..services import competitions as competition_service
from ..services import offerings as offering_service
from ..services import reference as reference_service
from . import schemas
from .auth import current_api_user, operation, parse_body
from .helpers import (
    _check_if_match,
    _created,
    _get,
    _int_arg,
    _invalid,
    _item,
    _json,
    _page_args,
    _region,
)
from .problems import ApiProblem
from .routes import bp
from .serialisers import competition_out


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
                            offering_service.offerings(competition)]})


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
    offering_service.offer_categories(competition, competency, categories,
                                      actor=current_api_user())
    return _json({"items": [_offering_out(row) for row in
                            offering_service.offerings(competition)]}, 201)
