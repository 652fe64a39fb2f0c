"""Writing a checked participants plan in bulk: a few queries to find what exists, then a
few multi-row INSERTs through ``services.registration``. It flushes and audits; the request
or command that called it commits once (``registry/transaction.py``)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..i18n import gettext as _
from ..models import organisation_key
from ..services import ServiceError, registration
from ..services import offerings as offering_service
from ..services import persons as person_service
from ..services.audit import record
from .base import ImportRefused, Problem

if TYPE_CHECKING:
    from .participants import ImportPlan
    from .participants_plan import Counts


def apply(plan: ImportPlan, *, actor=None) -> Counts:
    """Write a plan without problems in one transaction; on any failure roll back and raise
    ``ImportRefused`` (for rules) or the exception itself (anything unexpected)."""
    if not plan.ok:
        raise ImportRefused(plan.problems or [Problem(None, None, _("Nothing to import."))])
    competition = plan.competition
    try:
        offered = dict(plan.offered)
        for competency, category in plan.offers:
            offered[(competency.id, category.id)] = offering_service.offer(
                competition, competency, category, actor=actor,
                is_team=plan.new_team.get(competency.id))
        # Every row was checked when the plan was made (the same rules as the forms:
        # registration.eligibility_problems and friends); here the plan is written in bulk:
        # a few queries to find what exists, then a few multi-row INSERTs.
        with db.session.no_autoflush:
            org_names = {(row.region.id, organisation_key(row.value("organisation"))): row
                         for row in plan.rows}
            organisations = registration.organisations_by_key(set(org_names))
            for key, row in org_names.items():
                if key not in organisations:
                    organisations[key] = registration.build_organisation(
                        row.value("organisation"), row.region)
            db.session.flush()  # the new organisations get their ids
            existing = person_service.persons_by_identity({row.identity for row in plan.rows})
            persons = {key: person.id for key, person in existing.items()}
            new: dict[str, person_service.PersonData] = {}
            for row in plan.rows:
                data = person_service.PersonData(
                    last_name=row.value("last_name"), first_name=row.value("first_name"),
                    middle_name=row.value("middle_name"), birth_date=row.birth_date,
                    region=row.region,
                    organisation=organisations[(row.region.id, organisation_key(row.value("organisation")))],
                    email=row.value("email"), phone=row.value("phone"),
                    consent_date=row.consent_date, guardian_name=row.value("guardian_name"),
                    guardian_consent_date=row.guardian_consent_date,
                    publication_consent=row.publication_consent,
                    guardian_publication_consent=row.guardian_publication_consent)
                if row.identity in existing:
                    person_service.fill_missing(existing[row.identity], data)
                else:
                    new.setdefault(row.identity, data)
            persons.update(person_service.bulk_create_persons(list(new.values())))
            registration.bulk_create_entries(
                [(offered[(group.competency.id, group.category.id)].id, group.team_name,
                  [persons[row.identity] for row in group.rows], group.out_of_competition)
                 for group in plan.entries if group.existing is None],
                actor=actor)
        db.session.flush()
        record("participants.import", competition, user=actor, competition_id=competition.id,
               file=plan.filename, **plan.counts.as_dict())
        db.session.flush()
    except ServiceError as error:
        raise ImportRefused([Problem(None, None, error.message)]) from error
    except SQLAlchemyError as error:
        raise ImportRefused([Problem(None, None, _(
            "The database refused the import (someone may have changed the same records at the "
            "same time); nothing was saved. Upload the file again."))]) from error
    return plan.counts
