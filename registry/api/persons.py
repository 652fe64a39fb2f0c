"""The ``/api/v1`` endpoints of persons: the list by name, one person (health data only for
the roles that see it), registering and changing one (as the person form; 409 on the same
name and birth date)."""
from __future__ import annotations

from flask import request, url_for

from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..models import Person
from ..registration import queries as registration_queries
from ..security import has_permission
from ..services import persons as person_service
from ..services import registration as reg
from . import schemas
from .auth import current_api_user, operation, parse_body
from .helpers import (
    _check_if_match,
    _created,
    _get,
    _int_arg,
    _item,
    _json,
    _page,
    _page_args,
    _region,
)
from .problems import ApiProblem
from .routes import bp
from .serialisers import person_out


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


def _person_data(body: dict) -> person_service.PersonData:
    region = _region(body.get("region"), "region")
    organisation = None
    if body.get("organisation"):
        organisation, _created_now = reg.get_or_create_organisation(
            body["organisation"], region, actor=current_api_user())
    return person_service.PersonData(
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
    existing = person_service.find_person(body["last_name"] or "", body["first_name"] or "",
                                          body.get("middle_name"), body["birth_date"])
    if existing is not None:
        raise ApiProblem(409, _("This person is already registered (same name and birth "
                                "date)."), slug="duplicate",
                         headers={"Location": url_for("api.person", person_id=existing.id)})
    person = person_service.create_person(_person_data(body), actor=current_api_user())
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
    other = person_service.find_person(body["last_name"] or "", body["first_name"] or "",
                                       body.get("middle_name"), body["birth_date"])
    if other is not None and other.id != person.id:
        raise ApiProblem(409, _("This person is already registered (same name and birth "
                                "date)."), slug="duplicate",
                         headers={"Location": url_for("api.person", person_id=other.id)})
    person_service.update_person(person, _person_data(body), actor=current_api_user())
    return _item(person_out(person, health=_sees_health()))
