"""Issuing diplomas and revoking them.

A diploma is issued once per person and award (every member of a team gets one), or per
person and entry for a participation certificate; printing it again prints the same diploma
with the same code. What it prints is kept on the record (``name_printed``,
``award_printed``, ``details``): when that is no longer true (the name was corrected, the award
changed) the old one is revoked and a new one issued with a new code. An award lost at a
republication revokes its diplomas (``revoke_for_award``, called by ``services.awards``);
the organiser sees them on the competition's diplomas page, to reissue.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ...extensions import db
from ...i18n import lazy_gettext as _l
from ...models import (
    Award,
    Competition,
    Diploma,
    Entry,
    EntryMember,
    OfferedCategory,
    OfferedCompetency,
    Person,
    utcnow,
)
from ..audit import record
from .templates import Wording, templates

CODE_BYTES = 12  # 96 bits, 16 characters of URL-safe base64
STAGE_WORDS = {"regional": "региональный этап", "selection": "отборочный этап",
               "final": "финал"}
MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
          "сентября", "октября", "ноября", "декабря")

# Why a diploma was revoked: the stored code and the words shown for it.
REVOCATION_REASONS = {
    "award_withdrawn": _l("the award was withdrawn when corrected results were published"),
    "award_changed": _l("the award changed when corrected results were published"),
    "special_revoked": _l("the special award was revoked"),
    "reissued": _l("replaced by a corrected diploma"),
}


def revocation_reason(code: str | None) -> str:
    return str(REVOCATION_REASONS.get(code, code or ""))


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


@dataclass
class Subject:
    """Who gets a diploma for what: an award (with the entry it came from, if any), or an
    entry for a participation certificate."""

    kind: str
    person: Person
    award: Award | None = None
    entry: Entry | None = None
    competition: Competition | None = None

    @property
    def key(self) -> tuple:
        if self.award is not None:
            return ("award", self.award.id, self.person.id)
        return ("entry", self.entry.id, self.person.id)


def russian_dates(starts: date | None, ends: date | None) -> str | None:
    """«1–5 марта 2024 г.», «28 февраля – 2 марта 2024 г.», «5 марта 2024 г.»."""
    starts = starts or ends
    ends = ends or starts
    if starts is None:
        return None
    if starts == ends:
        return f"{starts.day} {MONTHS[starts.month - 1]} {starts.year} г."
    if (starts.year, starts.month) == (ends.year, ends.month):
        return f"{starts.day}–{ends.day} {MONTHS[ends.month - 1]} {ends.year} г."
    if starts.year == ends.year:
        return (f"{starts.day} {MONTHS[starts.month - 1]} – {ends.day} "
                f"{MONTHS[ends.month - 1]} {ends.year} г.")
    return (f"{starts.day} {MONTHS[starts.month - 1]} {starts.year} г. – {ends.day} "
            f"{MONTHS[ends.month - 1]} {ends.year} г.")


def printed(subject: Subject, wording: Wording) -> dict:
    """What the diploma of ``subject`` prints, as stored on it."""
    award, entry, competition = subject.award, subject.entry, subject.competition
    award_line = award.title if award is not None and award.kind == "special" else (
        wording.award_line)
    details = {"title": wording.title, "award_line": award_line,
               "place": award.place if award is not None and award.kind != "special" else None}
    if award is not None and award.kind == "special" and award.granted_by:
        details["granted_by"] = award.granted_by
    if competition is not None:
        details["stage"] = STAGE_WORDS.get(competition.stage, competition.stage)
        if competition.host_region is not None:
            details["region"] = competition.host_region.name
        details["dates"] = russian_dates(competition.starts_on, competition.ends_on)
    if entry is not None:
        offered = entry.offered_category
        details["competency"] = offered.offered_competency.competency.name
        details["category"] = offered.category.name
        if entry.team_name:
            details["team"] = entry.team_name
    award_printed = " — ".join(p for p in (wording.title, award_line) if p)
    if details["place"]:
        award_printed += f", {details['place']} место"
    return {"name_printed": subject.person.full_name[:320],
            "award_printed": award_printed[:400],
            "competition_printed": competition.title[:400] if competition else None,
            "details": {k: v for k, v in details.items() if v not in (None, "")}}


def _award_subjects(awards) -> list[Subject]:
    subjects = []
    for award in awards:
        competition = award.competition
        if award.entry is not None:
            for member in award.entry.members:
                subjects.append(Subject(award.kind, member.person, award, award.entry,
                                        competition))
        elif award.person is not None:
            subjects.append(Subject(award.kind, award.person, award, None, competition))
    return subjects


def _entry_options():
    return (joinedload(Entry.offered_category).joinedload(OfferedCategory.category),
            joinedload(Entry.offered_category).joinedload(OfferedCategory.offered_competency)
            .joinedload(OfferedCompetency.competency),
            selectinload(Entry.members).joinedload(EntryMember.person))


def competition_subjects(competition: Competition, *,
                         participation: bool = False) -> list[Subject]:
    """Every diploma the competition gives: one per award and member, in the order of the
    results (competency, category, place, name); with ``participation``, a certificate per
    registered member of every entry too."""
    awards = list(db.session.scalars(
        select(Award).where(Award.competition_id == competition.id)
        .options(joinedload(Award.competition).joinedload(Competition.host_region),
                 joinedload(Award.person),
                 joinedload(Award.entry).joinedload(Entry.offered_category)
                 .joinedload(OfferedCategory.category),
                 joinedload(Award.entry).joinedload(Entry.offered_category)
                 .joinedload(OfferedCategory.offered_competency)
                 .joinedload(OfferedCompetency.competency),
                 joinedload(Award.entry).selectinload(Entry.members)
                 .joinedload(EntryMember.person))))
    subjects = _award_subjects(awards)
    if participation:
        entries = db.session.scalars(
            select(Entry)
            .join(OfferedCategory, OfferedCategory.id == Entry.offered_category_id)
            .join(OfferedCompetency,
                  OfferedCompetency.id == OfferedCategory.offered_competency_id)
            .where(OfferedCompetency.competition_id == competition.id,
                   Entry.status == "registered")
            .options(*_entry_options()))
        for entry in entries:
            for member in entry.members:
                subjects.append(Subject("participation", member.person, None, entry,
                                        competition))

    def order(subject: Subject):
        entry = subject.entry
        where = ((entry.offered_category.offered_competency.competency.name,
                  entry.offered_category.category.name) if entry is not None else ("", ""))
        place = subject.award.place if subject.award is not None else None
        return (subject.kind == "participation", *where, place or 10 ** 6,
                subject.person.last_name, subject.person.first_name, subject.person.id)

    subjects.sort(key=order)
    return subjects


def person_subjects(person: Person) -> list[Subject]:
    """Every diploma a person may get: for each of their awards, and a participation
    certificate for each of their registered entries."""
    from ..awards import awards_of_person

    subjects = [s for s in _award_subjects(awards_of_person(person)) if s.person.id == person.id]
    entries = db.session.scalars(
        select(Entry).join(EntryMember, EntryMember.entry_id == Entry.id)
        .where(EntryMember.person_id == person.id, Entry.status == "registered")
        .options(*_entry_options()))
    for entry in entries:
        competition = entry.offered_category.offered_competency.competition
        subjects.append(Subject("participation", person, None, entry, competition))
    return subjects


def _active(subjects: list[Subject]) -> dict[tuple, Diploma]:
    """The diplomas not revoked of ``subjects``, by ``Subject.key``."""
    award_ids = sorted({s.award.id for s in subjects if s.award is not None})
    entry_ids = sorted({s.entry.id for s in subjects if s.award is None})
    found: dict[tuple, Diploma] = {}
    for start in range(0, max(len(award_ids), len(entry_ids)), 500):
        chunk_a, chunk_e = award_ids[start:start + 500], entry_ids[start:start + 500]
        condition = Diploma.award_id.in_(chunk_a) | (
            (Diploma.kind == "participation") & Diploma.entry_id.in_(chunk_e))
        for diploma in db.session.scalars(
                select(Diploma).where(Diploma.revoked_at.is_(None), condition)):
            key = (("award", diploma.award_id, diploma.person_id) if diploma.award_id
                   else ("entry", diploma.entry_id, diploma.person_id))
            found[key] = diploma
    return found


def _revoke(diploma: Diploma, reason: str, actor=None) -> None:
    diploma.revoked_at = utcnow()
    diploma.revoked_reason = reason
    record("diploma.revoke", diploma, user=actor, competition_id=diploma.competition_id,
           code=diploma.code, reason=reason)


def issue(subjects: list[Subject], *, actor=None) -> list[Diploma]:
    """The diploma of each subject, in order: the one issued before when what it prints is
    still true, else a new one (and the old one revoked). Flushes; one audit entry for the
    new ones."""
    wordings = templates()
    active = _active(subjects)
    result, created = [], []
    for subject in subjects:
        content = printed(subject, wordings[subject.kind])
        diploma = active.get(subject.key)
        if diploma is not None and (diploma.kind, diploma.name_printed, diploma.award_printed,
                                    diploma.competition_printed, diploma.details) != (
                subject.kind, content["name_printed"], content["award_printed"],
                content["competition_printed"], content["details"]):
            _revoke(diploma, "reissued", actor)
            diploma = None
        if diploma is None:
            diploma = Diploma(code=new_code(), kind=subject.kind,
                              award_id=subject.award.id if subject.award else None,
                              entry_id=subject.entry.id if subject.entry else None,
                              person_id=subject.person.id,
                              competition_id=subject.competition.id if subject.competition
                              else None,
                              issued_by_id=getattr(actor, "id", None), **content)
            db.session.add(diploma)
            active[subject.key] = diploma
            created.append(diploma)
        result.append(diploma)
    db.session.flush()
    if created:
        competitions = sorted({d.competition_id for d in created if d.competition_id})
        record("diploma.issue", object_type="diplomas", object_id=created[0].id, user=actor,
               competition_id=competitions[0] if len(competitions) == 1 else None,
               count=len(created), codes=[d.code for d in created[:50]])
    return result


def revoke_for_award(award: Award, reason: str, *, actor=None) -> int:
    """Revoke the diplomas of ``award`` (withdrawn or changed by a republication, or a
    special award revoked); returns how many."""
    diplomas = list(db.session.scalars(
        select(Diploma).where(Diploma.award_id == award.id, Diploma.revoked_at.is_(None))))
    for diploma in diplomas:
        _revoke(diploma, reason, actor)
    if diplomas:
        db.session.flush()
    return len(diplomas)


def find(code: str) -> Diploma | None:
    return db.session.scalar(select(Diploma).where(Diploma.code == code))


def revoked_in(competition: Competition) -> list[Diploma]:
    """The competition's revoked diplomas, latest first: what the organiser may reissue."""
    return list(db.session.scalars(
        select(Diploma).where(Diploma.competition_id == competition.id,
                              Diploma.revoked_at.is_not(None))
        .options(joinedload(Diploma.person))
        .order_by(Diploma.revoked_at.desc(), Diploma.id.desc())))


def of_person(person: Person) -> list[Diploma]:
    """Every diploma issued to ``person``, the latest first, revoked ones too."""
    return list(db.session.scalars(
        select(Diploma).where(Diploma.person_id == person.id)
        .order_by(Diploma.issued_at.desc(), Diploma.id.desc())))


def overview(competition: Competition) -> dict:
    """Counts for the competition's diplomas page: awards' diplomas due, issued and
    current, revoked, and those due that have none (to issue or reissue)."""
    subjects = competition_subjects(competition)
    active = _active(subjects)
    missing = [s for s in subjects if s.key not in active]
    issued = db.session.scalar(
        select(db.func.count(Diploma.id)).where(Diploma.competition_id == competition.id,
                                                Diploma.revoked_at.is_(None)))
    return {"due": len(subjects), "issued": issued, "missing": missing}
