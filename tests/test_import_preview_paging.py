"""An import preview shows its summary and its problems first and pages its rows: the other
pages are GETs of the upload that waits, for its owner and its competition only."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.importers.preview import MAX_PROBLEMS_LISTED, PER_PAGE
from registry.models import Person

from . import factories
from .test_import_participants import WELDING, csv_bytes, person_row

ROWS = 1000
LETTERS = "абвгдежзиклмнопрстуфхцчшэюя"


def _word(number: int) -> str:
    out = ""
    for _ in range(3):
        number, digit = divmod(number, len(LETTERS))
        out += LETTERS[digit]
    return out


def _rows(n: int = ROWS, bad_every: int | None = None):
    rows = []
    for i in range(n):
        born = "31.02.2005" if bad_every and i % bad_every == 0 else date(2005, 1 + i % 12, 1 + i % 28)
        rows.append(person_row(last=f"Импортов{_word(i)}", first="Пётр", born=born))
    return rows


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path):
    app.config["IMPORT_UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config.pop("IMPORT_UPLOAD_DIR", None)


@pytest.fixture
def competition(app):
    competition = factories.make_competition()
    factories.make_offered(competition, WELDING, "Основная")
    return competition


def _upload(client, competition, data):
    return client.post(f"/competitions/{competition.id}/import",
                       data={"file": (io.BytesIO(data), "participants.csv")},
                       content_type="multipart/form-data")


def _shown_rows(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-testid="row-(\d+)"', html)]


def _token(client, key="participants_import") -> str:
    with client.session_transaction() as session:
        return session[key]["token"]


def test_a_big_file_is_previewed_a_page_at_a_time(app, client, login, competition):
    login(client, "organiser")
    data = csv_bytes(_rows())
    response = _upload(client, competition, data)
    assert response.status_code == 200
    html = response.text
    # the summary first, then the confirmation, then the first page of rows
    assert html.index('data-testid="preview-summary"') < html.index('data-testid="preview-ok"') \
        < html.index('data-testid="confirm-import"') < html.index('data-testid="preview-table"')
    assert f'data-testid="count-persons_created">{ROWS}<' in html
    assert _shown_rows(html) == list(range(2, 2 + PER_PAGE))  # row 1 is the header
    assert "Будет создано людей" in html and "Будет зарегистрировано заявок" in html
    assert "Создано людей" not in html
    # the first page stays small: all 1,000 rows would be about ten times this
    assert len(response.data) < 150 * 1024, len(response.data)
    token = _token(client)

    page = client.get(f"/competitions/{competition.id}/import/preview",
                      query_string={"token": token, "page": 2})
    assert page.status_code == 200
    assert _shown_rows(page.text) == list(range(2 + PER_PAGE, 2 + 2 * PER_PAGE))
    assert 'data-testid="confirm-import"' in page.text and f'value="{token}"' in page.text
    assert 'data-testid="preview-summary"' in page.text
    last = client.get(f"/competitions/{competition.id}/import/preview",
                      query_string={"token": token, "page": 999})
    assert _shown_rows(last.text) == list(range(2 + ROWS - PER_PAGE, 2 + ROWS))
    # the pages wrote nothing: the confirmation still imports the whole file
    response = client.post(f"/competitions/{competition.id}/import/confirm",
                           data={"token": token})
    assert response.status_code == 302
    result = client.get(response.headers["Location"]).text
    assert f'data-testid="count-persons_created">{ROWS}<' in result
    assert "Создано людей" in result and "Будет создано" not in result


def test_another_users_or_competitions_token_is_404(app, client, login, competition):
    login(client, "organiser")
    _upload(client, competition, csv_bytes(_rows(3)))
    token = _token(client)
    url = f"/competitions/{competition.id}/import/preview"
    assert client.get(url, query_string={"token": token}).status_code == 200
    other = factories.make_competition(title="Другое соревнование")
    assert client.get(f"/competitions/{other.id}/import/preview",
                      query_string={"token": token}).status_code == 404
    assert client.get(url, query_string={"token": "x" * 32}).status_code == 404
    assert client.get(url).status_code == 302  # no token: back to the upload page
    stranger = app.test_client()
    login(stranger, "organiser")
    assert stranger.get(url, query_string={"token": token}).status_code == 404
    # after the cancellation the token is gone
    client.post(f"/competitions/{competition.id}/import/cancel")
    assert client.get(url, query_string={"token": token}).status_code == 404


def test_a_file_with_problems_lists_them_first_and_shows_their_rows_first(
        app, client, login, competition, upload_dir):
    login(client, "organiser")
    response = _upload(client, competition, csv_bytes(_rows(bad_every=4)))  # 250 bad rows
    assert response.status_code == 200
    html = response.text
    assert 'data-testid="confirm-import"' not in html
    assert html.index('data-testid="preview-problems"') < html.index('data-testid="preview-table"')
    assert html.count('data-testid="problem"') == MAX_PROBLEMS_LISTED
    assert 'data-testid="problems-left-out"' in html
    shown = _shown_rows(html)
    assert len(shown) == PER_PAGE
    assert shown == [2 + 4 * i for i in range(PER_PAGE)]  # only rows with problems, in order
    assert len(response.data) < 200 * 1024, len(response.data)
    # the next page of the rows with problems is read back from the kept upload
    token = _token(client)
    second = client.get(f"/competitions/{competition.id}/import/preview?token={token}&page=2")
    assert second.status_code == 422
    assert _shown_rows(second.text) == [2 + 4 * i for i in range(PER_PAGE, 2 * PER_PAGE)]
    assert 'data-testid="confirm-import"' not in second.text
    # and confirming it anyway (a crafted post) checks it again and writes nothing
    refused = client.post(f"/competitions/{competition.id}/import/confirm",
                          data={"token": token})
    assert refused.status_code == 422
    assert 'data-testid="preview-problems"' in refused.text
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0


def test_the_results_preview_pages_too(app, client, login):
    from .test_results_import import _csv, _setup

    competition, offered, people = _setup()
    login(client, "organiser")
    url = f"/results/{competition.id}/import"
    response = client.post(url, data={"file": (io.BytesIO(_csv(
        "Сварочные технологии;Основная;Орлов;Иван;;;;88;;",
        "Сварочные технологии;Основная;Соколов;Иван;;;;70;;")), "p.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 200 and _shown_rows(response.text) == [2, 3]
    token = _token(client, "results_import")
    page = client.get(url + "/preview", query_string={"token": token})
    assert page.status_code == 200 and 'data-testid="confirm-import"' in page.text
    assert _shown_rows(page.text) == [2, 3]
    stranger = app.test_client()
    login(stranger, "organiser")
    assert stranger.get(url + "/preview", query_string={"token": token}).status_code == 404
