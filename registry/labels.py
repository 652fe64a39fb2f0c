"""Words for codes: one place where a stored code (``regional``, ``gold`` …) becomes the word
people read, in the current language. Forms, templates and exporters all use these."""
from .i18n import lazy_gettext as _l

STAGE_LABELS = {
    "regional": _l("regional stage"),
    "selection": _l("selection stage"),
    "final": _l("final"),
}

COMPETITION_STATUS_LABELS = {
    "draft": _l("Draft"),
    "registration": _l("Registration"),
    "marking": _l("Marking"),
    "results_published": _l("Results published"),
    "archived": _l("Archived"),
}

ENTRY_STATUS_LABELS = {
    "registered": _l("registered"),
    "withdrawn": _l("withdrawn"),
    "disqualified": _l("disqualified"),
}

ORGANISATION_KIND_LABELS = {
    "educational": _l("Educational organisation"),
    "employer": _l("Employer"),
    "other": _l("Other"),
}

# The words of the winners list: золото, серебро, бронза, медальон, победитель, призёр.
AWARD_LABELS = {
    "gold": _l("gold"),
    "silver": _l("silver"),
    "bronze": _l("bronze"),
    "medallion": _l("medallion"),
    "winner": _l("winner"),
    "prize_winner": _l("prize-winner"),
    "special": _l("special award"),
}

PARTNER_KIND_LABELS = {
    "employer": _l("employer"),
    "technopark": _l("technopark"),
    "tv_channel": _l("TV channel"),
    "foreign_partner": _l("foreign partner"),
    "other": _l("other"),
}

OFFER_KIND_LABELS = {
    "internship": _l("internship"),
    "practice": _l("practice"),
    "training": _l("training"),
}

OFFER_STATE_LABELS = {
    "offered": _l("offered"),
    "accepted": _l("accepted"),
    "declined": _l("declined"),
    "completed": _l("completed"),
}


def label(mapping: dict, code: str | None) -> str:
    if code is None:
        return ""
    return str(mapping.get(code, code))
