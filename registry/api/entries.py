"""The ``/api/v1`` endpoints of entries: a competition's entries, registering persons in an
offered category (as the registration form), one entry and changing its status."""
from __future__ import annotations

from flask import url_for

from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..models import Competition, Entry
from ..registration import queries as registration_queries
from ..services import registration as reg
from . import queries, schemas
from .auth import current_api_user, operation, parse_body
from .helpers import _check_if_match, _created, _get, _invalid, _item, _json, _page, _page_args
from .routes import bp
from .serialisers import entry_out


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
