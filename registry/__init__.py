"""The competition registry: a Flask application for «Профессионалы», «Абилимпикс» and
«Мастер года»."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, abort, has_request_context, render_template, request, session
from flask_babel import get_locale

from . import config, formatting, headers, security, sqlite_lock, timezones, transaction
from .extensions import babel, bootstrap, csrf, db, login_manager, migrate
from .fields import IdConverter
from .i18n import lazy_gettext as _l

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def select_locale() -> str:
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang") if has_request_context() else None
    if chosen in languages:
        return chosen
    if has_request_context() and request.path.startswith("/api/"):
        # API clients have no session: their Accept-Language, else the default
        return (request.accept_languages.best_match(languages)
                or current_app.config["BABEL_DEFAULT_LOCALE"])
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    config.load(app, overrides)
    if app.config["PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    bootstrap.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "warning"

    from .services import users as user_service

    @login_manager.user_loader
    def load_user(session_id: str):
        """``"<id>.<session version>"``: a session or remember cookie made before the user's
        last logout, password change, role change or deactivation names an older version."""
        user_id, _dot, version = (session_id or "").partition(".")
        if not (user_id.isdigit() and version.isdigit() and len(user_id) < 12):
            return None
        user = user_service.by_id(int(user_id))
        if user is None or not user.active or user.session_version != int(version):
            return None
        return user

    _refuse_nul_characters(app)
    sqlite_lock.init_app(app)
    security.init_app(app, login_manager)
    transaction.init_app(app)
    headers.init_app(app)
    timezones.init_app(app)
    formatting.init_app(app)
    app.url_map.converters["int"] = IdConverter  # before the routes: an absurd id is a 404
    _register_blueprints(app)
    _register_errors(app)
    _register_template_globals(app)

    from . import cli

    cli.init_app(app)
    from . import jobs

    jobs.init_app(app)
    return app


def _refuse_nul_characters(app: Flask) -> None:
    """Nobody types a NUL character; PostgreSQL cannot store one in text, and SQLite would
    store what PostgreSQL refuses. A request that carries one (in the address, a form field
    or an uploaded file's name) is answered «bad request» before any view sees it."""

    @app.before_request
    def refuse_nul():
        texts = [text for pair in request.args.items(multi=True) for text in pair]
        if request.method == "POST":
            texts += [*request.form.keys(), *(v for _k, v in request.form.items(multi=True)),
                      *(f.filename or "" for _k, f in request.files.items(multi=True))]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            abort(400)


def _register_blueprints(app: Flask) -> None:
    from .admin.routes import bp as admin_bp
    from .advancement.routes import bp as advancement_bp
    from .api import openapi as _api_document  # noqa: F401  (its views join the API's)
    from .api import public as _api_public  # noqa: F401  (the reads without a token, too)
    from .api.admin import bp as tokens_bp
    from .api.routes import bp as api_bp
    from .audit.routes import bp as audit_bp
    from .auth.routes import bp as auth_bp
    from .awards.routes import bp as awards_bp
    from .competitions.routes import bp as competitions_bp
    from .diplomas.routes import bp as diplomas_bp
    from .duplicates.routes import bp as duplicates_bp
    from .exporters.routes import bp as exports_bp
    from .importers.routes import bp as imports_bp
    from .main.routes import bp as main_bp
    from .marking.routes import bp as marking_bp
    from .medals.routes import bp as medals_bp
    from .public.routes import bp as public_bp
    from .registration.routes import bp as registration_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(exports_bp, url_prefix="/exports")
    app.register_blueprint(awards_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(registration_bp)
    app.register_blueprint(competitions_bp, url_prefix="/competitions")
    app.register_blueprint(marking_bp)
    app.register_blueprint(medals_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(advancement_bp)
    # The API authenticates by bearer token only, never by the session cookie, so a
    # cross-site request cannot act for a logged-in browser: no CSRF token (api/auth.py).
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(tokens_bp, url_prefix="/admin")
    app.register_blueprint(public_bp, url_prefix="/public")
    app.register_blueprint(diplomas_bp)
    app.register_blueprint(duplicates_bp)


def _register_errors(app: Flask) -> None:
    from .api import problems as api_problems
    from .api.problems import is_api_path

    def make_handler(code: int):
        def handler(error):
            db.session.rollback()
            if is_api_path(request.path):  # no page under /api/v1: problem details
                return api_problems.from_http(error)
            return render_template("errors/error.html", code=code), code

        return handler

    for code in (400, 403, 404, 405, 413, 500):
        app.register_error_handler(code, make_handler(code))

    from .access import NotAllowed

    @app.errorhandler(NotAllowed)
    def not_allowed(refusal: NotAllowed):
        # a refusal a view did not check for itself (``access.require``): the same answer
        return make_handler(refusal.status)(refusal)

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/csrf.html", reason=error.description), 400


def _register_template_globals(app: Flask) -> None:
    from .admin.forms import ROLE_LABELS
    from .navigation import nav_menus

    @app.context_processor
    def inject():
        return {
            "can": security.can,
            "nav_menus": nav_menus,
            "role_label": lambda role: ROLE_LABELS.get(role, role),
            "current_locale": str(get_locale()),
            "languages": app.config["LANGUAGES"],
            "next_url": request.full_path if request else "/",
        }
