"""Organisations: found by name in a region as people write it (``name_key``), created once,
renamed; audited. Registration and the participants importer call these."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..i18n import gettext as _
from ..models import Organisation, Region, organisation_key
from ..text import squashed
from . import ServiceError
from .audit import record

BULK_CHUNK = 500  # values per IN (…) list when looking up many rows at once


def find_organisation(name: str, region: Region) -> Organisation | None:
    return db.session.scalar(
        select(Organisation).where(
            Organisation.region_id == region.id, Organisation.name_key == organisation_key(name)
        )
    )


def get_or_create_organisation(name: str, region: Region, kind: str = "educational", *,
                               actor=None) -> tuple[Organisation, bool]:
    """The organisation of that name in that region (matched case- and ё-insensitively)."""
    if not squashed(name):
        raise ServiceError(_("The organisation needs a name."), field="name")
    existing = find_organisation(name, region)
    if existing is not None:
        return existing, False
    organisation = build_organisation(name, region, kind)
    db.session.flush()
    record("organisation.create", organisation, user=actor, name=organisation.name)
    return organisation, True


def create_organisation(name: str, region: Region, kind: str = "educational", *,
                        actor=None) -> Organisation:
    """A new organisation; refused when one of that name exists in that region."""
    if find_organisation(name, region) is not None:
        raise ServiceError(
            _("An organisation with this name already exists in this region."), field="name"
        )
    organisation, _created = get_or_create_organisation(name, region, kind, actor=actor)
    return organisation


def build_organisation(name: str, region: Region, kind: str = "educational") -> Organisation:
    """A new organisation added to the session (no query, no flush): for bulk writers that
    looked it up already."""
    organisation = Organisation(region=region, kind=kind)
    organisation.set_name(name)
    db.session.add(organisation)
    return organisation


def organisations_by_key(keys: set[tuple[int, str]]) -> dict[tuple[int, str], Organisation]:
    """Existing organisations for ``(region_id, name_key)`` pairs, in a few queries."""
    found: dict[tuple[int, str], Organisation] = {}
    names = sorted({k for _region, k in keys})
    for start in range(0, len(names), BULK_CHUNK):
        chunk = names[start:start + BULK_CHUNK]
        for organisation in db.session.scalars(
                select(Organisation).where(Organisation.name_key.in_(chunk))):
            key = (organisation.region_id, organisation.name_key)
            if key in keys:
                found[key] = organisation
    return found


def update_organisation(organisation: Organisation, *, name: str, region: Region, kind: str,
                        actor=None) -> Organisation:
    other = find_organisation(name, region)
    if other is not None and other.id != organisation.id:
        raise ServiceError(
            _("An organisation with this name already exists in this region."), field="name"
        )
    organisation.set_name(name)
    organisation.region, organisation.kind = region, kind
    record("organisation.update", organisation, user=actor, name=organisation.name)
    db.session.flush()
    return organisation
