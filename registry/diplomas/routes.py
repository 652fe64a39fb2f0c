"""Diplomas: the competition's page (bulk download, revoked diplomas to reissue), a person's
diplomas one by one, the templates of each kind (administrators) and the public
verification page ``/verify/<code>``."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from .. import access, transaction
from ..extensions import db
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..jobs import diplomas as diploma_jobs
from ..labels import AWARD_LABELS
from ..models import DIPLOMA_KINDS, Competition, Person, utcnow
from ..security import public, requires
from ..services import diplomas as service
from ..services.diplomas.verify import Throttled, lookup
from ..views import refusals
from .forms import BulkForm, OneForm, ResetForm, TemplateForm

bp = Blueprint("diplomas", __name__)

KIND_LABELS = {**AWARD_LABELS, "participation": _l("participation certificate")}


@bp.app_context_processor
def labels():
    return {"diploma_kind_labels": KIND_LABELS,
            "revocation_reason": service.revocation_reason}


def _download(bundle: service.Bundle):
    response = make_response(bundle.data)
    response.headers["Content-Type"] = bundle.mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{bundle.filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- a competition ---------------------------------------------------------------------------

def _competition_page(competition: Competition, form: BulkForm, status: int = 200):
    return render_template("diplomas/competition.html", competition=competition, form=form,
                           overview=service.overview(competition),
                           revoked=service.revoked_in(competition)), status


@bp.route("/competitions/<int:competition_id>/diplomas")
@requires("diplomas.issue")
def competition(competition_id: int):
    competition = db.get_or_404(Competition, competition_id)
    access.require(access.can_issue_diplomas, current_user, competition.id)
    return _competition_page(competition, BulkForm())


@bp.route("/competitions/<int:competition_id>/diplomas", methods=["POST"])
@requires("diplomas.issue")
def competition_download(competition_id: int):
    competition = db.get_or_404(Competition, competition_id)
    access.require(access.can_issue_diplomas, current_user, competition.id)
    form = BulkForm()
    if not form.validate_on_submit():
        return _competition_page(competition, form, 400)
    subjects = service.competition_subjects(competition,
                                            participation=form.participation.data)
    if len(subjects) > diploma_jobs.job_size():
        # a big batch is drawn by a worker, its progress on the job's page (registry.jobs);
        # the diplomas are issued here, in this request's transaction
        issued = service.issue(subjects, actor=current_user)
        job = diploma_jobs.start_drawing(
            issued, form.format.data, service.bulk_stem(competition),
            base=service.public_base(), owner=current_user,
            label=_("Diplomas: %(competition)s", competition=competition.title))
        return redirect(url_for("jobs.status", job_id=job.id))
    bundle = service.generate_bulk(competition, form.format.data,
                                   participation=form.participation.data, actor=current_user)
    if not bundle.count:
        flash(_("This competition has no awards to give diplomas for yet."), "warning")
        return redirect(url_for("diplomas.competition", competition_id=competition.id))
    return _download(bundle)


# --- a person ---------------------------------------------------------------------------------

def _subject_value(subject: service.Subject) -> str:
    return f"award:{subject.award.id}" if subject.award is not None else (
        f"entry:{subject.entry.id}")


@bp.route("/persons/<int:person_id>/diplomas")
@requires("diplomas.issue")
def person(person_id: int):
    person = db.get_or_404(Person, person_id)
    subjects = service.person_subjects(person)
    return render_template("diplomas/person.html", person=person, form=OneForm(),
                           subjects=[(s, _subject_value(s)) for s in subjects],
                           issued=service.of_person(person))


@bp.route("/persons/<int:person_id>/diplomas", methods=["POST"])
@requires("diplomas.issue")
def person_download(person_id: int):
    person = db.get_or_404(Person, person_id)
    form = OneForm()
    chosen = None
    if form.validate_on_submit():
        chosen = next((s for s in service.person_subjects(person)
                       if _subject_value(s) == form.subject.data), None)
    if chosen is None:
        flash(_("Choose one of the diplomas listed."), "warning")
        return redirect(url_for("diplomas.person", person_id=person.id))
    if chosen.competition is not None:
        access.require(access.can_issue_diplomas, current_user, chosen.competition.id)
    diplomas = service.issue([chosen], actor=current_user)
    stem = service.bulk.file_stem(diplomas[0])
    return _download(service.bundle(diplomas, "pdf", stem))


# --- templates --------------------------------------------------------------------------------

def _kind_or_404(kind: str) -> str:
    if kind not in DIPLOMA_KINDS:
        abort(404)
    return kind


@bp.route("/admin/diplomas")
@requires("diplomas.templates")
def templates():
    return render_template("diplomas/templates.html", templates=service.templates(),
                           kinds=DIPLOMA_KINDS)


@bp.route("/admin/diplomas/<kind>", methods=["GET", "POST"])
@requires("diplomas.templates")
def template_edit(kind: str):
    kind = _kind_or_404(kind)
    wording = service.wording(kind)
    form = TemplateForm(obj=SimpleNamespace(**{n: getattr(wording, n)
                                               for n in service.TEXT_FIELDS}))
    if form.validate_on_submit():
        upload = form.background.data
        data = upload.read(service.templates_module.BACKGROUND_MAX_BYTES + 1) if (
            upload and getattr(upload, "filename", "")) else None
        with refusals(form) as attempt:
            service.save_template(kind, {n: form[n].data for n in service.TEXT_FIELDS},
                                  background=data,
                                  remove_background=form.remove_background.data,
                                  actor=current_user)
        if attempt.ok:
            flash(_("The template has been saved."), "success")
            return redirect(url_for("diplomas.template_edit", kind=kind))
    return render_template("diplomas/template_form.html", form=form, kind=kind,
                           wording=wording, reset_form=ResetForm())


@bp.route("/admin/diplomas/<kind>/reset", methods=["POST"])
@requires("diplomas.templates")
def template_reset(kind: str):
    kind = _kind_or_404(kind)
    if ResetForm().validate_on_submit():
        service.reset_template(kind, actor=current_user)
        flash(_("The default texts are back."), "success")
    return redirect(url_for("diplomas.template_edit", kind=kind))


SAMPLE = {
    "name_printed": "Иванова Мария Петровна",
    "competition_printed": "Чемпионат по профессиональному мастерству «Профессионалы» 2025",
    "details": {"stage": "региональный этап", "region": "Оренбургская область",
                "competency": "Сварочные технологии", "category": "Основная",
                "dates": "1–5 марта 2025 г."},
}


@bp.route("/admin/diplomas/<kind>/preview.pdf")
@requires("diplomas.templates")
def template_preview(kind: str):
    """The template drawn with made-up data, and a code that verifies nothing."""
    kind = _kind_or_404(kind)
    wording = service.wording(kind)
    details = dict(SAMPLE["details"], title=wording.title,
                   award_line=wording.award_line if kind != "special" else "Приз партнёра",
                   place={"gold": 1, "silver": 2, "bronze": 3, "winner": 1,
                          "prize_winner": 2}.get(kind))
    sample = SimpleNamespace(**SAMPLE, kind=kind, code="PREVIEW-NOT-A-DIPLOMA",
                             issued_at=utcnow())
    sample.details = {k: v for k, v in details.items() if v is not None}
    sheet = service.render_module.Sheet()
    sheet.add(sample, wording, service.verify_url(sample.code))
    response = make_response(sheet.output())
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="preview-{kind}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- verification -----------------------------------------------------------------------------

@bp.route(service.VERIFY_PATH + "<code>")
@public
def verify(code: str):
    """Public: whether a diploma is genuine. An unknown code is a 404 «not genuine»; too many
    unknown codes from one address are a 429."""
    try:
        diploma = lookup(code, request.remote_addr or "")
    except Throttled as wait:
        response = render_template("diplomas/verify.html", diploma=None, throttled=True,
                                   wait=int(wait.wait) + 1)
        return response, 429, {"Retry-After": str(int(wait.wait) + 1)}
    if diploma is None:
        transaction.keep()  # the failed lookup counts, though the answer is a 404
        return render_template("diplomas/verify.html", diploma=None, throttled=False), 404
    return render_template("diplomas/verify.html", diploma=diploma, throttled=False,
                           today=date.today())
