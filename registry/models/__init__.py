"""The data model, one module per aggregate."""
from .api import API_SCOPES, ApiIdempotencyKey, ApiToken
from .audit import AuditEntry
from .awards import (
    AWARD_KINDS,
    OFFER_KINDS,
    OFFER_STATES,
    PARTNER_KINDS,
    RESULT_AWARDS,
    Award,
    InternshipOffer,
    Partner,
)
from .base import name_key, utcnow
from .competitions import STAGES, STATUSES, Competition, OfferedCategory, OfferedCompetency
from .diplomas import DIPLOMA_KINDS, Diploma, DiplomaTemplate
from .people import (
    ENTRY_STATUSES,
    ORGANISATION_KINDS,
    Counter,
    DistinctOrganisations,
    DistinctPersons,
    Entry,
    EntryMember,
    HealthRecord,
    Organisation,
    Person,
    PersonRedirect,
    organisation_key,
    person_key,
    take_numbers,
)
from .reference import (
    Category,
    Competency,
    CompetencyAlias,
    CompetitionKind,
    Region,
    competency_kinds,
)
from .results import (
    ASPECT_KINDS,
    ASSIGNMENT_ROLES,
    AWARDS,
    SHEET_STATUSES,
    SIGNING_ROLES,
    Aspect,
    CompetencyNotHeld,
    Criterion,
    ExpertAssignment,
    Mark,
    ProtocolResult,
    Publication,
    PublishedCategory,
    ScoreSheet,
    ScoreSheetVersion,
)
from .storage import JOB_STATES, Job, PendingUpload
from .users import ROLES, LoginThrottle, User

__all__ = [
    "API_SCOPES", "ApiIdempotencyKey", "ApiToken",
    "AWARD_KINDS", "OFFER_KINDS", "OFFER_STATES", "PARTNER_KINDS", "RESULT_AWARDS", "Award",
    "InternshipOffer", "Partner",
    "ASPECT_KINDS", "AWARDS", "SHEET_STATUSES", "Aspect", "Criterion", "ExpertAssignment",
    "Mark", "ProtocolResult", "Publication", "PublishedCategory", "CompetencyNotHeld", "ScoreSheet",
    "ScoreSheetVersion", "ASSIGNMENT_ROLES", "SIGNING_ROLES",
    "AuditEntry", "Category", "Competency", "CompetencyAlias", "Competition", "CompetitionKind", "ENTRY_STATUSES",
    "Entry", "EntryMember", "HealthRecord", "ORGANISATION_KINDS", "OfferedCategory",
    "OfferedCompetency", "Organisation", "Person", "ROLES", "Region", "STAGES", "STATUSES",
    "LoginThrottle", "User", "competency_kinds", "name_key", "person_key", "utcnow",
    "DIPLOMA_KINDS", "Diploma", "DiplomaTemplate",
    "JOB_STATES", "Job", "PendingUpload",
    "Counter", "DistinctOrganisations", "DistinctPersons", "PersonRedirect", "organisation_key",
    "take_numbers",
]
