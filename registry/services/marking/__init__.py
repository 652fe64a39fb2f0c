"""Marking: expert assignments, marking schemes, score sheets and their sign-off.

Rules, one place each:
- who may do what to which competency or competition: the predicates of ``registry.access``
  (an expert sees and changes only the competencies they are assigned to, in a role: expert,
  deputy chief expert or the one chief expert; the chief and deputies confirm sheets, the
  chief unlocks them with a reason; organisers and the chief expert manage the scheme;
  organisers record an override when no chief or deputy may confirm), enforced by the
  operations here;
- a marking scheme is frozen once the first score sheet of its competency exists
  (``schemes``);
- measurement marks are 0..max in steps of 0.01; judgement marks are the mean of the judges'
  0–3 scores scaled to the aspect's maximum (``marks``);
- a sheet's states and who moves it between them: one table, ``sheets.TRANSITIONS``; every
  save is a new version with its author; a sheet is saved on the version it was based on or
  refused with a conflict (optimistic locking, checked again by the database);
- a confirmation is by someone other than the authors of the marks it confirms
  (``queries.mark_authors``); ``queries.signoff`` names who may confirm or the way out;
  confirmed sheets are locked;
- an expert does not mark entries from their own organisation (or region, when the
  assignment names one): conflicts are loaded once per sheet and answered in memory
  (``assignments.conflicts``).

The modules: ``assignments``, ``schemes``, ``sheets`` (operations), ``queries`` (reads for the
pages), ``marks`` (values). Callers use ``from registry.services import marking`` and
``marking.save_marks(...)``: the names are re-exported here.
"""
from .assignments import assign_expert, conflicts, remove_assignment
from .marks import (
    CENT,
    JUDGES_ON_FORM,
    MAX_ASPECT_MARKS,
    MAX_JUDGE_SCORE,
    MIN_JUDGES,
    judgement_mark,
    max_judges,
    parse_decimal,
)
from .queries import (
    SHEET_STATUSES,
    CompetencyOverview,
    HistoryRow,
    MarkChange,
    SheetData,
    SheetFilters,
    SignOff,
    assignable_experts,
    check_sheet_target,
    competency_choices,
    competency_overview,
    competition_assignments,
    competition_of,
    expert_overview,
    find_offered_competency,
    find_sheet,
    load_sheet,
    mark_authors,
    my_assignments,
    offered_competencies,
    organisations_for_choice,
    regions_for_choice,
    scheme,
    scheme_frozen,
    sheet_counts_by,
    sheet_entries,
    sheet_history,
    sheet_history_changes,
    sheet_list,
    sheets_overview,
    signoff,
    stuck_sheets,
    visible_competitions,
    withdrawal,
    withdrawals,
)
from .schemes import (
    KIND_WORDS,
    SchemeRow,
    add_aspect,
    add_criterion,
    delete_aspect,
    delete_criterion,
    import_scheme,
)
from .sheets import (
    TRANSITIONS,
    MarkProblems,
    SheetConflict,
    Transition,
    WithdrawalNeeded,
    confirm_sheet,
    missing_marks,
    override_confirmation,
    save_marks,
    submit_sheet,
    unlock_sheet,
)

__all__ = [
    "CENT", "JUDGES_ON_FORM", "KIND_WORDS", "MAX_ASPECT_MARKS", "MAX_JUDGE_SCORE", "MIN_JUDGES",
    "TRANSITIONS", "CompetencyOverview", "HistoryRow", "MarkChange", "MarkProblems",
    "SchemeRow", "SheetConflict", "SheetData", "Transition", "add_aspect", "add_criterion",
    "assign_expert", "assignable_experts", "check_sheet_target", "competency_overview",
    "competition_assignments", "competition_of", "confirm_sheet", "conflicts", "delete_aspect",
    "delete_criterion", "expert_overview", "find_offered_competency", "find_sheet", "max_judges",
    "import_scheme", "judgement_mark", "load_sheet", "missing_marks", "my_assignments",
    "competency_choices", "offered_competencies", "organisations_for_choice", "parse_decimal", "regions_for_choice",
    "remove_assignment", "save_marks", "scheme", "scheme_frozen", "sheet_entries",
    "sheet_history", "sheet_history_changes", "sheets_overview", "submit_sheet",
    "unlock_sheet", "visible_competitions", "SignOff", "WithdrawalNeeded", "mark_authors",
    "override_confirmation", "signoff", "stuck_sheets", "withdrawal", "withdrawals",
    "SHEET_STATUSES", "SheetFilters", "sheet_counts_by", "sheet_list",
]
