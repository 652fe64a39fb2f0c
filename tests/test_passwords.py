"""Passwords: at least 12 characters, not among the common ones shipped with the project, not
one piece repeated or one run of keys; checked on every path that sets one, every set audited."""
from __future__ import annotations

import pytest

from registry.extensions import db
from registry.models import AuditEntry
from registry.services import ServiceError
from registry.services import users as user_service

from . import factories


@pytest.mark.parametrize("password", [
    "aaaaaaaaaa", "1234567890", "aaaaaaaaaaaa", "123456789012", "Password1234", "qwerty 123456",
    "abcabcabcabc", "abcdefghijklm", "йцукенгшщзхъ", "1234567890ab", "Профессионалы2025",
])
def test_weak_passwords_are_refused_by_the_one_rule(app, password):
    assert user_service.password_problem(password)
    with pytest.raises(ServiceError) as error:
        user_service.create_user("new@example.ru", "expert", password)
    assert error.value.field == "password"


@pytest.mark.parametrize("password", ["correct horse battery", "стол лампа река 7",
                                      "Tuesday-kettle-41", "x9!Lp2#qW7zR"])
def test_ordinary_strong_passwords_pass(app, password):
    assert user_service.password_problem(password) is None


def test_every_path_that_sets_a_password_checks_it(app, client, login):
    user = factories.make_user(role="expert")
    with pytest.raises(ServiceError):
        user_service.reset_password(user, "1234567890ab")
    with pytest.raises(ServiceError):
        user_service.change_password(user, factories.PASSWORD, "qwertyuiop12")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "c@example.ru", "--role", "expert",
                                 "--password-stdin"], input="password1234\n")
    assert result.exit_code != 0
    login(client, "admin")
    response = client.post(f"/admin/users/{user.id}/password",
                           data={"password": "aaaaaaaaaaaa", "confirm": "aaaaaaaaaaaa"})
    assert response.status_code == 302 and response.location.endswith(f"/admin/users/{user.id}")
    assert "самых распространённых" in client.get(response.location).text
    db.session.expire_all()
    assert user.check_password(factories.PASSWORD)


def test_setting_and_resetting_is_audited(app):
    user = user_service.create_user("a@example.ru", "expert", "correct horse battery")
    user_service.reset_password(user, "another horse battery")
    user_service.change_password(user, "another horse battery", "third horse battery")
    actions = [a for (a,) in db.session.query(AuditEntry.action)]
    assert {"user.create", "user.password_reset", "user.password_change"} <= set(actions)
