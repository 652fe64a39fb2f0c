import sqlite3

import pytest

from registry.headers import CONTENT_SECURITY_POLICY
from registry.services import ServiceError
from registry.services.backup import backup_sqlite

from . import factories


def test_pages_send_csp_without_inline_scripts(client, login):
    login(client, "admin")
    response = client.get("/dashboard")
    csp = response.headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in csp and "script-src 'self'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_templates_have_no_inline_scripts_or_styles(client, login):
    login(client, "admin")
    for url in ("/dashboard", "/admin/users", "/login"):
        page = client.get(url).text
        for chunk in page.split("<script")[1:]:
            assert chunk.lstrip().startswith("src="), f"inline script on {url}"
        assert " style=" not in page, f"inline style on {url}"


def test_backup_makes_a_consistent_copy(app, tmp_path):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with pytest.raises(ServiceError, match="pg_dump"):
            backup_sqlite(app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path / "b.sqlite"))
        return
    user = factories.make_user(role="coordinator")
    result = app.test_cli_runner().invoke(args=["backup", "--output", str(tmp_path / "b.sqlite")])
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(tmp_path / "b.sqlite")
    assert copy.execute("SELECT email FROM users").fetchall() == [(user.email,)]
    assert copy.execute("SELECT COUNT(*) FROM regions").fetchone()[0] == 89
    assert not (tmp_path / "b.sqlite.partial").exists()


def test_backup_refuses_postgresql_with_advice(tmp_path):
    with pytest.raises(ServiceError, match="pg_dump"):
        backup_sqlite("postgresql+psycopg://u:p@127.0.0.1/db", str(tmp_path / "x"))
