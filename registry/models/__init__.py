"""The data model, one module per aggregate."""
from .audit import AuditEntry
from .base import name_key, utcnow
from .competitions import STAGES, STATUSES, Competition, OfferedCategory, OfferedCompetency
from .people import (
    ENTRY_STATUSES,
    ORGANISATION_KINDS,
    Entry,
    EntryMember,
    HealthRecord,
    Organisation,
    Person,
    person_key,
)
from .reference import Category, Competency, CompetitionKind, Region, competency_kinds
from .users import ROLES, User

__all__ = [
    "AuditEntry", "Category", "Competency", "Competition", "CompetitionKind", "ENTRY_STATUSES",
    "Entry", "EntryMember", "HealthRecord", "ORGANISATION_KINDS", "OfferedCategory",
    "OfferedCompetency", "Organisation", "Person", "ROLES", "Region", "STAGES", "STATUSES",
    "User", "competency_kinds", "name_key", "person_key", "utcnow",
]
