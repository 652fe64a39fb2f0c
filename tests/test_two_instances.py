"""Any instance can finish any request (issue 16, point 4): two application instances on one
database (PostgreSQL under ``REGISTRY_TEST_BACKEND=postgresql``, else the SQLite file of the
test session); a preview on one, its other pages and its confirmation on the other; nothing
is kept on the local disk; expired uploads are swept."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry import create_app
from registry.extensions import db
from registry.importers import uploads
from registry.models import Entry, PendingUpload, utcnow

from . import factories
from .pending import pending_uploads
from .test_import_participants import csv_bytes, person_row


@pytest.fixture
def second(app, tmp_path):
    """Another instance: its own application object, the same database and secret key,
    another instance folder."""
    other = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "SERVER_NAME": None,
        "IMPORT_UPLOAD_DIR": str(tmp_path / "second-uploads"),
    })
    app.config["IMPORT_UPLOAD_DIR"] = str(tmp_path / "first-uploads")
    yield other
    app.config.pop("IMPORT_UPLOAD_DIR", None)
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def _same_browser(first_client, other_app):
    """A client of the other instance with the first one's cookies (the proxy sends the
    same browser to either)."""
    client = other_app.test_client()
    cookie = first_client.get_cookie("session")
    client.set_cookie("session", cookie.value)
    return client


def test_preview_on_one_instance_pages_and_confirm_on_the_other(
        app, client, login, second, tmp_path):
    competition = factories.make_competition()
    login(client, "organiser")
    rows = [person_row(last=name, email=f"{n}@example.ru")
            for n, name in enumerate(("Иванов", "Петров", "Сидоров"))]
    response = client.post(f"/competitions/{competition.id}/import",
                           data={"file": (__import__("io").BytesIO(csv_bytes(rows)), "p.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200, response.text
    token = re.search(r'name="token"[^>]*value="([^"]+)"', response.text) or re.search(
        r'value="([^"]+)"[^>]*name="token"', response.text)
    token = token.group(1)
    assert len(pending_uploads()) == 1

    other = _same_browser(client, second)
    page = other.get(f"/competitions/{competition.id}/import/preview?token={token}&page=1")
    assert page.status_code == 200 and "Сидоров" in page.text
    confirmed = other.post(f"/competitions/{competition.id}/import/confirm",
                           data={"token": token})
    assert confirmed.status_code == 302, confirmed.text
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 3
    assert pending_uploads() == []
    # nothing went to either instance's disk
    assert not (tmp_path / "first-uploads").exists()
    assert not (tmp_path / "second-uploads").exists()


def test_another_user_on_the_other_instance_cannot_use_the_token(app, client, login, second):
    competition = factories.make_competition()
    login(client, "organiser")
    response = client.post(f"/competitions/{competition.id}/import",
                           data={"file": (__import__("io").BytesIO(csv_bytes([person_row()])),
                                          "p.csv")},
                           content_type="multipart/form-data")
    token = re.search(r'value="([A-Za-z0-9_-]{32})"', response.text).group(1)
    stranger = second.test_client()
    login(stranger, "organiser")
    page = stranger.get(f"/competitions/{competition.id}/import/preview?token={token}")
    assert page.status_code == 404
    refused = stranger.post(f"/competitions/{competition.id}/import/confirm",
                            data={"token": token})
    assert refused.status_code == 302  # «no longer available», nothing imported
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 0
    assert len(pending_uploads()) == 1


def test_expired_uploads_are_swept_by_the_command_and_by_a_new_upload(app, login, client):
    owner = factories.make_user(role="organiser")
    with app.test_request_context():
        old = uploads.store(b"a;b\n", owner_id=owner.id, kind="participants_import",
                            competition_id=1, filename="old.csv")
        fresh = uploads.store(b"a;b\n", owner_id=owner.id, kind="participants_import",
                              competition_id=1, filename="fresh.csv")
        db.session.execute(PendingUpload.__table__.update().where(
            PendingUpload.filename == "old.csv").values(expires_at=utcnow() - timedelta(1)))
        assert uploads.find(old, owner_id=owner.id, kind="participants_import",
                            competition_id=1) is None  # expired: not found even unswept
        assert uploads.find(fresh, owner_id=owner.id, kind="participants_import",
                            competition_id=1).filename == "fresh.csv"
        assert uploads.find(fresh, owner_id=owner.id + 1, kind="participants_import",
                            competition_id=1) is None
        assert uploads.find(fresh, owner_id=owner.id, kind="results_import",
                            competition_id=1) is None
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert [u.filename for u in db.session.scalars(select(PendingUpload))] == ["fresh.csv"]
    # opportunistic: a new upload sweeps too
    db.session.execute(PendingUpload.__table__.update().values(
        expires_at=utcnow() - timedelta(1)))
    db.session.commit()
    with app.test_request_context():
        uploads.store(b"x", owner_id=owner.id, kind="participants_import", competition_id=1,
                      filename="new.csv")
        db.session.commit()
    db.session.expire_all()
    assert [u.filename for u in db.session.scalars(select(PendingUpload))] == ["new.csv"]


def test_an_upload_beyond_the_size_limit_is_not_kept(app):
    owner = factories.make_user(role="organiser")
    with app.test_request_context(), pytest.raises(uploads.UploadTooLarge):
        uploads.store(b"x" * (uploads.max_bytes() + 1), owner_id=owner.id,
                      kind="participants_import", competition_id=1, filename=None)
