"""Diplomas: templates per kind (``templates``), issuing and revoking (``issue``), drawing
(``render``), bulk generation (``bulk``) and verification (``verify``)."""
from . import render as render_module
from . import templates as templates_module
from .bulk import (
    FORMATS,
    VERIFY_PATH,
    Bundle,
    bulk_stem,
    bundle,
    generate_bulk,
    public_base,
    verify_url,
)
from .issue import (
    REVOCATION_REASONS,
    Subject,
    competition_subjects,
    find,
    issue,
    of_person,
    overview,
    person_subjects,
    revocation_reason,
    revoke_for_award,
    revoked_in,
)
from .templates import (
    DEFAULT_TEMPLATES,
    LIMITS,
    TEXT_FIELDS,
    Wording,
    check_background,
    reset_template,
    save_template,
    templates,
    wording,
)

__all__ = [
    "render_module", "templates_module",
    "FORMATS", "VERIFY_PATH", "Bundle", "bulk_stem", "bundle", "generate_bulk", "public_base", "verify_url",
    "REVOCATION_REASONS", "Subject", "competition_subjects", "find", "issue", "of_person", "overview",
    "person_subjects", "revocation_reason", "revoke_for_award", "revoked_in",
    "DEFAULT_TEMPLATES", "LIMITS", "TEXT_FIELDS", "Wording", "check_background",
    "reset_template", "save_template", "templates", "wording",
]
