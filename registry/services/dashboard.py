"""The home page of each role: plain data, each number with the URL of the list behind it.

One read per role. Each number counts what the linked list shows, by the same condition the
list uses (``marking.sheet_condition``, ``users.user_condition``, the participants' status
filter, the competitions' status filter), so that following a number gives that many rows.
The queries are a fixed number whatever the data; the chief expert's «ready to publish» adds
the standings of each competency they are chief of (the one publication rule,
``publication_review.readiness``), usually one.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from .. import access
from ..extensions import db
from ..i18n import gettext as _
from ..models import (
    Competency,
    Competition,
    Entry,
    EntryMember,
    ExpertAssignment,
    OfferedCategory,
    OfferedCompetency,
    Publication,
    Region,
)
from ..security import has_permission
from . import marking as marking_service
from . import users as user_service

PUBLISHED = "results_published"
EXPORTS = ("winners", "medals", "results")  # the coordinator's one-click exports (xlsx)


@dataclass(frozen=True)
class Count:
    """One number of a home page and the list that shows exactly those rows."""

    key: str  # the data-testid suffix
    label: str
    number: int
    url: str


# --- expert and chief expert -----------------------------------------------------------------

@dataclass
class CompetencyCard:
    assignment: ExpertAssignment
    counts: list[Count]
    next_step: str | None


@dataclass
class ExpertHome:
    competencies: Count
    cards: list[CompetencyCard]
    signoff: list[Count] = field(default_factory=list)  # chief or deputy somewhere


def _sheets_url(**args) -> str:
    return url_for("marking.sheets", **{k: v for k, v in args.items() if v})


def _next_step(assignment: ExpertAssignment, counts: dict[str, int], ready: bool) -> str | None:
    if counts.get("draft"):
        return _("Finish the draft sheets and submit them to the chief expert.")
    if assignment.signs_off and counts.get("submitted"):
        return _("Confirm the submitted sheets.")
    if ready:
        return _("Every sheet is confirmed: the results may be published.")
    if counts.get("submitted"):
        return _("Wait for the chief expert to confirm the submitted sheets.")
    return None


def ready_to_publish(user) -> list[int]:
    """The offered competencies ``user`` is chief of that may be published now and are not
    yet (or changed since): ``publication_review.readiness`` says may, the standings say not
    published or changed. One standings read per such competency."""
    from . import publication_review
    from . import results as results_service

    found = []
    chiefs = db.session.scalars(
        select(ExpertAssignment).where(ExpertAssignment.user_id == user.id,
                                       ExpertAssignment.is_chief)
        .options(joinedload(ExpertAssignment.offered_competency)
                 .joinedload(OfferedCompetency.competition).joinedload(Competition.kind))
        .order_by(ExpertAssignment.id)).all()
    for assignment in chiefs:
        oc = assignment.offered_competency
        standings = results_service.competition_standings(oc.competition, oc.id)
        state = publication_review.readiness(standings)
        if state and all(item.refusal is None for item in state) and any(
                not cat.published or cat.changed for cat in standings.categories):
            found.append(oc.id)
    return found


def expert_home(user) -> ExpertHome:
    assignments = db.session.scalars(
        select(ExpertAssignment).where(ExpertAssignment.user_id == user.id)
        .options(joinedload(ExpertAssignment.offered_competency)
                 .joinedload(OfferedCompetency.competition),
                 joinedload(ExpertAssignment.offered_competency)
                 .joinedload(OfferedCompetency.competency))
        .order_by(ExpertAssignment.id)).all()
    by_competency = marking_service.sheet_counts_by(user, OfferedCompetency.id)
    ready = set(ready_to_publish(user)) if any(a.is_chief for a in assignments) else set()
    labels = {"draft": _("Drafts"), "submitted": _("Submitted"), "confirmed": _("Confirmed")}
    cards, waiting = [], 0
    for assignment in assignments:
        oc_id = assignment.offered_competency_id
        numbers = {status: by_competency.get((oc_id, status), 0)
                   for status in marking_service.SHEET_STATUSES}
        if assignment.signs_off:
            waiting += numbers["submitted"]
        counts = [Count(f"{status}-{oc_id}", labels[status], numbers[status],
                        _sheets_url(competency=oc_id, status=status))
                  for status in marking_service.SHEET_STATUSES]
        cards.append(CompetencyCard(assignment, counts,
                                    _next_step(assignment, numbers, oc_id in ready)))
    home = ExpertHome(Count("competencies", _("My competencies"), len(assignments),
                            url_for("marking.index")), cards)
    if any(a.signs_off for a in assignments):
        home.signoff.append(Count("waiting", _("Sheets waiting for my confirmation"), waiting,
                                  _sheets_url(status="submitted", signoff="1")))
    if any(a.is_chief for a in assignments):
        home.signoff.append(Count("ready", _("Competencies ready to publish"), len(ready),
                                  url_for("marking.index", ready="1")))
    return home


# --- organiser -------------------------------------------------------------------------------

@dataclass
class CompetitionLine:
    competition: Competition
    counts: list[Count]


@dataclass
class SeasonHome:
    year: int | None
    competitions: Count | None
    lines: list[CompetitionLine]


def current_season() -> int | None:
    """The latest year that has competitions."""
    return db.session.scalar(select(func.max(Competition.year)))


def _published_categories(competition_ids: list[int]) -> dict[int, int]:
    """``{competition_id: n}`` offered categories published (by any publication) that the
    competition still offers: two queries."""
    offered = {oc_id: comp_id for oc_id, comp_id in db.session.execute(
        select(OfferedCategory.id, OfferedCompetency.competition_id)
        .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
        .where(OfferedCompetency.competition_id.in_(competition_ids)))}
    published: dict[int, set[int]] = {}
    for competition_id, snapshot in db.session.execute(
            select(Publication.competition_id, Publication.snapshot)
            .where(Publication.competition_id.in_(competition_ids))):
        for key in (snapshot or {}).get("standings", {}):
            if offered.get(int(key)) == competition_id:
                published.setdefault(competition_id, set()).add(int(key))
    return {k: len(v) for k, v in published.items()}


def organiser_home(user) -> SeasonHome:
    year = current_season()
    if year is None:
        return SeasonHome(None, None, [])
    competitions = db.session.scalars(
        select(Competition).where(Competition.year == year)
        .options(joinedload(Competition.kind))
        .order_by(Competition.kind_id, Competition.stage, Competition.title)).all()
    ids = [c.id for c in competitions]
    registered = dict(db.session.execute(
        select(OfferedCompetency.competition_id, func.count(EntryMember.id))
        .join(OfferedCategory, OfferedCategory.offered_competency_id == OfferedCompetency.id)
        .join(Entry, Entry.offered_category_id == OfferedCategory.id)
        .join(EntryMember, EntryMember.entry_id == Entry.id)
        .where(OfferedCompetency.competition_id.in_(ids), Entry.status == "registered")
        .group_by(OfferedCompetency.competition_id)).all())
    sheets = marking_service.sheet_counts_by(user, OfferedCompetency.competition_id)
    published = _published_categories(ids)
    lines = []
    for c in competitions:
        counts = [Count(f"registered-{c.id}", _("Participants registered"), registered.get(c.id, 0),
                        url_for("registration.participants", competition_id=c.id,
                                status="registered"))]
        for status, label in (("draft", _("Sheets in progress")),
                              ("submitted", _("Sheets submitted")),
                              ("confirmed", _("Sheets confirmed"))):
            counts.append(Count(f"{status}-{c.id}", label, sheets.get((c.id, status), 0),
                                _sheets_url(competition=c.id, status=status)))
        counts.append(Count(f"published-{c.id}", _("Categories published"),
                            published.get(c.id, 0),
                            url_for("marking.standings", competition_id=c.id, all="1")))
        lines.append(CompetitionLine(c, counts))
    return SeasonHome(year, Count("season", _("Competitions of the season"), len(competitions),
                                  url_for("competitions.index", year=year)), lines)


# --- coordinator -----------------------------------------------------------------------------

@dataclass
class CoordinatorHome:
    published: Count
    competitions: list[tuple[Competition, list[tuple[str, str]]]]  # with (label, export URL)


def coordinator_home(user) -> CoordinatorHome:
    competitions = db.session.scalars(
        select(Competition).where(Competition.status == PUBLISHED)
        .options(joinedload(Competition.kind))
        .order_by(Competition.year.desc(), Competition.kind_id, Competition.stage,
                  Competition.title)).all()
    labels = {"winners": _("Winners"), "medals": _("Medal table"), "results": _("Results")}
    exports = [identifier for identifier in EXPORTS if has_permission(user, "exports.run")]
    rows = [(c, [(labels[identifier],
                  url_for("exports.download", identifier=identifier, competition=c.id,
                          format="xlsx", delimiter=";"))
                  for identifier in exports])
            for c in competitions]
    return CoordinatorHome(Count("published", _("Competitions with published results"),
                                 len(competitions),
                                 url_for("competitions.index", status=PUBLISHED)), rows)


# --- administrator ---------------------------------------------------------------------------

@dataclass
class AdminHome:
    accounts: list[Count]
    reference: list[Count]


def admin_home(user) -> AdminHome:
    from ..admin.forms import ROLE_LABELS

    found = user_service.account_counts()
    accounts = [Count("users", _("All accounts"), found["total"], url_for("admin.users"))]
    accounts += [Count(f"role-{role}", str(label), found["roles"].get(role, 0),
                       url_for("admin.users", role=role))
                 for role, label in ROLE_LABELS.items()]
    accounts.append(Count("inactive", _("Deactivated accounts"), found["inactive"],
                          url_for("admin.users", state="inactive")))
    reference = [
        Count("regions", _("Regions"), db.session.scalar(select(func.count(Region.id))),
              url_for("admin.regions")),
        Count("competencies", _("Competencies"),
              db.session.scalar(select(func.count(Competency.id))),
              url_for("admin.competencies")),
    ]
    return AdminHome(accounts, reference)


def home(user):
    """The template and data of ``user``'s home page."""
    if access.is_marker(user):
        return "main/home_expert.html", expert_home(user)
    if has_permission(user, "users.manage"):
        return "main/home_admin.html", admin_home(user)
    if has_permission(user, "competitions.manage"):
        return "main/home_organiser.html", organiser_home(user)
    return "main/home_coordinator.html", coordinator_home(user)
