import re

from registry.extensions import db
from registry.models import User

from . import factories


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_login_page_is_russian_by_default(client):
    page = client.get("/login").text
    assert "Войти" in page and "Запомнить меня" in page


def test_login_with_right_password_then_dashboard(client):
    user = factories.make_user(role="coordinator", name="Анна Коваленко")
    response = client.post("/login", data={"email": user.email.upper(), "password": factories.PASSWORD})
    assert response.status_code == 302 and response.location == "/dashboard"
    page = client.get("/dashboard").text
    assert "Анна Коваленко" in page and "Координатор" in page
    assert db.session.get(User, user.id).last_login_at is not None


def test_login_follows_only_local_next(client):
    user = factories.make_user()
    data = {"email": user.email, "password": factories.PASSWORD}
    assert client.post("/login?next=/admin/regions", data=data).location == "/admin/regions"
    client.post("/logout")
    assert client.post("/login?next=https://evil.example/", data=data).location == "/dashboard"
    client.post("/logout")
    assert client.post("/login?next=//evil.example/", data=data).location == "/dashboard"


def test_wrong_password_is_refused(client):
    user = factories.make_user()
    response = client.post("/login", data={"email": user.email, "password": "wrong password"})
    assert response.status_code == 200
    assert "Неверный e-mail или пароль" in response.text
    assert client.get("/dashboard").status_code == 302


def test_unknown_email_is_refused_the_same_way(client):
    response = client.post("/login", data={"email": "nobody@example.ru", "password": "whatever1"})
    assert "Неверный e-mail или пароль" in response.text


def test_deactivated_user_cannot_log_in(client):
    user = factories.make_user(active=False)
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 200
    assert client.get("/dashboard").status_code == 302


def test_deactivation_ends_an_open_session(client, login):
    user = login(client, "organiser")
    assert client.get("/dashboard").status_code == 200
    user.active = False
    db.session.commit()
    assert client.get("/dashboard").status_code == 302


def test_remember_me_sets_a_remember_cookie(client):
    user = factories.make_user()
    response = client.post(
        "/login", data={"email": user.email, "password": factories.PASSWORD, "remember": "y"}
    )
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("remember_token=") and "HttpOnly" in c for c in cookies)


def test_without_remember_me_no_remember_cookie(client):
    user = factories.make_user()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert not any(c.startswith("remember_token=") for c in response.headers.getlist("Set-Cookie"))


def test_password_is_stored_hashed_with_scrypt():
    user = factories.make_user(password="a very secret phrase")
    assert "a very secret phrase" not in user.password_hash
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password("a very secret phrase")
    assert not user.check_password("a very secret phrasE")


def test_login_form_refuses_post_without_csrf_token(client, csrf_enabled):
    user = factories.make_user()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 400
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_session_cookie_is_httponly_and_samesite(client):
    user = factories.make_user()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    session_cookie = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert session_cookie and "HttpOnly" in session_cookie[0] and "SameSite=Lax" in session_cookie[0]


def test_login_is_throttled_after_repeated_failures(client):
    user = factories.make_user()
    for _ in range(5):
        client.post("/login", data={"email": user.email, "password": "wrong password"})
    # even the right password is refused now, without revealing whether it was right
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 429
    assert client.get("/dashboard").status_code == 302


def test_throttle_window_passes_and_success_clears_failures(client):
    from registry.models import LoginThrottle

    user = factories.make_user()
    for _ in range(4):
        client.post("/login", data={"email": user.email, "password": "wrong password"})
    assert client.post("/login", data={"email": user.email, "password": factories.PASSWORD}).status_code == 302
    assert db.session.query(LoginThrottle).filter(LoginThrottle.key.startswith("a:")).count() == 0
    client.post("/logout")
    for _ in range(5):
        client.post("/login", data={"email": user.email, "password": "wrong password"})
    for counter in db.session.query(LoginThrottle):  # sixteen minutes later
        counter.last_at -= 16 * 60
        counter.blocked_until = min(counter.blocked_until, counter.last_at)
    db.session.commit()
    assert client.post("/login", data={"email": user.email, "password": factories.PASSWORD}).status_code == 302


def test_throttle_is_per_account(client):
    victim, other = factories.make_user(), factories.make_user()
    for _ in range(5):
        client.post("/login", data={"email": victim.email, "password": "wrong password"})
    assert client.post("/login", data={"email": other.email, "password": factories.PASSWORD}).status_code == 302
