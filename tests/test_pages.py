"""The layout: navigation by role, local assets, styled error pages."""
import pytest

from registry import create_app


def test_navigation_shows_only_what_the_role_may_open(client, login):
    login(client, "expert")
    page = client.get("/dashboard").text
    assert "/admin/users" not in page and "/admin/regions" not in page
    client.post("/logout")
    login(client, "admin")
    page = client.get("/dashboard").text
    assert "/admin/users" in page and "/admin/regions" in page


def test_assets_are_served_locally_without_cdn(client, login):
    login(client, "admin")
    page = client.get("/dashboard").text
    assert "cdn" not in page.lower() and "https://" not in page
    css = [part.split('"')[0] for part in page.split('href="')[1:] if part.split('"')[0].endswith(".css")]
    assert css, "no stylesheet linked"
    for href in css:
        assert client.get(href).status_code == 200, href


def test_404_page_is_styled_and_russian(client, login):
    login(client, "organiser")
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Страница не найдена" in response.text and "navbar" in response.text


def test_403_page_is_styled(client, login):
    login(client, "expert")
    response = client.get("/admin/users")
    assert response.status_code == 403 and "Доступ запрещён" in response.text


@pytest.fixture
def failing_app(app):
    failing = create_app({"TESTING": False, "SQLALCHEMY_DATABASE_URI":
                          app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "x"})
    failing.config["PROPAGATE_EXCEPTIONS"] = False

    @failing.route("/boom")
    def boom():
        raise RuntimeError("boom")

    boom.is_public = True
    return failing


def test_500_page_is_styled_and_hides_the_traceback(failing_app):
    response = failing_app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Что-то пошло не так" in response.text
    assert "Traceback" not in response.text and "RuntimeError" not in response.text
