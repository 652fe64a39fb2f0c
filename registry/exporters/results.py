"""``results``: the full protocol — every entry with its points, place and award."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..labels import AWARD_LABELS, ENTRY_STATUS_LABELS, STAGE_LABELS, label
from ..models import Competition, OfferedCategory, OfferedCompetency
from ..services.person_numbers import format_number
from .base import DECIMAL, INTEGER, Column, Exporter, register
from .filters import CATEGORY, COMPETENCY, COMPETITION_FILTERS
from .queries import apply_competition_filters

PUBLICATION_LABELS = {
    "published": _l("published"),
    "provisional": _l("provisional"),
    "changed": _l("changed since publication"),
    "not_held": _l("not held"),
}


OUT_OF_COMPETITION = _l("out of competition")


def _forget_all_but(kept: set) -> None:
    """Detach from the session what it holds beyond the identity keys ``kept`` (what the
    export loaded; the caller's objects, the current user among them, stay)."""
    session = db.session()
    for key in [key for key in session.identity_map.keys() if key not in kept]:
        found = session.identity_map.get(key)
        if found is not None:
            session.expunge(found)


def _distinct(values):
    seen = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
    return ", ".join(seen)


@register
class ResultsExporter(Exporter):
    identifier = "results"
    label = _l("Results protocol")
    description = _l("Every entry with points, place and award as published; provisional "
                     "results, competencies not held and entries out of competition are "
                     "marked; the 700 scale where the competition shows it.")
    filters = (*COMPETITION_FILTERS, COMPETENCY, CATEGORY)

    def columns(self):
        return [
            Column(_l("Contest"), width=40), Column(_l("Year"), INTEGER, 8),
            Column(_l("Stage"), width=16), Column(_l("Host region"), width=26),
            Column(_l("Competency"), width=36), Column(_l("Category"), width=16),
            Column(_l("Place"), INTEGER, 8), Column(_l("Points"), DECIMAL, 10),
            Column(_l("Award"), width=14), Column(_l("Participants"), width=40),
            Column(_l("Participant numbers"), width=18),
            Column(_l("Team"), width=20), Column(_l("Region"), width=28),
            Column(_l("Organisation"), width=40), Column(_l("Entry status"), width=14),
            Column(_l("Out of competition"), width=16), Column(_l("700 scale"), INTEGER, 10),
            Column(_l("Results"), width=16),
        ]

    def rows(self, filters: dict):
        from ..services.results import published_standings

        query = (
            select(Competition)
            .join(OfferedCompetency, OfferedCompetency.competition_id == Competition.id)
            .join(OfferedCategory, OfferedCategory.offered_competency_id == OfferedCompetency.id)
            .options(joinedload(Competition.kind), joinedload(Competition.host_region))
            .distinct()
            .order_by(Competition.year, Competition.id)
        )
        caller = set(db.session.identity_map.keys())  # never detach the caller's objects
        competitions = list(db.session.scalars(apply_competition_filters(query, filters)).unique())
        for competition in competitions:
            # the one truth: a published category as published, not the live marks
            standings = published_standings(competition)
            for category in standings.categories:
                state = ("not_held" if category.not_held is not None
                         or category.below_minimum is not None
                         else "published" if category.published else "provisional")
                if "competency" in filters and category.competency.id != filters["competency"].id:
                    continue
                if "category" in filters and category.category.id not in {
                        c.id for c in filters["category"]}:
                    continue
                for row in category.rows:
                    persons = [m.person for m in row.entry.members]
                    yield (
                        competition.title, competition.year, label(STAGE_LABELS, competition.stage),
                        competition.host_region.name if competition.host_region else None,
                        category.competency.name, category.category.name, row.rank, row.total,
                        label(AWARD_LABELS, row.award) if row.award else None,
                        ", ".join(p.full_name for p in persons),
                        ", ".join(format_number(p.number) for p in persons), row.entry.team_name,
                        _distinct(p.region.name for p in persons),
                        _distinct(p.organisation.name if p.organisation else None for p in persons),
                        label(ENTRY_STATUS_LABELS, row.entry.status),
                        str(OUT_OF_COMPETITION) if row.out_of_competition else None,
                        int(row.scaled) if row.scaled is not None else None,
                        str(PUBLICATION_LABELS[state]),
                    )
                if not category.rows and category.not_held is not None:
                    yield (
                        competition.title, competition.year,
                        label(STAGE_LABELS, competition.stage),
                        competition.host_region.name if competition.host_region else None,
                        category.competency.name, category.category.name, None, None, None,
                        None, None, None, None, None, None, None, None,
                        str(PUBLICATION_LABELS[state]))
            _forget_all_but(caller)  # keep memory flat across a whole season
