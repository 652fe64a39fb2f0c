"""Organisations, persons, entries and teams; the participants list of a competition.

Views read the request, call one operation and render or redirect; on a broken rule
(``ServiceError``) the request is refused (nothing is written) and the message is shown on the
form (``registry.views.refusals``), never a 500. Reads are in ``queries.py``.

The organisation pages of the same blueprint are in ``organisations.py``, a person's health
record (special-category data) in ``health_pages.py``; this module keeps
the persons, entries, teams and participants list, whose forms share the helpers at the top.
"""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from ..awards.forms import RevokeForm
from ..extensions import db
from ..fields import parse_id
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..i18n import lazy_pgettext
from ..models import (
    ENTRY_STATUSES,
    Competition,
    Entry,
    Person,
)
from ..security import can, requires
from ..services import advancement, person_history, person_numbers
from ..services import persons as person_service
from ..services import registration as reg
from ..text import Phrase, quoted
from ..views import refusals
from . import queries
from .forms import (
    STAGE_LABELS,
    STATUS_LABELS,
    AddMemberForm,
    EntryForm,
    EntryStatusForm,
    OutOfCompetitionForm,
    PersonEntryForm,
    PersonForm,
    RemoveMemberForm,
    TeamForm,
    _blank_choice,
)

# Flash messages about a person: Russian agrees them with the person (registry.text.Phrase).
ADDED = Phrase(_l("%(name)s added."),
               lazy_pgettext("male", "%(name)s added."),
               lazy_pgettext("female", "%(name)s added."))
REGISTERED = Phrase(_l("%(name)s registered."),
                    lazy_pgettext("male", "%(name)s registered."),
                    lazy_pgettext("female", "%(name)s registered."))
ADDED_AND_REGISTERED = Phrase(_l("%(name)s added and registered."),
                              lazy_pgettext("male", "%(name)s added and registered."),
                              lazy_pgettext("female", "%(name)s added and registered."))
ADDED_TO_TEAM = Phrase(_l("%(name)s added to the team."),
                       lazy_pgettext("male", "%(name)s added to the team."),
                       lazy_pgettext("female", "%(name)s added to the team."))
REMOVED_FROM_TEAM = Phrase(_l("%(name)s removed from the team."),
                           lazy_pgettext("male", "%(name)s removed from the team."),
                           lazy_pgettext("female", "%(name)s removed from the team."))

bp = Blueprint("registration", __name__)


# --- helpers -------------------------------------------------------------------------------

def _int_arg(name: str) -> int | None:
    """An id or a page number from the query string; None unless it is one."""
    return parse_id(request.args.get(name, ""))


def _page_arg() -> int:
    return _int_arg("page") or 1


def _list_args() -> dict:
    """The current page's URL arguments and filters, for links that keep them (sort, pages)."""
    args = dict(request.view_args or {})
    args.update((k, v) for k, v in request.args.items() if v and k != "page")
    return args


def _per_page() -> int:
    return int(current_app.config.get("PAGE_SIZE", 50))


# Service field names that the forms of this area spell differently.
_FIELD_ALIASES = {"category": "offered_category_id", "competency": "offered_category_id",
                  "region": "region_id"}


def _competition_page(competition: Competition) -> str:
    if "competitions.detail" in current_app.view_functions:
        return url_for("competitions.detail", competition_id=competition.id)
    return url_for("registration.participants", competition_id=competition.id)


def _offered_form(form_class, competition: Competition):
    """A registration form whose category choices are what ``competition`` offers."""
    form = form_class()
    form.offered_category_id.choices = _blank_choice() + queries.offered_choices(competition)
    return form


def _registration_form(form_class, competition_id: int):
    """The competition (404 if none), its registration form and the person search text."""
    competition = db.get_or_404(Competition, competition_id)
    return competition, _offered_form(form_class, competition), request.args.get("q", "").strip()


@bp.app_context_processor
def _registration_globals():
    return {"entry_status_labels": STATUS_LABELS, "stage_labels": STAGE_LABELS,
            "list_args": _list_args}


# --- persons -------------------------------------------------------------------------------

def _person_data(form: PersonForm, *, actor) -> person_service.PersonData:
    """The form's values as ``PersonData``; the organisation is found or created."""
    region = queries.region(form.region_id.data)
    organisation = None
    if (form.organisation.data or "").strip():
        organisation, _created = reg.get_or_create_organisation(
            form.organisation.data, region, actor=actor
        )
    return person_service.PersonData(
        last_name=form.last_name.data, first_name=form.first_name.data,
        middle_name=form.middle_name.data, birth_date=form.birth_date.data, region=region,
        organisation=organisation, email=form.email.data, phone=form.phone.data,
        consent_date=form.consent_date.data, guardian_name=form.guardian_name.data,
        guardian_consent_date=form.guardian_consent_date.data,
        publication_consent=form.publication_consent.data,
        guardian_publication_consent=form.guardian_publication_consent.data,
    )


def _duplicate(form: PersonForm, person: Person | None = None) -> Person | None:
    """The other person with the same name and birth date, if any."""
    existing = person_service.find_person(form.last_name.data or "", form.first_name.data or "",
                                          form.middle_name.data, form.birth_date.data)
    if existing is not None and (person is None or existing.id != person.id):
        return existing
    return None


def _create_person(form: PersonForm, register_in: Competition | None = None):
    """Create the person of ``form`` (and register them in ``register_in``) unless another
    person has the same name and birth date: ``(that other person, None)``; a refusal is
    shown on the form: ``(None, None)``."""
    existing = _duplicate(form)
    if existing is not None:
        return existing, None
    with refusals(form, _FIELD_ALIASES) as attempt:
        person = person_service.create_person(_person_data(form, actor=current_user),
                                              actor=current_user)
        if register_in is not None:
            reg.register(queries.offered_in(register_in, form.offered_category_id.data),
                         [person], actor=current_user)
    return None, (person if attempt.ok else None)


def _prepare_person_form(form: PersonForm, person: Person | None = None) -> None:
    form.region_id.choices = _blank_choice() + queries.region_choices()
    if person is None:
        return
    if request.method == "GET":
        form.region_id.data = person.region_id
    if request.method == "GET" or "organisation" not in request.form:  # a name, not the row
        form.organisation.data = person.organisation.name if person.organisation else ""


@bp.route("/persons")
@requires("persons.view")
def persons():
    q = request.args.get("q", "").strip()
    region_id = _int_arg("region_id")
    organisation_id = _int_arg("organisation_id")
    page = queries.persons(q=q, region_id=region_id, organisation_id=organisation_id,
                           page=_page_arg(), per_page=_per_page())
    return render_template(
        "registration/persons.html", page=page, q=q, region_id=region_id,
        organisation_id=organisation_id, regions=queries.region_choices(),
        consent_missing=person_service.missing_consents,
    )


@bp.route("/persons/new", methods=["GET", "POST"])
@requires("persons.manage")
def person_create():
    form = PersonForm()
    _prepare_person_form(form)
    existing = None
    if form.validate_on_submit():
        existing, person = _create_person(form)
        if person is not None:
            flash(ADDED.of(person), "success")
            return redirect(url_for("registration.person_detail", person_id=person.id))
    return render_template("registration/person_form.html", form=form, person=None,
                           existing=existing,
                           organisation_names=queries.organisation_names(form.region_id.data))


@bp.route("/persons/<int:person_id>")
@requires("persons.view")
def person_detail(person_id: int):
    person = queries.person_with_places(person_id)
    if person is None:
        # merged into another: the old address leads to the survivor
        survivor_id = person_numbers.survivor_of(person_id)
        if survivor_id is None:
            abort(404)
        # 302, not 301: an undone merge brings the old address back
        return redirect(url_for("registration.person_detail", person_id=survivor_id))
    health = queries.health_record(person) if can("health.view") else None
    entries = queries.person_entries(person)
    results = person_history.published_results(entries)
    awards, award_competencies = person_history.awards(person, entries)
    return render_template(
        "registration/person_detail.html", person=person, entries=entries,
        health=health, consent_missing=person_service.missing_consents(person),
        competition_page=_competition_page,
        results=results, path=advancement.person_path(entries, results),
        awards=awards, award_competencies=award_competencies,
        offers=person_history.offers_of_person(person), revoke_form=RevokeForm(),
    )


@bp.route("/persons/by-number/<number>")
@requires("persons.view")
def person_by_number(number: str):
    """«П-000123» (or a number merged away) leads to the person's page."""
    value = person_numbers.parse_number(number)
    person = person_numbers.find_by_number(value)[0] if value is not None else None
    if person is None:
        abort(404)
    return redirect(url_for("registration.person_detail", person_id=person.id))


@bp.route("/persons/<int:person_id>/edit", methods=["GET", "POST"])
@requires("persons.manage")
def person_edit(person_id: int):
    person = db.get_or_404(Person, person_id)
    form = PersonForm(obj=person)
    _prepare_person_form(form, person)
    existing = None
    if form.validate_on_submit():
        existing = _duplicate(form, person)
        if existing is None:
            with refusals(form, _FIELD_ALIASES) as attempt:
                person_service.update_person(person, _person_data(form, actor=current_user),
                                             actor=current_user)
            if attempt.ok:
                flash(_("Changes saved."), "success")
                return redirect(url_for("registration.person_detail", person_id=person.id))
    return render_template("registration/person_form.html", form=form, person=person,
                           existing=existing,
                           organisation_names=queries.organisation_names(form.region_id.data))


# --- the participants of a competition -----------------------------------------------------

SORT_KEYS = tuple(queries.SORTS)


@bp.route("/competitions/<int:competition_id>/participants")
@requires("persons.view")
def participants(competition_id: int):
    competition = db.get_or_404(Competition, competition_id)
    status = request.args.get("status", "")
    sort = request.args.get("sort", "name")
    filters = queries.ParticipantFilters(
        q=request.args.get("q", "").strip() or None,
        region_id=_int_arg("region_id"),
        organisation_id=_int_arg("organisation_id"),
        competency_id=_int_arg("competency_id"),
        category_id=_int_arg("category_id"),
        status=status if status in ENTRY_STATUSES else None,
        sort=sort if sort in SORT_KEYS else "name",
        direction="desc" if request.args.get("dir") == "desc" else "asc",
    )
    page = queries.participants(competition, filters, page=_page_arg(), per_page=_per_page())
    return render_template(
        "registration/participants.html", competition=competition, page=page,
        filters=filters, options=queries.participant_filter_options(competition),
        statuses=ENTRY_STATUSES, consent_missing=person_service.missing_consents,
        day=reg.competition_day(competition), competition_page=_competition_page(competition),
    )


@bp.route("/competitions/<int:competition_id>/entries/new", methods=["GET", "POST"])
@requires("persons.manage")
def entry_create(competition_id: int):
    """Register an existing person: find them by name, then pick competency and category."""
    competition, form, q = _registration_form(EntryForm, competition_id)
    if request.method == "GET" and _int_arg("person_id"):
        form.person_id.data = str(_int_arg("person_id"))
    person_id = parse_id(form.person_id.data)
    person = queries.person(person_id)
    if form.validate_on_submit():
        if person is None:
            flash(_("Choose a person first."), "danger")
        else:
            with refusals(form, _FIELD_ALIASES) as attempt:
                reg.register(queries.offered_in(competition, form.offered_category_id.data), [person],
                             out_of_competition=form.out_of_competition.data,
                             actor=current_user)
            if attempt.ok:
                flash(REGISTERED.of(person), "success")
                return redirect(url_for("registration.participants",
                                        competition_id=competition.id))
    return render_template(
        "registration/entry_form.html", competition=competition, form=form, person=person,
        q=q, found=queries.find_persons(q) if q else [],
        has_offers=len(form.offered_category_id.choices) > 1,
        consent_missing=person_service.missing_consents(person, reg.competition_day(competition))
        if person else (),
    )


@bp.route("/competitions/<int:competition_id>/entries/new-person", methods=["GET", "POST"])
@requires("persons.manage")
def entry_create_person(competition_id: int):
    """Create a person and register them in one form."""
    competition = db.get_or_404(Competition, competition_id)
    form = _offered_form(PersonEntryForm, competition)
    _prepare_person_form(form)
    existing = None
    if form.validate_on_submit():
        existing, person = _create_person(form, register_in=competition)
        if person is not None:
            flash(ADDED_AND_REGISTERED.of(person), "success")
            return redirect(url_for("registration.participants",
                                    competition_id=competition.id))
    return render_template(
        "registration/entry_person_form.html", competition=competition, form=form,
        existing=existing, has_offers=len(form.offered_category_id.choices) > 1,
        organisation_names=queries.organisation_names(form.region_id.data),
    )


@bp.route("/competitions/<int:competition_id>/teams/new", methods=["GET", "POST"])
@requires("persons.manage")
def team_create(competition_id: int):
    """Register a team: a name and 2+ persons found by name."""
    competition, form, q = _registration_form(TeamForm, competition_id)
    if request.method == "POST":
        q = (request.form.get("q") or q).strip()
    posted = [n for n in map(parse_id, request.form.getlist("members")) if n is not None]
    chosen = queries.persons_by_id(posted)
    found = [row.Person for row in queries.find_persons(q, limit=50)] if q else []
    candidates = {p.id: p for p in [*chosen, *found]}
    form.members.choices = [
        (p.id, f"{p.full_name}, {p.birth_date.strftime('%d.%m.%Y')}")
        for p in candidates.values()
    ]
    if request.method == "POST" and form.find.data:
        # A search inside the form: the ticked members, the name and category stay.
        form.members.data = [i for i in posted if i in candidates]
    elif form.validate_on_submit():
        members = [candidates[i] for i in form.members.data if i in candidates]
        with refusals(form, _FIELD_ALIASES) as attempt:
            reg.register(queries.offered_in(competition, form.offered_category_id.data), members,
                         team_name=form.team_name.data,
                         out_of_competition=form.out_of_competition.data, actor=current_user)
        if attempt.ok:
            flash(_("Team %(name)s registered.", name=quoted(form.team_name.data.strip())), "success")
            return redirect(url_for("registration.participants", competition_id=competition.id))
    return render_template(
        "registration/team_form.html", competition=competition, form=form, q=q,
        has_offers=len(form.offered_category_id.choices) > 1,
    )


# --- one entry -----------------------------------------------------------------------------

def _entry_context(entry: Entry) -> dict:
    offered = entry.offered_category
    competition = offered.offered_competency.competition
    users = queries.users_by_id([entry.created_by_id, entry.status_changed_by_id])
    return {
        "entry": entry,
        "competition": competition,
        "competency": offered.offered_competency.competency,
        "category": offered.category,
        "members": queries.entry_members(entry),
        "created_by": users.get(entry.created_by_id),
        "changed_by": users.get(entry.status_changed_by_id),
        "day": reg.competition_day(competition),
        "consent_missing": person_service.missing_consents,
        "competition_page": _competition_page(competition),
    }


@bp.route("/entries/<int:entry_id>")
@requires("persons.view")
def entry_detail(entry_id: int):
    entry = db.get_or_404(Entry, entry_id)
    q = request.args.get("q", "").strip()
    found = queries.find_persons(q) if q and entry.is_team else []
    return render_template("registration/entry_detail.html", q=q, found=found,
                           status_form=EntryStatusForm(), member_form=AddMemberForm(),
                           out_form=OutOfCompetitionForm(),
                           remove_form=RemoveMemberForm(),
                           **_entry_context(entry))


@bp.route("/entries/<int:entry_id>/out-of-competition", methods=["POST"])
@requires("persons.manage")
def entry_out_of_competition(entry_id: int):
    """Mark the entry «вне конкурса», or back in competition."""
    entry = db.get_or_404(Entry, entry_id)
    form = OutOfCompetitionForm()
    if form.validate_on_submit() and form.out_of_competition.data in ("0", "1"):
        with refusals() as attempt:
            reg.set_out_of_competition(entry, form.out_of_competition.data == "1",
                                       actor=current_user)
        if attempt.ok:
            flash(_("Out of competition.") if entry.out_of_competition
                  else _("In competition."), "success")
    else:
        flash(_("The form has expired"), "danger")
    return redirect(url_for("registration.entry_detail", entry_id=entry_id))


# Statuses that end an entry's part in the competition: a confirmation step comes first.
_FINAL_STATUSES = ("withdrawn", "disqualified")


@bp.route("/entries/<int:entry_id>/status", methods=["POST"])
@requires("persons.manage")
def entry_status(entry_id: int):
    """Change the status; withdrawing or disqualifying shows what will happen first and
    changes it when that page is confirmed."""
    entry = db.get_or_404(Entry, entry_id)
    form = EntryStatusForm()
    if form.validate_on_submit():
        if (form.status.data in _FINAL_STATUSES and form.status.data != entry.status
                and not form.confirmed.data):
            return render_template("registration/entry_status_confirm.html", form=form,
                                   status_label=STATUS_LABELS.get(form.status.data,
                                                                  form.status.data),
                                   **_entry_context(entry))
        with refusals() as attempt:
            reg.set_status(entry, form.status.data, form.reason.data, actor=current_user)
        if attempt.ok:
            flash(_("Status changed: %(status)s.",
                    status=STATUS_LABELS.get(entry.status, entry.status)), "success")
    else:
        flash(_("Choose the new status."), "danger")
    return redirect(url_for("registration.entry_detail", entry_id=entry_id))


@bp.route("/entries/<int:entry_id>/members", methods=["POST"])
@requires("persons.manage")
def entry_add_member(entry_id: int):
    entry = db.get_or_404(Entry, entry_id)
    form = AddMemberForm()
    person_id = parse_id(form.person_id.data) if form.validate_on_submit() else None
    person = queries.person(person_id)
    if person is None:
        flash(_("Choose a person first."), "danger")
    else:
        with refusals() as attempt:
            reg.add_team_member(entry, person, actor=current_user)
        if attempt.ok:
            flash(ADDED_TO_TEAM.of(person), "success")
    return redirect(url_for("registration.entry_detail", entry_id=entry_id))


@bp.route("/entries/<int:entry_id>/members/<int:person_id>/remove", methods=["POST"])
@requires("persons.manage")
def entry_remove_member(entry_id: int, person_id: int):
    entry = db.get_or_404(Entry, entry_id)
    person = db.get_or_404(Person, person_id)
    if RemoveMemberForm().validate_on_submit():
        with refusals() as attempt:
            reg.remove_team_member(entry, person, actor=current_user)
        if attempt.ok:
            flash(REMOVED_FROM_TEAM.of(person), "success")
    return redirect(url_for("registration.entry_detail", entry_id=entry_id))


# The organisation and health pages register on the same blueprint.
from . import health_pages, organisations  # noqa: E402,F401
