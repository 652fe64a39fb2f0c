"""What a competition, a person and an entry look like in the answers of ``/api/v1``."""
from __future__ import annotations

from ..extensions import db
from ..models import Competition, Entry, HealthRecord, Person
from ..services.person_numbers import format_number


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
