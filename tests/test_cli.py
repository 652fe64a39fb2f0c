from sqlalchemy import func, select

from registry.extensions import db
from registry.models import Region, User


def test_users_create_with_password_from_stdin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "Org@Example.ru", "--role", "organiser",
                                 "--name", "Ольга", "--password-stdin"], input="stdin password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "org@example.ru"))
    assert user.role == "organiser" and user.name == "Ольга"
    assert user.check_password("stdin password")


def test_users_create_refuses_bad_role_and_duplicates(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "a@b.ru", "--role", "boss", "--password-stdin"],
                           input="stdin password\n")
    assert result.exit_code != 0
    runner.invoke(args=["users", "create", "a@b.ru", "--role", "expert", "--password-stdin"],
                  input="stdin password\n")
    result = runner.invoke(args=["users", "create", "a@b.ru", "--role", "expert", "--password-stdin"],
                           input="stdin password\n")
    assert result.exit_code != 0 and "уже есть" in result.output


def test_ensure_admin_prints_a_random_password_once(app, monkeypatch):
    monkeypatch.delenv("REGISTRY_ADMIN_EMAIL", raising=False)
    monkeypatch.delenv("REGISTRY_ADMIN_PASSWORD", raising=False)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["users", "ensure-admin"])
    assert first.exit_code == 0
    password = first.output.split("write it down): ")[1].split()[0]
    admin = db.session.scalar(select(User).where(User.email == "admin@localhost"))
    assert admin.role == "admin" and admin.check_password(password)
    assert password not in admin.password_hash
    second = runner.invoke(args=["users", "ensure-admin"])
    assert second.exit_code == 0 and "Password" not in second.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_ensure_admin_from_environment(app, monkeypatch):
    monkeypatch.setenv("REGISTRY_ADMIN_EMAIL", "chief@example.ru")
    monkeypatch.setenv("REGISTRY_ADMIN_PASSWORD", "from the environment")
    result = app.test_cli_runner().invoke(args=["users", "ensure-admin"])
    assert result.exit_code == 0 and "from the environment" not in result.output
    admin = db.session.scalar(select(User).where(User.email == "chief@example.ru"))
    assert admin.role == "admin" and admin.check_password("from the environment")


def test_refdata_load_is_idempotent(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["refdata", "load"])
    assert result.exit_code == 0 and "regions +0" in result.output
    assert db.session.scalar(select(func.count()).select_from(Region)) == 89
