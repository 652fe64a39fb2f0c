import re

from sqlalchemy import select

from registry.extensions import db
from registry.models import AuditEntry, User

from . import factories


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def test_admin_creates_a_user_who_can_log_in(app, client, login):
    admin = login(client, "admin")
    response = client.post("/admin/users/new", data={
        "email": "Expert@Example.ru", "name": "Ирина Петрова", "role": "expert",
        "password": "long enough pw", "confirm": "long enough pw",
    })
    assert response.status_code == 302
    user = _user("expert@example.ru")
    assert user.role == "expert" and user.name == "Ирина Петрова"
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.create"))
    assert audit.user_id == admin.id and audit.object_id == user.id
    client.post("/logout")
    response = client.post("/login", data={"email": "expert@example.ru", "password": "long enough pw"})
    assert response.status_code == 302


def test_create_refuses_duplicate_email_and_short_password(client, login):
    login(client, "admin")
    existing = factories.make_user(role="expert")
    response = client.post("/admin/users/new", data={
        "email": existing.email, "role": "expert", "password": "long enough pw",
        "confirm": "long enough pw",
    })
    assert response.status_code == 200 and "уже есть" in response.text
    response = client.post("/admin/users/new", data={
        "email": "new@example.ru", "role": "expert", "password": "short", "confirm": "short",
    })
    assert response.status_code == 200 and _user("new@example.ru") is None


def test_create_refuses_unknown_role(client, login):
    login(client, "admin")
    response = client.post("/admin/users/new", data={
        "email": "new@example.ru", "role": "superuser", "password": "long enough pw",
        "confirm": "long enough pw",
    })
    assert response.status_code == 200 and _user("new@example.ru") is None


def test_admin_changes_role_and_deactivates(client, login):
    login(client, "admin")
    user = factories.make_user(role="expert")
    response = client.post(f"/admin/users/{user.id}", data={"name": "X", "role": "coordinator"})
    # deactivating asks first: the page says what will happen, nothing changes yet
    assert response.status_code == 200 and 'data-testid="confirm-what"' in response.text
    db.session.refresh(user)
    assert user.active is True and user.role == "expert"
    response = client.post(f"/admin/users/{user.id}",
                           data={"name": "X", "role": "coordinator", "confirmed": "1"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.role == "coordinator" and user.active is False
    other = client.application.test_client()
    response = other.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 200  # refused: deactivated


def test_admin_cannot_demote_or_deactivate_self(client, login):
    admin = login(client, "admin")
    response = client.post(f"/admin/users/{admin.id}", data={"name": "", "role": "expert", "active": "y"})
    assert response.status_code == 200 and "Нельзя изменить собственную роль" in response.text
    db.session.refresh(admin)
    assert admin.role == "admin"


def test_admin_resets_password(client, login):
    login(client, "admin")
    user = factories.make_user(role="organiser")
    response = client.post(f"/admin/users/{user.id}/password",
                           data={"password": "brand new password", "confirm": "brand new password"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.check_password("brand new password") and not user.check_password(factories.PASSWORD)


def test_password_reset_with_mismatch_changes_nothing(client, login):
    login(client, "admin")
    user = factories.make_user(role="organiser")
    client.post(f"/admin/users/{user.id}/password",
                data={"password": "brand new password", "confirm": "other new password"})
    db.session.refresh(user)
    assert user.check_password(factories.PASSWORD)


def test_unknown_user_is_404(client, login):
    login(client, "admin")
    assert client.get("/admin/users/99999").status_code == 404


def test_users_list_shows_accounts(client, login):
    login(client, "admin")
    user = factories.make_user(role="expert", name="Сергей Орлов")
    page = client.get("/admin/users").text
    assert user.email in page and "Сергей Орлов" in page and "Эксперт" in page


def test_a_user_form_with_three_bad_fields_shows_three_messages(client, login):
    login(client, "admin")
    response = client.post("/admin/users/new", data={
        "email": "not-an-address", "name": "", "role": "tsar", "password": "short",
        "confirm": "short"})
    assert response.status_code == 200
    assert db.session.scalar(select(User).where(User.email == "not-an-address")) is None
    feedback = re.findall(r'class="invalid-feedback[^"]*"[^>]*>([^<]+)<', response.text)
    assert len(feedback) >= 3, feedback


def test_deactivation_is_audited_and_the_log_still_opens(client, login):
    login(client, "admin")
    user = factories.make_user(role="expert")
    client.post(f"/admin/users/{user.id}", data={"name": "X", "role": "expert", "confirmed": "1"})
    db.session.refresh(user)
    assert user.active is False
    page = client.get("/audit")
    assert page.status_code == 200 and "True → False" not in page.text
