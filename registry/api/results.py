"""The ``/api/v1`` reads of results and what follows them: the standings of a competition,
awards, and internship and job offers."""
from __future__ import annotations

from flask import request

from .. import access
from ..extensions import db
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..models import Competition
from ..services import offers as offer_service
from ..services import results as results_service
from . import queries, schemas
from .auth import current_api_user, operation
from .helpers import _int_arg, _json, _page, _page_args, _require
from .problems import ApiProblem
from .routes import bp
from .serialisers import _full_name


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
