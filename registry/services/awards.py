"""Awards: made from published results and kept in step with them, and special awards.

``sync_from_standings`` is called by ``services.results.publish`` in the publication's own
transaction: after a correction and a republication, the award records match the new
standings (changed awards updated, lost ones removed, new ones added), each change audited.
"""
from __future__ import annotations

from collections import Counter
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..i18n import gettext as _
from ..labels import AWARD_LABELS
from ..models import (
    Award,
    Competition,
    Entry,
    EntryMember,
    OfferedCategory,
    OfferedCompetency,
    Person,
)
from ..queries import prepared
from . import ServiceError
from .audit import record
from .diplomas.issue import revoke_for_award


def award_label(award: Award | str) -> str:
    """The award in words: the kind's name, or a special award's own title."""
    if isinstance(award, Award):
        if award.kind == "special":
            return award.title or str(AWARD_LABELS["special"])
        award = award.kind
    return str(AWARD_LABELS.get(award, award))


def medal_region(region_ids: list[int]) -> int | None:
    """The region an award counts for: the holder's; for a team, the region most of its
    members come from, or on a tie that of the member registered first. ``region_ids`` are
    the members' regions in the order they were registered."""
    if not region_ids:
        return None
    counts = Counter(region_ids)
    best = max(counts.values())
    return next(r for r in region_ids if counts[r] == best)


def member_regions(entry_ids) -> dict[int, list[int]]:
    """``{entry_id: [region of each member, in registration order]}`` in one query."""
    regions: dict[int, list[int]] = {}
    ids = list(entry_ids)
    for start in range(0, len(ids), 500):
        for entry_id, region_id in db.session.execute(
                select(EntryMember.entry_id, Person.region_id)
                .join(Person, Person.id == EntryMember.person_id)
                .where(EntryMember.entry_id.in_(ids[start:start + 500]))
                .order_by(EntryMember.entry_id, EntryMember.id)):
            regions.setdefault(entry_id, []).append(region_id)
    return regions


def results_awards(standings) -> dict[int, tuple[str, int | None, Decimal | None]]:
    """``{entry_id: (award, place, points)}``: the results awards ``standings`` give (pure;
    the demo generator writes these rows in bulk)."""
    wanted: dict[int, tuple[str, int | None, Decimal | None]] = {}
    for category in standings.categories:
        for row in category.live_rows:
            if row.award:
                wanted[row.entry.id] = (row.award, row.rank, row.total)
    return wanted


def sync_from_standings(competition: Competition, standings, publication, *, actor=None) -> dict:
    """Make the results awards of the categories of ``standings`` (one competency, or the
    whole competition) equal to them (no commit); other categories' awards are left alone."""
    wanted = results_awards(standings)
    scope = [c.offered.id for c in standings.categories]
    existing = {a.entry_id: a for a in db.session.scalars(
        select(Award).join(Entry, Entry.id == Award.entry_id)
        .where(Award.competition_id == competition.id, Award.source == "results",
               Entry.offered_category_id.in_(scope)))}
    counts = {"added": 0, "changed": 0, "removed": 0}
    regions = member_regions(wanted)
    for entry_id, award in existing.items():
        if entry_id not in wanted:
            record("award.remove", award, user=actor, competition_id=competition.id,
                   entry=entry_id, old=award.kind)
            revoke_for_award(award, "award_withdrawn", actor=actor)
            db.session.delete(award)
            counts["removed"] += 1
    for entry_id, (kind, place, points) in wanted.items():
        award = existing.get(entry_id)
        if award is None:
            award = Award(competition_id=competition.id, entry_id=entry_id, kind=kind,
                          source="results", place=place, points=points,
                          region_id=medal_region(regions.get(entry_id, [])),
                          publication_id=publication.id, created_by_id=getattr(actor, "id", None))
            db.session.add(award)
            db.session.flush()
            record("award.add", award, user=actor, competition_id=competition.id,
                   entry=entry_id, new=kind)
            counts["added"] += 1
        elif (award.kind, award.place, award.points) != (kind, place, points):
            record("award.change", award, user=actor, competition_id=competition.id,
                   entry=entry_id, old=[award.kind, award.place, str(award.points)],
                   new=[kind, place, str(points)])
            if (award.kind, award.place) != (kind, place):  # what its diplomas print
                revoke_for_award(award, "award_changed", actor=actor)
            award.kind, award.place, award.points = kind, place, points
            award.publication_id = publication.id
            counts["changed"] += 1
        else:
            award.publication_id = publication.id
        award.region_id = medal_region(regions.get(entry_id, []))  # members may have moved
    return counts


def grant_special(*, title: str, reason: str | None, granted_by: str | None,
                  entry: Entry | None = None, person: Person | None = None, actor) -> Award:
    """A special award («Лучший результат региона», a sponsor's prize) to an entry or a person."""
    title = " ".join((title or "").split())
    if not title:
        raise ServiceError(_("A special award needs a title."), field="title")
    if (entry is None) == (person is None):
        raise ServiceError(_("Choose either an entry or a person."))
    competition_id = entry.offered_category.offered_competency.competition_id if entry else None
    award = Award(kind="special", source="manual", title=title,
                  reason=" ".join((reason or "").split()) or None,
                  granted_by=" ".join((granted_by or "").split()) or None,
                  entry_id=entry.id if entry else None, person_id=person.id if person else None,
                  region_id=(person.region_id if person is not None
                             else medal_region(member_regions([entry.id]).get(entry.id, []))),
                  competition_id=competition_id, created_by_id=getattr(actor, "id", None))
    db.session.add(award)
    db.session.flush()
    record("award.grant", award, user=actor, competition_id=competition_id, title=title,
           entry=award.entry_id, person=award.person_id)
    db.session.flush()
    return award


def revoke_special(award: Award, *, reason: str | None, actor) -> None:
    if award.source != "manual":
        raise ServiceError(_("Awards from results change only when the results are republished."))
    record("award.revoke", award, user=actor, competition_id=award.competition_id,
           title=award.title, reason=reason)
    revoke_for_award(award, "special_revoked", actor=actor)
    db.session.delete(award)
    db.session.flush()


def awards_of_person(person: Person, entry_ids: list[int] | None = None, *,
                     with_entries: bool = True) -> list[Award]:
    """Every award a person holds: their own, and those of entries they are a member of
    (``entry_ids``: the ids of those entries, when the caller has them already). Each with
    its competition, and its entry down to the competency unless ``with_entries`` is False
    (a caller that has loaded the entries itself: ``person_history.awards``)."""
    if entry_ids is None:
        entry_ids = list(db.session.scalars(
            select(EntryMember.entry_id).where(EntryMember.person_id == person.id)))
    statement = _awards_of_person() if with_entries else _awards_of_person_alone()
    return list(db.session.scalars(statement, {"person_id": person.id, "entry_ids": entry_ids}))


def _awards_held_by():
    # the entries' ids as a list: the database uses the index on awards.entry_id
    return (select(Award)
            .where((Award.person_id == bindparam("person_id"))
                   | Award.entry_id.in_(bindparam("entry_ids", expanding=True)))
            .order_by(Award.created_at))


@prepared
def _awards_of_person():
    return _awards_held_by().options(
        joinedload(Award.competition),
        joinedload(Award.entry).joinedload(Entry.offered_category)
        .joinedload(OfferedCategory.offered_competency)
        .joinedload(OfferedCompetency.competency))


@prepared
def _awards_of_person_alone():
    return _awards_held_by().options(joinedload(Award.competition))


def find_award(award_id: int) -> Award | None:
    return db.session.get(Award, award_id)
