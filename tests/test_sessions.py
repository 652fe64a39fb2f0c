"""Sessions end: logout, a password change or reset, a role change and deactivation end every
session and remember cookie of the user; the session and its CSRF token are new at login."""
from __future__ import annotations

import pytest

from registry.extensions import db
from registry.models import AuditEntry, User

from . import factories

PASSWORD = factories.PASSWORD
NEW = "another correct horse 42"


def _log_in(client, user, remember=False):
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.text
    return client


def _signed_in(client) -> bool:
    return client.get("/dashboard").status_code == 200


def _copy(app, client, *names):
    """A second browser holding the same cookies (as a stolen or forgotten one would)."""
    other = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        if cookie is not None:
            other.set_cookie(name, cookie.value)
    return other


@pytest.fixture
def expert(app):
    return factories.make_user(role="expert")


def test_logout_ends_the_session_and_the_remember_cookie_everywhere(app, client, expert):
    _log_in(client, expert, remember=True)
    copy = _copy(app, client, "session")
    remembered = _copy(app, client, "remember_token")
    assert _signed_in(copy) and _signed_in(remembered)
    client.post("/logout")
    assert not _signed_in(client)
    assert not _signed_in(copy)
    assert not _signed_in(remembered)
    assert db.session.query(AuditEntry).filter_by(action="user.logout").count() == 1


@pytest.mark.parametrize("change", ["password", "role", "deactivate"])
def test_an_administrators_change_ends_the_users_sessions(app, client, login, expert, change):
    _log_in(client, expert, remember=True)
    remembered = _copy(app, client, "remember_token")
    admin = app.test_client()
    login(admin, "admin")
    if change == "password":
        response = admin.post(f"/admin/users/{expert.id}/password",
                              data={"password": NEW, "confirm": NEW})
    else:
        response = admin.post(f"/admin/users/{expert.id}", data={
            "name": "", "role": "coordinator" if change == "role" else "expert",
            **({"active": "y"} if change != "deactivate" else {"confirmed": "1"})})
    assert response.status_code == 302, response.text
    assert not _signed_in(client)
    assert not _signed_in(remembered)
    if change == "deactivate":  # reactivation does not bring the old cookies back
        again = admin.post(f"/admin/users/{expert.id}", data={"name": "", "role": "expert",
                                                              "active": "y"})
        assert again.status_code == 302, again.text[-3000:]
        db.session.expire_all()
        assert db.session.get(User, expert.id).active
        assert not _signed_in(client) and not _signed_in(remembered)


def test_an_edit_that_changes_neither_role_nor_activity_keeps_the_session(app, client, login,
                                                                          expert):
    _log_in(client, expert)
    admin = app.test_client()
    login(admin, "admin")
    admin.post(f"/admin/users/{expert.id}", data={"name": "Новое имя", "role": "expert",
                                                  "active": "y"})
    assert _signed_in(client)


def test_users_change_their_own_password(app, client, expert):
    _log_in(client, expert, remember=True)
    elsewhere = _copy(app, client, "session", "remember_token")
    assert client.get("/account/password").status_code == 200
    wrong = client.post("/account/password", data={
        "old_password": "not it at all", "password": NEW, "confirm": NEW})
    assert wrong.status_code == 200 and "Текущий пароль указан неверно" in wrong.text
    assert db.session.get(User, expert.id).check_password(PASSWORD)
    response = client.post("/account/password", data={
        "old_password": PASSWORD, "password": NEW, "confirm": NEW})
    assert response.status_code == 302
    assert _signed_in(client)          # this browser goes on
    assert not _signed_in(elsewhere)   # every other session ends
    user = db.session.get(User, expert.id)
    db.session.refresh(user)
    assert user.check_password(NEW)
    assert db.session.query(AuditEntry).filter_by(action="user.password_change").count() == 1


def test_a_too_short_new_password_is_refused_on_the_form(app, client, expert):
    _log_in(client, expert)
    response = client.post("/account/password", data={
        "old_password": PASSWORD, "password": "short", "confirm": "short"})
    assert response.status_code == 200
    assert db.session.get(User, expert.id).check_password(PASSWORD)


def test_the_session_and_csrf_token_are_new_at_login_and_logout(app, client, expert, csrf_enabled):
    client.get("/login")
    with client.session_transaction() as session:
        before = session.get("csrf_token")
        session["lang"] = "en"
    assert before
    page = client.get("/login").text
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0] \
        if 'name="csrf_token" type="hidden" value="' in page else \
        page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/login", data={"email": expert.email, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert session.get("csrf_token") != before
        assert session.get("lang") == "en"  # the chosen language survives


def test_a_session_id_without_a_version_is_anonymous(app, client, expert):
    with client.session_transaction() as session:
        session["_user_id"] = str(expert.id)  # as issued before session versions
        session["_fresh"] = True
    assert not _signed_in(client)
