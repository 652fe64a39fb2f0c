"""Configuration: defaults here, overrides from the environment and from ``instance/``.

Order of precedence (last wins): the defaults below, ``instance/config.py`` if present,
environment variables, then the mapping passed to ``create_app(config)``.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULTS = {
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "BABEL_DEFAULT_LOCALE": "ru",
    # Times are stored in UTC and shown in this zone (a competition may name its own:
    # Competition.time_zone); REGISTRY_TIMEZONE in the environment overrides it.
    "REGISTRY_TIMEZONE": "Europe/Moscow",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Moscow",
    "LANGUAGES": ("ru", "en"),
    "BOOTSTRAP_SERVE_LOCAL": True,
    "WTF_CSRF_ENABLED": True,
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # Uploads: spreadsheets sent in by regions are rarely above a few MB.
    "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
    "IMPORT_MAX_ROWS": 20000,
    "PAGE_SIZE": 50,
    "DEBUG": False,
    # Behind one reverse proxy: trust its X-Forwarded-For/-Proto/-Host (REGISTRY_PROXY_FIX=1).
    "PROXY_FIX": False,
    # The address printed on diplomas under their QR code (…/verify/<code>); without it, the
    # address of the request (the CLI then prints http://127.0.0.1:5000).
    "REGISTRY_PUBLIC_URL": None,
}


def secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else generated once into instance/secret_key."""
    env = os.environ.get("SECRET_KEY")
    if env:
        return env
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Create with 0600 so that the key is readable only by the owner.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Heroku-style URLs name the scheme "postgres"; SQLAlchemy wants the driver spelled out.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://"):]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    return "sqlite:///" + str(Path(instance_path) / "registry.sqlite")


def engine_options(url: str, configured: dict | None) -> dict:
    """The engine's options: what is configured, and on PostgreSQL the pool handing out the
    connection returned last (LIFO). psycopg prepares a statement on the server on its fifth
    run on one connection, and PostgreSQL keeps what a connection has looked up; with the
    pool's default (FIFO) every connection that a burst opened takes its turn and stays cold
    (a person page at 10-11 ms, against 7-8 ms LIFO, measured on the bench database); LIFO
    also lets the connections a burst opened go idle. Configured values win."""
    options = dict(configured or {})
    if url.startswith("postgresql"):
        options.setdefault("pool_use_lifo", True)
    return options


def load(app, overrides: dict | None = None) -> None:
    app.config.update(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.instance_path)
    if os.environ.get("REGISTRY_DEBUG") == "1":
        app.config["DEBUG"] = True
    if os.environ.get("SESSION_COOKIE_SECURE") == "1":
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if os.environ.get("REGISTRY_PROXY_FIX") == "1":
        app.config["PROXY_FIX"] = True
    if os.environ.get("REGISTRY_PUBLIC_URL"):
        app.config["REGISTRY_PUBLIC_URL"] = os.environ["REGISTRY_PUBLIC_URL"]
    if os.environ.get("REGISTRY_TIMEZONE"):
        app.config["REGISTRY_TIMEZONE"] = os.environ["REGISTRY_TIMEZONE"]
    if overrides:
        app.config.update(overrides)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config.get("SQLALCHEMY_ENGINE_OPTIONS"))
    # flask-babel's own date filters follow the registry's zone
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["REGISTRY_TIMEZONE"]
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(app.instance_path)
