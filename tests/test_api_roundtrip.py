"""The round trip of issue 15: 100 participants registered by the API from a JSON file, read
back, exported (as JSON by the API and as a file by the export page), and the file imported
again through the web import into another competition, unchanged."""
from __future__ import annotations

import io
import json
import re

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import Entry, EntryMember, OfferedCategory, OfferedCompetency

from . import factories
from .api_helpers import bearer, token_for

LAST = ("Иванов", "Петров", "Сидоров", "Кузнецов", "Смирнов", "Попов", "Волков", "Соколов",
        "Лебедев", "Козлов")
FIRST = ("Алексей", "Дмитрий", "Сергей", "Андрей", "Максим", "Илья", "Кирилл", "Егор",
         "Никита", "Артём")


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path):
    app.config["IMPORT_UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield
    app.config.pop("IMPORT_UPLOAD_DIR", None)


def _entries(competition_id: int) -> int:
    return db.session.scalar(
        select(func.count(Entry.id))
        .join(OfferedCategory, OfferedCategory.id == Entry.offered_category_id)
        .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
        .where(OfferedCompetency.competition_id == competition_id))


def test_hundred_participants_by_api_read_back_exported_and_imported_on_the_web(
        app, client, login, tmp_path):
    secret, _token = token_for("organiser")
    offered = factories.make_offered()
    competition_id = offered.offered_competency.competition_id
    rows = [{"last_name": last, "first_name": first, "middle_name": "Иванович",
             "birth_date": f"{1 + n % 28:02d}.{1 + n % 12:02d}.2005",
             "region": "Оренбургская область", "organisation": f"Колледж №{1 + n % 5}",
             "competency": "Сварочные технологии", "category": "Основная",
             "email": f"p{n}@example.ru", "phone": f"+7 912 000-{n:02d}-00",
             "consent_date": "01.02.2024"}
            for n, (last, first) in enumerate((a, b) for a in LAST for b in FIRST)]
    assert len(rows) == 100
    path = tmp_path / "participants.json"
    path.write_text(json.dumps({"rows": rows}, ensure_ascii=False), encoding="utf-8")

    url = f"/api/v1/competitions/{competition_id}/imports/participants"
    body = path.read_bytes()
    preview = client.post(url + "/preview", data=body, content_type="application/json",
                          headers=bearer(secret))
    assert preview.status_code == 200, preview.text
    assert preview.json["counts"]["entries"] == 100 and _entries(competition_id) == 0
    done = client.post(url, data=body, content_type="application/json",
                       headers={**bearer(secret), "Idempotency-Key": "season-2024"})
    assert done.status_code == 201 and done.json["counts"]["persons_created"] == 100
    again = client.post(url, data=body, content_type="application/json",
                        headers={**bearer(secret), "Idempotency-Key": "season-2024"})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert _entries(competition_id) == 100  # the retry registered nobody twice

    names = set()
    for page in (1, 2):
        listed = client.get(f"/api/v1/competitions/{competition_id}/entries"
                            f"?page={page}&per_page=50", headers=bearer(secret)).json
        assert listed["page"]["total"] == 100
        names |= {m["name"] for e in listed["items"] for m in e["members"]}
    assert names == {f"{r['last_name']} {r['first_name']} Иванович" for r in rows}
    person_id = db.session.scalar(select(EntryMember.person_id).limit(1))
    person = client.get(f"/api/v1/persons/{person_id}", headers=bearer(secret)).json
    assert person["email"].endswith("@example.ru") and person["consent_date"] == "2024-02-01"

    exported = client.get(f"/api/v1/exports/participants?competition={competition_id}",
                          headers=bearer(secret)).json
    assert len(exported["rows"]) == 100
    assert {(r[0], r[1]) for r in exported["rows"]} == {(r["last_name"], r["first_name"])
                                                        for r in rows}

    # the file of the export page, imported through the web into another competition
    other = factories.make_offered(factories.make_competition())
    other_id = other.offered_competency.competition_id
    login(client, "organiser")
    file = client.get(f"/exports/participants?competition={competition_id}&format=csv"
                      f"&lang=ru&delimiter=%3B")
    assert file.status_code == 200
    page = client.post(f"/competitions/{other_id}/import",
                       data={"file": (io.BytesIO(file.data), "participants.csv")},
                       content_type="multipart/form-data")
    assert page.status_code == 200, page.text[:500]
    token = re.search(r'name="token"[^>]*value="([^"]+)"', page.text) or \
        re.search(r'value="([^"]+)"[^>]*name="token"', page.text)
    assert token, "the preview offers no confirmation"
    confirmed = client.post(f"/competitions/{other_id}/import/confirm",
                            data={"token": token.group(1)})
    assert confirmed.status_code == 302
    assert _entries(other_id) == 100
