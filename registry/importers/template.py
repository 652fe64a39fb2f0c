"""The blank participants template: an XLSX with the header row and a sheet of instructions."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..i18n import gettext as _
from ..models import Competition
from ..services.registration import MAX_TEAM_SIZE, MIN_TEAM_SIZE
from .participants import COLUMNS
from .spreadsheet import MAX_CELL_LENGTH

# A blank template is for new participants: the registry number is the export's (it is
# accepted on import, and checked, when a file carries it).
COLUMNS = tuple(c for c in COLUMNS if c.key != "number")

WIDTHS = {"birth_date": 16, "consent_date": 26, "organisation": 40, "competency": 36,
          "region": 28, "email": 28, "guardian_name": 36, "guardian_consent_date": 26,
          "publication_consent": 22, "guardian_publication_consent": 28}


def _column_help() -> dict[str, str]:
    return {
        "last_name": _("Required."),
        "first_name": _("Required."),
        "middle_name": _("Optional."),
        "birth_date": _("Required. DD.MM.YYYY (e.g. 14.03.2007), YYYY-MM-DD, or an Excel date."),
        "region": _("Required. A subject of the Russian Federation, e.g. «Республика Татарстан»,"
                    " «Татарстан», «г. Москва», «ХМАО»."),
        "organisation": _("Required. The educational organisation or the employer; matched by "
                          "name within the region, created if new."),
        "competency": _("Required. The competency name as in the reference data; one the "
                        "competition does not offer yet is added to it."),
        "category": _("Required. A category of this competition's kind."),
        "team": _("Optional. Rows with the same team name in one competency and category form "
                  "one team entry (%(low)d–%(high)d members).", low=MIN_TEAM_SIZE, high=MAX_TEAM_SIZE),
        "email": _("Optional."),
        "phone": _("Optional."),
        "consent_date": _("Optional. The date of the consent to processing personal data, "
                          "DD.MM.YYYY."),
        "guardian_name": _("For a minor: the parent or other legal guardian who gave the "
                           "consent, full name."),
        "guardian_consent_date": _("For a minor: the date of the guardian's consent to "
                                   "processing personal data, DD.MM.YYYY."),
        "publication_consent": _("Optional. «да» if the participant consented to the "
                                 "publication of results (the full name on the public pages); "
                                 "otherwise the surname and initials are shown."),
        "guardian_publication_consent": _("For a minor: «да» if the parent or guardian "
                                          "consented to the publication of results."),
        "out_of_competition": _("Optional. «да» for a guest, foreign or over-age competitor "
                                "who takes part out of competition (points, no place, no "
                                "award); empty or «нет» otherwise. A team's rows agree."),
    }


def participants_template(competition: Competition | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Участники"
    sheet.append([c.header for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = WIDTHS.get(column.key, 18)
        if column.key.endswith("date"):
            sheet.column_dimensions[letter].number_format = "DD.MM.YYYY"
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("Инструкция")
    notes.column_dimensions["A"].width = 30
    notes.column_dimensions["B"].width = 14
    notes.column_dimensions["C"].width = 90
    notes.append([_("How to fill in the sheet «Участники»")])
    notes["A1"].font = Font(bold=True)
    for line in (
        _("One row per participant; the first row names the columns (any order). The column "
          "names in English (last_name, first_name …) are accepted too."),
        _("If any row has a problem, nothing is imported; the preview lists every problem with "
          "its row and column."),
        _("Importing the same file again creates nothing new: persons are matched by name and "
          "birth date, entries that exist are skipped."),
        _("Do not use formulas; a cell is at most %(n)d characters.", n=MAX_CELL_LENGTH),
    ):
        notes.append([line])
    notes.append([])
    notes.append([_("Column"), _("Field"), _("What to write")])
    for cell in notes[notes.max_row]:
        cell.font = Font(bold=True)
    helps = _column_help()
    for column in COLUMNS:
        notes.append([column.header, column.key, helps[column.key]])
    if competition is not None:
        notes.append([])
        notes.append([_("Categories of %(kind)s", kind=competition.kind.short_name),
                      None, ", ".join(c.name for c in competition.kind.categories)])
        offered = sorted(oc.competency.name for oc in competition.competencies)
        if offered:
            notes.append([_("Competencies offered"), None, "; ".join(offered)])
    for row in notes.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
