import os
import stat

import pytest

from registry import config, create_app


def test_secret_key_generated_once_into_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.secret_key(str(tmp_path))
    assert len(first) >= 32
    assert config.secret_key(str(tmp_path)) == first
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_secret_key_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    assert config.secret_key(str(tmp_path)) == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_database_url_default_and_override(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert config.database_url(str(tmp_path)) == f"sqlite:///{tmp_path}/registry.sqlite"
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@127.0.0.1/reg")
    assert config.database_url(str(tmp_path)) == "postgresql+psycopg://u:p@127.0.0.1/reg"
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/other.sqlite")
    assert config.database_url(str(tmp_path)) == "sqlite:////tmp/other.sqlite"


def test_debug_is_off_unless_asked(monkeypatch):
    monkeypatch.delenv("REGISTRY_DEBUG", raising=False)
    monkeypatch.setenv("SECRET_KEY", "x")
    assert create_app().debug is False
    monkeypatch.setenv("REGISTRY_DEBUG", "1")
    assert create_app().debug is True


def test_proxy_fix_takes_the_client_address_from_the_proxy(monkeypatch):
    from flask import request

    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("REGISTRY_PROXY_FIX", "1")
    app = create_app()
    seen = {}

    @app.route("/ip")
    def ip():
        seen["ip"] = request.remote_addr
        return ""

    ip.is_public = True
    app.test_client().get("/ip", headers={"X-Forwarded-For": "203.0.113.7"},
                          environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert seen["ip"] == "203.0.113.7"
    monkeypatch.delenv("REGISTRY_PROXY_FIX")
    plain = create_app()

    @plain.route("/ip")
    def ip2():
        seen["ip"] = request.remote_addr
        return ""

    ip2.is_public = True
    plain.test_client().get("/ip", headers={"X-Forwarded-For": "203.0.113.7"},
                            environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert seen["ip"] == "10.0.0.2"


def test_engine_options_hand_out_the_last_returned_connection_on_postgresql():
    # LIFO: the connection a request returned is the next one handed out, so psycopg's
    # prepared statements and the server's caches on it are used; configured values win
    options = config.engine_options("postgresql+psycopg://u:p@127.0.0.1/reg",
                                    {"pool_pre_ping": True})
    assert options == {"pool_pre_ping": True, "pool_use_lifo": True}
    assert config.engine_options("postgresql+psycopg://u:p@h/reg",
                                 {"pool_use_lifo": False})["pool_use_lifo"] is False
    # SQLite's pools for a file or memory take no such option
    assert config.engine_options("sqlite:////tmp/x.sqlite", {"pool_pre_ping": True}) == {
        "pool_pre_ping": True}
    assert config.DEFAULTS["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}


def test_the_pool_hands_out_the_connection_returned_last(app):
    from registry.extensions import db

    if db.engine.dialect.name != "postgresql":
        pytest.skip("LIFO is set on PostgreSQL only")
    with app.app_context():
        first, second = db.engine.connect(), db.engine.connect()
        first_raw, second_raw = first.connection.dbapi_connection, second.connection.dbapi_connection
        first.close()
        second.close()  # returned last
        again = db.engine.connect()
        assert again.connection.dbapi_connection is second_raw
        again.close()
        assert first_raw is not second_raw
