"""The ``/api/v1`` imports of participants and of results protocols: JSON rows or a file,
checked (preview, writes nothing) or written all or nothing, with row-numbered problems."""
from __future__ import annotations

import csv
import io

from flask import Response, g, request

from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..importers import participants as participants_import
from ..importers import results as results_import
from ..models import Competition
from ..text import UncleanText, clean
from . import schemas
from .auth import current_api_user, operation, parse_body
from .helpers import _get, _invalid, _json, _problems
from .problems import ApiProblem, problem_response
from .routes import bp


def _unclean_cells(rows: list[dict]) -> list[dict]:
    """Control characters and bidi overrides in JSON rows, named by row, item and column, as
    the import names them in a file's cells (a CSV made of them would not read as text)."""
    found = []
    for n, item in enumerate(rows):
        for key, value in item.items():
            for text in (key, value if isinstance(value, str) else None):
                if text is None:
                    continue
                try:
                    clean(text, multiline=True)
                except UncleanText as error:
                    found.append({"row": n + 2, "item": n, "column": key[:200],
                                  "detail": error.message})
                    break
            if len(found) >= 1000:
                return found
    return found


def _import_data() -> tuple[bytes, str | None]:
    """The file of a multipart upload (``file``), or the JSON ``rows`` written as the CSV file
    the web import would read (same reader, same rows, same problems; row 1 is the header)."""
    if request.files:
        upload = request.files.get("file")
        if upload is None:
            raise _invalid("file", _("Send the spreadsheet as the form field «file»."))
        return upload.read(), (upload.filename or "")[:200] or None
    body = parse_body(schemas.ImportIn)
    g.api_json_rows = True
    if unclean := _unclean_cells(body["rows"]):
        raise ApiProblem(422, _("The file has problems; nothing would be imported."),
                         errors=unclean, slug="validation")
    headers: list[str] = []
    for item in body["rows"]:
        for key in item:
            if key not in headers:
                headers.append(key)
    if len(headers) > 100:
        raise _invalid("rows", _("Too many columns."))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(headers)
    for n, item in enumerate(body["rows"]):
        values = []
        for key in headers:
            value = item.get(key)
            if isinstance(value, dict | list):
                raise ApiProblem(422, _("The request has invalid fields."), slug="validation",
                                 errors=[{"field": f"rows.{n}.{key}", "row": n + 2, "item": n,
                                          "detail": _("A cell holds text, a number or "
                                                      "null.")}])
            values.append("" if value is None else
                          ("TRUE" if value is True else "FALSE" if value is False
                           else str(value)))
        writer.writerow(values)
    return buffer.getvalue().encode("utf-8"), None


def _participant_rows(plan) -> list[dict]:
    return [{"row": row.number, "ok": row.ok, "person": row.person_status,
             "entry": row.entry_status} for row in plan.rows[:1000]]


def _import_answer(plan, *, written: bool, counts: dict | None, rows) -> dict:
    return {"ok": plan.ok, "written": written, "rows": len(plan.rows), "counts": counts or {},
            "problems": _problems(plan.problems), "preview": rows}


def _preview_problem(plan, counts: dict, rows: list) -> Response:
    """A preview with problems: 422 problem details whose ``errors`` are the plan's problems
    (row and column), with the preview of every row as extension members."""
    return problem_response(
        422, _("The file has problems; nothing would be imported."), slug="validation",
        errors=_problems(plan.problems),
        extra={"ok": False, "written": False, "rows": len(plan.rows), "counts": counts,
               "preview": rows})


def _participants(competition_id: int, *, confirm: bool):
    competition = _get(Competition, competition_id)
    data, filename = _import_data()
    plan = participants_import.build_plan(competition, data, filename=filename)
    if not plan.ok:
        if confirm:
            raise ApiProblem(422, _("Nothing was imported."), slug="validation",
                             errors=_problems(plan.problems) or [
                                 {"detail": _("The file has a header but no rows of "
                                              "participants.")}])
        return _preview_problem(plan, plan.counts.as_dict(), _participant_rows(plan))
    if not confirm:
        return _json(_import_answer(plan, written=False, counts=plan.counts.as_dict(),
                                    rows=_participant_rows(plan)))
    counts = participants_import.apply(plan, actor=current_api_user())
    return _json(_import_answer(plan, written=True, counts=counts.as_dict(),
                                rows=_participant_rows(plan)), 201)


@bp.route("/competitions/<int:competition_id>/imports/participants/preview", methods=["POST"])
@operation(_l("Check a participants import (JSON rows or a file): every row and its problems; "
           "writes nothing"), permission="competitions.manage", scope="register",
           body=schemas.ImportIn, upload=True, response=schemas.ImportResult,
           statuses=(422,), tag="imports")
def participants_preview(competition_id: int):
    return _participants(competition_id, confirm=False)


@bp.route("/competitions/<int:competition_id>/imports/participants", methods=["POST"])
@operation(_l("Import participants (JSON rows or a file): the plan is built again and written "
           "all or nothing; 422 with row-numbered problems"), permission="competitions.manage",
           scope="register", body=schemas.ImportIn, upload=True, response=schemas.ImportResult,
           creates=True, tag="imports")
def participants_confirm(competition_id: int):
    return _participants(competition_id, confirm=True)


def _results(competition_id: int, *, confirm: bool):
    competition = _get(Competition, competition_id)
    data, filename = _import_data()
    plan = results_import.build_plan(competition, data, filename=filename)
    rows = [{"row": row.number, "ok": row.ok} for row in plan.rows[:1000]]
    if not plan.ok:
        if confirm:
            raise ApiProblem(422, _("Nothing was imported."), slug="validation",
                             errors=_problems(plan.problems) or [
                                 {"detail": _("No results to import.")}])
        return _preview_problem(plan, {}, rows)
    if not confirm:
        return _json(_import_answer(plan, written=False,
                                    counts={"results": len(plan.results)}, rows=rows))
    count = results_import.apply(plan, actor=current_api_user())
    return _json(_import_answer(plan, written=True, counts={"results": count}, rows=rows), 201)


@bp.route("/competitions/<int:competition_id>/imports/results/preview", methods=["POST"])
@operation(_l("Check a results protocol (JSON rows or a file); writes nothing"),
           permission="results.import", scope="results", body=schemas.ImportIn, upload=True,
           response=schemas.ImportResult, statuses=(422,), tag="imports")
def results_preview(competition_id: int):
    return _results(competition_id, confirm=False)


@bp.route("/competitions/<int:competition_id>/imports/results", methods=["POST"])
@operation(_l("Import a results protocol, all or nothing"), permission="results.import",
           scope="results", body=schemas.ImportIn, upload=True, response=schemas.ImportResult,
           creates=True, tag="imports")
def results_confirm(competition_id: int):
    return _results(competition_id, confirm=True)
