"""Score sheets: saving marks, and the sheet's states and their transitions.

``TRANSITIONS`` is the one table of what may happen to a sheet, from which states, and who
may do it (an ``access`` predicate on the sheet's competency)::

    save     no sheet, draft, submitted → draft     an assigned expert   (a submitted sheet
                                                                          whose marks change:
                                                                          the saver confirms
                                                                          the withdrawal first)
    submit   draft                      → submitted an assigned expert   (every mark given)
    confirm  submitted                  → confirmed the chief expert or  (not an author of
             and locked                             a deputy              the current marks)
    override submitted                  → confirmed an organiser         (with a reason, only
             and locked                                                   when no chief or
                                                                          deputy may confirm)
    unlock   confirmed                  → draft     the chief expert     (with a reason)
             and unlocked

``signoff(sheet)`` says who may confirm a submitted sheet, and when nobody assigned may, the
way out (another deputy, or an organiser's override); a save that returns a submitted sheet to
draft is kept as a "withdraw" version, so that the sheet shows who withdrew it
(``withdrawal``).

Every save is a new version with its author; a sheet is saved on the version it was based on
or refused with a conflict (optimistic locking, checked again by the database).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ... import access
from ...extensions import db
from ...i18n import gettext as _
from ...i18n import lazy_gettext as _l
from ...models import (
    Criterion,
    ExpertAssignment,
    Mark,
    OfferedCategory,
    ScoreSheet,
    ScoreSheetVersion,
    utcnow,
)
from ...text import squashed
from ...timezones import local_datetime
from .. import ServiceError
from ..audit import record
from .assignments import conflicts
from .marks import _entry_label, _fmt, _parse_mark
from .queries import check_sheet_target, find_sheet, mark_authors, sheet_entries, signoff

DRAFT, SUBMITTED, CONFIRMED = "draft", "submitted", "confirmed"


class SheetConflict(ServiceError):
    """Someone else saved the sheet after the version this save was based on."""


class MarkProblems(ServiceError):
    """Marks that cannot be saved. ``message`` says it all at once; ``cells`` maps
    ``(entry_id, aspect_id)`` to the problem of that cell, for the page to show beside the
    inputs."""

    def __init__(self, message: str, cells: dict[tuple[int, int], str]):
        super().__init__(message)
        self.cells = cells


class WithdrawalNeeded(ServiceError):
    """The save would return a submitted sheet to draft and the saver has not confirmed that."""


@dataclass(frozen=True)
class Transition:
    sources: frozenset  # the states it starts from; None: no sheet yet
    target: str
    who: Callable  # an ``access`` predicate on the offered competency
    not_allowed: str  # the refusal when ``who`` says no
    wrong_state: str  # the refusal when the sheet is in another state
    locked: bool | None = None  # the lock afterwards; None: unchanged


TRANSITIONS: dict[str, Transition] = {
    "save": Transition(
        frozenset({None, DRAFT, SUBMITTED}), DRAFT, access.can_mark,
        _l("You are not assigned to this competency."),
        _l("This sheet is confirmed and locked; the chief expert can unlock it with a reason.")),
    "submit": Transition(
        frozenset({DRAFT}), SUBMITTED, access.can_mark,
        _l("You are not assigned to this competency."),
        _l("Only a draft sheet can be submitted.")),
    "confirm": Transition(
        frozenset({SUBMITTED}), CONFIRMED, access.can_confirm,
        _l("Only the chief expert or a deputy chief expert of this competency confirms "
           "sheets."),
        _l("Only a submitted sheet can be confirmed."), locked=True),
    "override": Transition(
        frozenset({SUBMITTED}), CONFIRMED, access.can_override_signoff,
        _l("Only organisers record a confirmation override."),
        _l("Only a submitted sheet can be confirmed."), locked=True),
    "unlock": Transition(
        frozenset({CONFIRMED}), DRAFT, access.is_chief,
        _l("Only the chief expert of this competency unlocks sheets."),
        _l("This sheet is not locked."), locked=False),
}


def _allow(action: str, actor, offered: OfferedCategory) -> None:
    """Refuse unless ``actor`` may do ``action`` on the sheets of ``offered``'s competency.
    Unlike other operations, a sheet is never changed by the system: ``actor`` is required."""
    transition = TRANSITIONS[action]
    access.check(transition.who, actor, offered.offered_competency_id, transition.not_allowed)


def _check_state(action: str, sheet: ScoreSheet | None) -> None:
    transition = TRANSITIONS[action]
    if (sheet.status if sheet is not None else None) not in transition.sources:
        raise ServiceError(str(transition.wrong_state))


def _move(action: str, sheet: ScoreSheet) -> tuple[str, str]:
    """Put ``sheet`` in the state ``action`` leads to; returns (old, new) status."""
    transition = TRANSITIONS[action]
    old = sheet.status
    sheet.status = transition.target
    if transition.locked is not None:
        sheet.locked = transition.locked
    return old, sheet.status


def _record_transition(action: str, sheet: ScoreSheet, offered: OfferedCategory,
                       criterion: Criterion, actor, old: str, new: str,
                       version_reason: str | None = None, **details) -> ScoreSheet:
    """After a transition: flush (or report a conflict), keep the version, audit it."""
    _touch(sheet, actor)
    _flush_or_conflict(sheet)
    _new_version(sheet, action, actor, reason=version_reason)
    record(f"sheet.{action}", sheet, user=actor,
           competition_id=offered.offered_competency.competition_id,
           criterion=criterion.code, category=offered.category.name, old=old, new=new,
           **details)
    db.session.flush()
    return sheet


def _marks_snapshot(sheet: ScoreSheet) -> dict:
    return {f"{m.entry_id}:{m.aspect_id}": {"value": _fmt(m.value), "judges": m.judge_scores}
            for m in sorted(sheet.marks, key=lambda m: (m.entry_id, m.aspect_id))}


def _conflict_message(sheet: ScoreSheet | None) -> str:
    if sheet is None:
        return _("Someone else saved this sheet after you opened it. Reload it, check the "
                 "marks and save again.")
    return _("%(name)s saved this sheet at %(time)s, after you opened it (version %(v)d). "
             "Your changes were not saved: reload the sheet, check the marks and save again.",
             name=sheet.updated_by.display_name if sheet.updated_by else "?",
             time=local_datetime(sheet.updated_at,
                                 sheet.offered_category.offered_competency.competition,
                                 format="%H:%M:%S"),
             v=sheet.version)


def _new_version(sheet: ScoreSheet, action: str, actor, reason: str | None = None) -> None:
    db.session.add(ScoreSheetVersion(sheet=sheet, number=sheet.version, action=action,
                                     author_id=getattr(actor, "id", None), reason=reason,
                                     marks=_marks_snapshot(sheet), created_at=utcnow()))


def _touch(sheet: ScoreSheet, actor) -> None:
    sheet.updated_at = utcnow()
    sheet.updated_by_id = getattr(actor, "id", None)


def _flush_or_conflict(sheet: ScoreSheet | None) -> None:
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError) as error:
        # A failed flush leaves the session unusable until it rolls back; the request is
        # refused anyway, and the message needs to read who saved first.
        db.session.rollback()
        raise SheetConflict(_conflict_message(
            find_sheet(sheet.offered_category_id, sheet.criterion_id) if sheet else None)
        ) from error


def _check_base(sheet: ScoreSheet | None, base_version: int) -> None:
    current = sheet.version if sheet is not None else 0
    if current != base_version:
        raise SheetConflict(_conflict_message(sheet))


def save_marks(offered: OfferedCategory, criterion: Criterion, values: dict, base_version: int,
               *, actor, withdraw: bool = True) -> ScoreSheet:
    """Save a sheet: ``values`` maps ``(entry_id, aspect_id)`` to the raw input (a string, or
    the judges' scores as a list); a blank value clears a mark, a missing one keeps it.

    Changing a submitted sheet withdraws it (back to draft, a "withdraw" version): with
    ``withdraw=False`` (the sheet page, until the expert has confirmed it) such a save is
    refused with ``WithdrawalNeeded`` and nothing changes."""
    check_sheet_target(offered, criterion)
    _allow("save", actor, offered)
    assignment: ExpertAssignment = access.assignment_of(actor, offered.offered_competency_id)
    sheet = find_sheet(offered.id, criterion.id)
    _check_base(sheet, base_version)
    _check_state("save", sheet)
    entries = {e.id: e for e in sheet_entries(offered.id)}
    aspects = {a.id: a for a in criterion.aspects}
    conflicted = conflicts(assignment, list(entries.values()))
    current = {}
    if sheet is not None:
        current = {(m.entry_id, m.aspect_id): m for m in sheet.marks}
    parsed, errors, cells = {}, [], {}
    for (entry_id, aspect_id), raw in values.items():
        entry, aspect = entries.get(entry_id), aspects.get(aspect_id)
        if entry is None or aspect is None:
            errors.append(_("A mark is for an entry or aspect that is not on this sheet."))
            continue
        try:
            result = _parse_mark(aspect, raw, entry)
        except ServiceError as error:
            errors.append(error.message)
            cells[(entry_id, aspect_id)] = error.message
            continue
        old = current.get((entry_id, aspect_id))
        unchanged = (old is None and result is None) or (
            old is not None and result is not None and old.value == result[0]
            and (old.judge_scores or None) == result[1])
        if unchanged:
            continue
        if entry_id in conflicted:
            errors.append(_("%(entry)s: you cannot mark this entry, %(why)s.",
                            entry=_entry_label(entry), why=conflicted[entry_id]))
            cells[(entry_id, aspect_id)] = errors[-1]
            continue
        parsed[(entry_id, aspect_id)] = result
    if errors:
        raise MarkProblems(" ".join(dict.fromkeys(errors)), cells)
    if parsed and not withdraw and sheet is not None and sheet.status == SUBMITTED:
        raise WithdrawalNeeded(_(
            "This sheet is submitted. Saving your changes returns it to draft: it has to be "
            "submitted and confirmed again. Confirm that you want to save."))
    if sheet is None:
        sheet = ScoreSheet(offered_category_id=offered.id, criterion_id=criterion.id,
                           status=DRAFT)
        db.session.add(sheet)
    changes = []
    for (entry_id, aspect_id), result in parsed.items():
        old = current.get((entry_id, aspect_id))
        change = {"entry": entry_id, "aspect": aspect_id,
                  "old": _fmt(old.value) if old else None,
                  "new": _fmt(result[0]) if result else None}
        if result is not None and old is not None and (old.judge_scores or result[1]):
            change["judges"] = [old.judge_scores, result[1]]
        changes.append(change)
        if result is None:
            sheet.marks.remove(old)
            db.session.delete(old)
        elif old is None:
            sheet.marks.append(Mark(entry_id=entry_id, aspect_id=aspect_id, value=result[0],
                                    judge_scores=result[1]))
        else:
            old.value, old.judge_scores = result[0], result[1]
    old_status = sheet.status
    if changes:
        _move("save", sheet)  # a changed sheet is submitted again
    _touch(sheet, actor)
    _flush_or_conflict(sheet)
    withdrawn = old_status == SUBMITTED and sheet.status == DRAFT
    _new_version(sheet, "withdraw" if withdrawn else "save", actor)
    _flush_or_conflict(sheet)
    if changes:
        record("mark.change", sheet, user=actor,
               competition_id=offered.offered_competency.competition_id,
               criterion=criterion.code, category=offered.category.name,
               version=sheet.version, changes=changes,
               status=[old_status, sheet.status] if old_status != sheet.status else None)
    db.session.flush()
    return sheet


def _sheet_for_action(action: str, offered: OfferedCategory, criterion: Criterion,
                      base_version: int | None) -> ScoreSheet:
    check_sheet_target(offered, criterion)
    sheet = find_sheet(offered.id, criterion.id)
    if sheet is None:
        raise ServiceError(_("Nothing has been marked on this sheet yet."))
    if base_version is not None:
        _check_base(sheet, base_version)
    _check_state(action, sheet)
    return sheet


def missing_marks(sheet: ScoreSheet, criterion: Criterion) -> int:
    entries = sheet_entries(sheet.offered_category_id)
    have = {(m.entry_id, m.aspect_id) for m in sheet.marks}
    return sum(1 for e in entries for a in criterion.aspects if (e.id, a.id) not in have)


def submit_sheet(offered: OfferedCategory, criterion: Criterion, base_version: int | None = None,
                 *, actor) -> ScoreSheet:
    _allow("submit", actor, offered)
    sheet = _sheet_for_action("submit", offered, criterion, base_version)
    missing = missing_marks(sheet, criterion)
    if missing:
        raise ServiceError(_("%(n)d marks are missing; mark every entry on every aspect "
                             "before submitting.", n=missing))
    old, new = _move("submit", sheet)
    sheet.submitted_at, sheet.submitted_by_id = utcnow(), actor.id
    return _record_transition("submit", sheet, offered, criterion, actor, old, new,
                              version=sheet.version)


def confirm_sheet(offered: OfferedCategory, criterion: Criterion,
                  base_version: int | None = None, *, actor) -> ScoreSheet:
    """The chief expert or a deputy signs the sheet off: confirmed and locked. Not by an
    author of the current marks (``queries.mark_authors``)."""
    _allow("confirm", actor, offered)
    sheet = _sheet_for_action("confirm", offered, criterion, base_version)
    if actor.id in mark_authors(sheet):
        raise ServiceError(_("You entered marks on this sheet; another expert must have "
                             "entered the marks you confirm."))
    old, new = _move("confirm", sheet)
    sheet.confirmed_at, sheet.confirmed_by_id = utcnow(), actor.id
    return _record_transition("confirm", sheet, offered, criterion, actor, old, new,
                              locked=sheet.locked, version=sheet.version)


def override_confirmation(offered: OfferedCategory, criterion: Criterion, reason: str,
                          base_version: int | None = None, *, actor) -> ScoreSheet:
    """An organiser confirms a submitted sheet that no chief or deputy of the competency may
    confirm (each wrote marks on it), stating why: a version "override" with the reason."""
    _allow("override", actor, offered)
    reason = squashed(reason)
    if not reason:
        raise ServiceError(_("State the reason for the override."), field="reason")
    sheet = _sheet_for_action("override", offered, criterion, base_version)
    confirmers = signoff(sheet).confirmers
    if confirmers:
        raise ServiceError(_("%(names)s can confirm this sheet; an override is only for a "
                             "sheet that nobody assigned can confirm.",
                             names=", ".join(u.display_name for u in confirmers)))
    old, new = _move("override", sheet)
    sheet.confirmed_at, sheet.confirmed_by_id = utcnow(), actor.id
    return _record_transition("override", sheet, offered, criterion, actor, old, new,
                              version_reason=reason[:500], locked=sheet.locked, reason=reason,
                              version=sheet.version)


def unlock_sheet(offered: OfferedCategory, criterion: Criterion, reason: str,
                 base_version: int | None = None, *, actor) -> ScoreSheet:
    _allow("unlock", actor, offered)
    reason = squashed(reason)
    if not reason:
        raise ServiceError(_("State the reason for unlocking."), field="reason")
    sheet = _sheet_for_action("unlock", offered, criterion, base_version)
    old, new = _move("unlock", sheet)
    sheet.submitted_at = sheet.submitted_by_id = None
    return _record_transition("unlock", sheet, offered, criterion, actor, old, new,
                              version_reason=reason[:500], locked=sheet.locked, reason=reason,
                              version=sheet.version)
