"""The public pages (``/public/…``): anyone, without logging in, sees released competitions
and their published results only.

Each page is a function of its address alone (the language is the ``lang`` parameter, never
the session), so that it can be cached by anyone: ``Cache-Control: public``, an ETag and a
Last-Modified from the release and the publications (``public_results.*_validators``), and a
304 answered before anything is rendered. The pages never load the user and set no cookie;
they carry ``Vary: Cookie`` (Flask adds it whenever anything looks at the session, as
Flask-Login does after every request), so a shared cache keeps one copy for every visitor
without a cookie, and staff get the very same page.
"""
from __future__ import annotations

from dataclasses import replace
from functools import cache, wraps

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from werkzeug.http import is_resource_modified

from ..fields import choices, parse_id
from ..i18n import gettext as _
from ..labels import AWARD_LABELS, STAGE_LABELS
from ..medals import figures
from ..security import public
from ..services import public_results as pub
from ..services import public_search
from ..services import public_snapshots as snapshots
from ..services import reference as reference_service
from ..services import regions as region_service
from .forms import CompetitionFilterForm, MedalFilterForm, SearchForm

bp = Blueprint("public", __name__)

MAX_AGE = 300  # seconds a cache may keep a page without asking again
MAX_PAGE = 10_000


def _lang() -> str:
    if "public_lang" not in g:
        lang = request.args.get("lang")
        g.public_lang = (lang if lang in current_app.config["LANGUAGES"]
                         else current_app.config["BABEL_DEFAULT_LOCALE"])
    return g.public_lang


def localised(view):
    """Render in the language of the ``lang`` parameter (default: Russian), the same page for
    everyone: the user is never loaded from the session (Flask-Login's template context would
    read it, and the response would then vary by cookie)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        g._login_user = current_app.login_manager.anonymous_user()
        with force_locale(_lang()):
            return view(*args, **kwargs)

    return wrapped


@bp.app_template_global()
def public_url(endpoint: str, **values) -> str:
    """``url_for`` that keeps the page's language."""
    lang = _lang()
    if lang != current_app.config["BABEL_DEFAULT_LOCALE"]:
        values.setdefault("lang", lang)
    return url_for(endpoint, **values)


@bp.app_template_global()
def public_lang_url(lang: str) -> str:
    """The current page in another language."""
    args = request.args.to_dict(flat=False)
    args.pop("lang", None)
    if lang != current_app.config["BABEL_DEFAULT_LOCALE"]:
        args["lang"] = [lang]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def _page() -> int:
    number = parse_id(request.args.get("page", "1"))
    return min(number or 1, MAX_PAGE)


def cached(validators, render):
    """The response for ``validators`` (ETag, Last-Modified): 304 when the client's copy is
    current, else ``render()``; cacheable by anyone for ``MAX_AGE`` seconds."""
    etag, last_modified = validators
    if not is_resource_modified(request.environ, etag=etag, last_modified=last_modified):
        response = current_app.response_class(status=304)
    else:
        response = make_response(render())
        if response.status_code != 200:
            return response
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response


def _args_key() -> tuple:
    return (_lang(), tuple(sorted(request.args.items(multi=True))))


def _competition(competition_id: int, *extra, offered_competency_id: int | None = None):
    """The released competition and its pages' validators (one query); 404 if it is not
    released."""
    competition, validators = pub.released_with_validators(
        competition_id, *extra, *_args_key(), offered_competency_id=offered_competency_id)
    if competition is None:
        abort(404)
    return competition, validators


def _context(**values):
    """What every public page needs, translated once (not once per row)."""
    return {**_labels(_lang()), **values}


@cache
def _labels(lang: str) -> dict:
    """The labels in ``lang`` (the page's language is already in force): the catalogues are
    those the process started with, so once per language is enough."""
    return {"stage_labels": {k: str(v) for k, v in STAGE_LABELS.items()},
            "award_labels": {k: str(v) for k, v in AWARD_LABELS.items()}}


def _form_error(form) -> str | None:
    if form.validate():
        return None
    return _("Unknown filter value: %(fields)s.",
             fields=", ".join(str(form[name].label.text) for name in form.errors))


@bp.route("/")
@public
@localised
def index():
    def render():
        form = CompetitionFilterForm(request.args)
        form.kind.choices = choices([("", _("All kinds"))] + [
            (k.id, k.short_name) for k in reference_service.competition_kinds()])
        form.year.choices = choices([("", _("All years"))] + [
            (year, str(year)) for year in pub.released_years()])
        form.region.choices = choices([("", _("All regions"))] + [
            (r.id, r.name) for r in region_service.regions_by_name()])
        error = _form_error(form)
        if error:
            return render_template("public/index.html", form=form, error=error, page=None,
                                   **_context()), 400
        page = pub.released_competitions(
            kind_id=form.kind.data, year=form.year.data, stage=form.stage.data or None,
            region_id=form.region.data, page=_page())
        return render_template("public/index.html", form=form, error=None, page=page,
                               **_context())

    return cached(pub.list_validators("index", *_args_key()), render)


@bp.route("/competitions/<int:competition_id>")
@public
@localised
def competition(competition_id: int):
    competition, validators = _competition(competition_id, "overview")

    def render():
        overview = snapshots.prepared(  # kept without the ORM object
            validators[0], lambda: replace(pub.overview(competition), competition=None))
        return render_template("public/competition.html", competition=competition,
                               overview=replace(overview, competition=competition),
                               **_context())

    return cached(validators, render)


@bp.route("/competitions/<int:competition_id>/competencies/<int:offered_competency_id>")
@public
@localised
def competency(competition_id: int, offered_competency_id: int):
    competition, validators = _competition(competition_id, "competency",
                                           offered_competency_id=offered_competency_id)

    def render():
        results = snapshots.prepared(
            validators[0], lambda: pub.competency_results(competition, offered_competency_id))
        if results is None:
            abort(404)
        return render_template("public/competency.html", competition=competition,
                               competency=results, **_context())

    return cached(validators, render)


@bp.route("/competitions/<int:competition_id>/medals")
@public
@localised
def competition_medals(competition_id: int):
    competition, validators = _competition(competition_id, "medals")

    def render():
        def build():
            rows = pub.medal_table(competition_id=competition.id)
            return rows, figures.medal_chart(rows)

        rows, chart = snapshots.prepared(validators[0], build)
        return render_template("public/competition_medals.html", competition=competition,
                               rows=rows, chart=chart, **_context())

    return cached(validators, render)


@bp.route("/medals")
@public
@localised
def medals():
    def render():
        form = MedalFilterForm(request.args)
        form.kind.choices = choices([("", _("All kinds"))] + [
            (k.id, k.short_name) for k in reference_service.competition_kinds()])
        form.year.choices = choices([("", _("All years"))] + [
            (year, str(year)) for year in pub.released_years()])
        error = _form_error(form)
        rows = [] if error else pub.medal_table(
            kind_id=form.kind.data, year=form.year.data, stage=form.stage.data or None)
        return render_template("public/medals.html", form=form, error=error, rows=rows,
                               chart=figures.medal_chart(rows), **_context()), \
            400 if error else 200

    return cached(pub.list_validators("medals", *_args_key()), render)


@bp.route("/search")
@public
@localised
def search():
    def render():
        form = SearchForm(request.args)
        query = (form.q.data or "") if form.validate() else ""
        problem = None
        if form.errors:
            problem = next(iter(m for messages in form.errors.values() for m in messages))
        elif query:
            code = public_search.search_problem(query)
            if code == "short":
                problem = _("Type at least %(n)d letters of the surname.",
                            n=public_search.SEARCH_MIN_LENGTH)
            elif code == "long":
                problem = _("The search is too long.")
        result = public_search.search(query, _page()) if query and not problem else None
        return render_template("public/search.html", form=form, problem=problem,
                               result=result, **_context()), 400 if problem else 200

    return cached(pub.list_validators("search", *_args_key(), persons=True), render)
