"""Diplomas: their text and QR code (decoded back to the verification address), the bulk PDF
and ZIP, one by one from the person's page, revocation after a corrected republication, the
public verification page and its rate limit, the templates and their hostile input, the CLI
and who may do what."""
from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from registry.extensions import db
from registry.models import Aspect, Criterion, Diploma, DiplomaTemplate, Mark, ScoreSheet
from registry.services import diplomas as service
from registry.services.diplomas import verify as verification
from registry.services.results import publish

from . import factories

BASE = "https://registry.example.org"


@pytest.fixture(autouse=True)
def _public_url(app):
    app.config["REGISTRY_PUBLIC_URL"] = BASE
    yield
    app.config["REGISTRY_PUBLIC_URL"] = None


def _set_totals(offered, totals: dict):
    """Each entry's total on a one-aspect scheme, on a confirmed sheet."""
    oc = offered.offered_competency
    criterion = db.session.scalar(select(Criterion).where(Criterion.offered_competency_id == oc.id))
    if criterion is None:
        criterion = Criterion(offered_competency=oc, code="A", title="Всё", position=0)
        criterion.aspects.append(Aspect(title="Итог", max_marks=Decimal(100), kind="measurement"))
        db.session.add(criterion)
        db.session.flush()
    sheet = db.session.scalar(select(ScoreSheet).where(
        ScoreSheet.offered_category_id == offered.id, ScoreSheet.criterion_id == criterion.id))
    if sheet is None:
        sheet = ScoreSheet(offered_category_id=offered.id, criterion_id=criterion.id,
                           status="confirmed", locked=True)
        db.session.add(sheet)
        db.session.flush()
    aspect = criterion.aspects[0]
    for entry, total in totals.items():
        mark = db.session.scalar(select(Mark).where(Mark.entry_id == entry.id,
                                                    Mark.aspect_id == aspect.id))
        if mark is None:
            db.session.add(Mark(sheet_id=sheet.id, entry_id=entry.id, aspect_id=aspect.id,
                                value=Decimal(total)))
        else:
            mark.value = Decimal(total)
    db.session.commit()


@pytest.fixture
def season():
    competition = factories.make_competition(title="Профессионалы 2024, региональный этап",
                                             medallion_threshold=Decimal(70))
    welding = factories.make_offered(competition, "Сварочные технологии", "Основная")
    entries, totals = {}, {}
    for last, first, middle, total in (("Алексеева", "Мария", "Петровна", 90),
                                       ("Борисов", "Пётр", None, 85),
                                       ("Васильев", "Илья", "Ильич", 80),
                                       ("Дмитриев", "Олег", None, 72),
                                       ("Егоров", "Иван", None, 75)):
        entries[last] = factories.register_entry(welding, last_name=last, first_name=first,
                                                 middle_name=middle)
        totals[entries[last]] = total
    _set_totals(welding, totals)
    publish(competition)
    db.session.commit()
    return competition, welding, entries


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _diploma_of(last_name: str, kind: str | None = None) -> Diploma:
    query = select(Diploma).where(Diploma.name_printed.startswith(last_name),
                                  Diploma.revoked_at.is_(None))
    if kind:
        query = query.where(Diploma.kind == kind)
    return db.session.scalars(query).one()


def _qr_payloads(pdf: bytes, page_number: int = 0) -> list[str]:
    """Decode (zxing) every QR code among the images of a page."""
    import zxingcpp

    page = PdfReader(io.BytesIO(pdf)).pages[page_number]
    found = []
    for image in page.images:
        picture = image.image.convert("L")
        # the PNG is 4 pixels a module: enlarge it as a printer would, without smoothing
        picture = picture.resize((picture.width * 3, picture.height * 3), Image.NEAREST)
        found += [result.text for result in zxingcpp.read_barcodes(picture)]
    return found


# --- the diploma itself ------------------------------------------------------------------------

def test_a_diplomas_text_and_its_qr_code_decode_back_to_the_verify_url(season):
    competition, _, _ = season
    bundle = service.generate_bulk(competition, "pdf")
    db.session.commit()
    assert bundle.count == 5 and bundle.mimetype == "application/pdf"
    pages = _pages(bundle.data)
    assert len(pages) == 5
    gold = _diploma_of("Алексеева")
    first = _flat(pages[0])  # in the order of the results: the winner first
    assert "Диплом победителя" in first
    assert "Алексеева Мария Петровна" in first
    assert "золотая медаль" in first and "1 место" in first
    assert "Профессионалы 2024, региональный этап" in first
    assert "Сварочные технологии" in first and "Основная" in first
    assert "1–5 марта 2024 г." in first
    url = f"{BASE}/verify/{gold.code}"
    assert url in first.replace(" ", "")  # printed under the QR code (a long line may wrap)
    assert _qr_payloads(bundle.data, 0) == [url]
    assert "Диплом призёра" in _flat(pages[1]) and "серебряная медаль" in _flat(pages[1])
    assert "Медальон за профессионализм" in _flat(pages[3])
    # a verification code is at least 64 bits of randomness: 16 URL-safe characters
    codes = {d.code for d in db.session.scalars(select(Diploma))}
    assert len(codes) == 5 and all(re.fullmatch(r"[A-Za-z0-9_-]{16}", c) for c in codes)


def test_printing_again_prints_the_same_diplomas(season):
    competition, _, _ = season
    service.generate_bulk(competition, "pdf")
    db.session.commit()
    first = {d.id: d.code for d in db.session.scalars(select(Diploma))}
    service.generate_bulk(competition, "pdf")
    db.session.commit()
    assert {d.id: d.code for d in db.session.scalars(select(Diploma))} == first


def test_participation_certificates_for_every_entry(season):
    competition, _, _ = season
    bundle = service.generate_bulk(competition, "pdf", participation=True)
    db.session.commit()
    assert bundle.count == 5 + 5
    pages = _pages(bundle.data)
    assert sum("Сертификат участника" in p for p in pages) == 5
    assert "Егоров Иван" in _flat(pages[-1]) or any(
        "Егоров Иван" in _flat(p) and "Сертификат участника" in p for p in pages)


def test_zip_has_one_file_per_diploma_named_by_surname(season):
    competition, _, _ = season
    progress = []
    bundle = service.generate_bulk(competition, "zip", lambda done, total:
                                   progress.append((done, total)))
    db.session.commit()
    assert bundle.filename.endswith(".zip") and progress[-1] == (5, 5)
    archive = zipfile.ZipFile(io.BytesIO(bundle.data))
    names = sorted(archive.namelist())
    assert "Алексеева_Мария_Петровна_gold.pdf" in names
    assert len(names) == 5
    for name in names:
        assert re.fullmatch(r"[\w-]+\.pdf", name)
        pages = _pages(archive.read(name))
        assert len(pages) == 1
        assert name.split("_")[0] in _flat(pages[0])


def test_file_names_of_unsafe_names_are_safe():
    from types import SimpleNamespace

    from registry.services.diplomas.bulk import file_stem

    assert file_stem(SimpleNamespace(name_printed="../../etc/passwd", kind="gold")) == (
        "etc_passwd_gold")
    assert file_stem(SimpleNamespace(name_printed="Д'Артаньян Шарль", kind="special")) == (
        "Д_Артаньян_Шарль_special")
    assert file_stem(SimpleNamespace(name_printed="«»", kind="gold")) == "diploma_gold"


def test_a_team_member_each_gets_a_diploma():
    competition = factories.make_competition()
    offered = factories.make_offered(competition, "Командная работа на производстве", "Основная",
                                     team=True)
    team = factories.register_entry(offered, [factories.make_person(last_name="Жуков"),
                                              factories.make_person(last_name="Зайцев")],
                                    team_name="Оренбург-1")
    other = factories.register_entry(offered, [factories.make_person(last_name="Козлов"),
                                               factories.make_person(last_name="Лебедев")],
                                     team_name="Казань")
    _set_totals(offered, {team: 95, other: 80})
    publish(competition)
    bundle = service.generate_bulk(competition, "pdf")
    db.session.commit()
    pages = [_flat(p) for p in _pages(bundle.data)]
    assert bundle.count == 4
    assert "в составе команды «Оренбург-1»" in pages[0]
    assert {p.split("награждается ")[1].split(" ")[0] for p in pages[:2]} == {"Жуков", "Зайцев"}


def test_a_special_award_diploma_prints_its_title():
    person = factories.make_person(last_name="Иванова", first_name="Анна")
    factories.make_special_award(person, title="Лучший результат региона")
    subjects = service.person_subjects(person)
    diplomas = service.issue(subjects)
    pdf = service.bundle(diplomas, "pdf", "x").data
    db.session.commit()
    text = _flat(_pages(pdf)[0])
    assert "Диплом" in text and "Лучший результат региона" in text and "Иванова Анна" in text


# --- revocation ----------------------------------------------------------------------------------

def test_revocation_after_a_corrected_republication(season, client, login):
    competition, welding, e = season
    service.generate_bulk(competition, "pdf")
    db.session.commit()
    gold, medallion = _diploma_of("Алексеева"), _diploma_of("Дмитриев")
    silver = _diploma_of("Борисов")
    # the correction: Егоров (a medallion) wins, Дмитриев falls under the medallion threshold
    _set_totals(welding, {e["Егоров"]: 95, e["Дмитриев"]: 65})
    publish(competition)
    db.session.commit()
    db.session.expire_all()
    gold, medallion, silver = (db.session.get(Diploma, d.id) for d in (gold, medallion, silver))
    assert medallion.revoked_at is not None and medallion.revoked_reason == "award_withdrawn"
    assert gold.revoked_at is not None and gold.revoked_reason == "award_changed"
    assert silver.revoked_at is not None  # bronze now
    # the public page says so
    page = client.get(f"/verify/{medallion.code}")
    assert page.status_code == 200
    assert "Аннулирован" in page.text and "Дмитриев Олег" in page.text
    assert medallion.revoked_at.strftime("%d.%m.%Y") in page.text
    # the organiser sees which to reissue, and reissues
    login(client, "organiser")
    listing = client.get(f"/competitions/{competition.id}/diplomas")
    assert listing.status_code == 200
    assert medallion.code in listing.text and gold.code in listing.text
    missing = int(re.search(r'data-testid="diplomas-missing">(\d+)<', listing.text).group(1))
    assert missing == 4  # every award changed (Егоров gold, Алексеева silver …)
    to_issue = listing.text.split('data-testid="diplomas-to-issue"')[1].split("</section>")[0]
    assert "Егоров Иван" in to_issue and "Дмитриев" not in to_issue
    response = client.post(f"/competitions/{competition.id}/diplomas", data={"format": "pdf"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = [_flat(p) for p in _pages(response.data)]
    assert len(pages) == 4  # Дмитриев has no award left
    new_silver = _diploma_of("Алексеева")
    assert new_silver.code != gold.code and "серебряная медаль" in new_silver.award_printed
    assert not any("Дмитриев" in p for p in pages)
    assert client.get(f"/verify/{new_silver.code}").text.count("Аннулирован") == 0


def test_a_corrected_name_revokes_the_old_diploma_and_issues_a_new_one(season):
    competition, _, e = season
    service.generate_bulk(competition, "pdf")
    db.session.commit()
    old = _diploma_of("Алексеева")
    person = e["Алексеева"].members[0].person
    person.middle_name = "Павловна"
    db.session.commit()
    service.generate_bulk(competition, "pdf")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Diploma, old.id).revoked_reason == "reissued"
    assert _diploma_of("Алексеева").name_printed == "Алексеева Мария Павловна"


def test_revoking_a_special_award_revokes_its_diploma(client, login):
    from registry.services.awards import revoke_special

    person = factories.make_person()
    award = factories.make_special_award(person)
    diploma = service.issue(service.person_subjects(person))[0]
    db.session.commit()
    revoke_special(award, reason="ошибка", actor=None)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Diploma, diploma.id).revoked_reason == "special_revoked"


# --- verification --------------------------------------------------------------------------------

def test_verify_is_public_and_says_genuine(season, client):
    competition, _, _ = season
    service.generate_bulk(competition, "pdf")
    db.session.commit()
    gold = _diploma_of("Алексеева")
    page = client.get(f"/verify/{gold.code}")
    assert page.status_code == 200
    assert "Подлинный" in page.text
    assert "Алексеева Мария Петровна" in page.text and "золотая медаль" in page.text
    assert "Профессионалы 2024, региональный этап" in page.text
    assert gold.issued_at.strftime("%d.%m.%Y") in page.text
    # nothing else about the person
    person = gold.person
    assert person.birth_date.strftime("%d.%m.%Y") not in page.text
    assert person.region.name not in page.text


@pytest.mark.parametrize("code", ["A" * 16, "not-a-code", "x" * 200, "%D0%96" * 5, "a/b"])
def test_an_unknown_code_is_a_404_that_says_not_genuine(client, code):
    page = client.get(f"/verify/{code}")
    assert page.status_code == 404
    if code != "a/b":
        assert "Не подлинный" in page.text


def test_lookups_of_unknown_codes_are_rate_limited_and_genuine_ones_are_not(season, client):
    competition, _, _ = season
    service.generate_bulk(competition, "pdf")
    db.session.commit()
    code = _diploma_of("Алексеева").code
    for _ in range(verification.FREE + 10):
        assert client.get(f"/verify/{code}").status_code == 200
    for _ in range(verification.FREE):
        assert client.get("/verify/AAAAAAAAAAAAAAAAAAAA").status_code == 404
    refused = client.get("/verify/BBBBBBBBBBBBBBBBBBBB")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    # held: even a genuine code waits now, so that genuine codes do not lift the hold
    assert client.get(f"/verify/{code}").status_code == 429
    # another address is not held
    other = client.get(f"/verify/{code}", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 200


# --- one by one from the person's page -------------------------------------------------------------

def test_one_diploma_from_the_persons_page(season, client, login):
    competition, _, e = season
    person = e["Алексеева"].members[0].person
    login(client, "coordinator")
    detail = client.get(f"/persons/{person.id}")
    assert f'/persons/{person.id}/diplomas' in detail.text
    page = client.get(f"/persons/{person.id}/diplomas")
    assert page.status_code == 200
    subjects = re.findall(r'data-subject="([a-z]+:\d+)"', page.text)
    assert len(subjects) == 2  # the gold, and a participation certificate
    award = next(s for s in subjects if s.startswith("award:"))
    response = client.post(f"/persons/{person.id}/diplomas", data={"subject": award})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = _flat(_pages(response.data)[0])
    assert "Алексеева Мария Петровна" in text and "Диплом победителя" in text
    issued = _diploma_of("Алексеева", "gold")
    assert issued.code in client.get(f"/persons/{person.id}/diplomas").text
    entry = next(s for s in subjects if s.startswith("entry:"))
    certificate = client.post(f"/persons/{person.id}/diplomas", data={"subject": entry})
    assert "Сертификат участника" in _flat(_pages(certificate.data)[0])
    # another person's award is not this person's diploma
    other = e["Борисов"].members[0].person
    refused = client.post(f"/persons/{other.id}/diplomas", data={"subject": award})
    assert refused.status_code == 302
    assert db.session.scalars(select(Diploma).where(Diploma.person_id == other.id)).all() == []


# --- who may --------------------------------------------------------------------------------------

@pytest.mark.parametrize("role, status", [("admin", 200), ("organiser", 200),
                                          ("coordinator", 200), ("expert", 403)])
def test_who_may_issue_a_competitions_diplomas(season, client, login, role, status):
    competition, _, _ = season
    login(client, role)
    assert client.get(f"/competitions/{competition.id}/diplomas").status_code == status
    response = client.post(f"/competitions/{competition.id}/diplomas", data={"format": "zip"})
    assert response.status_code == status
    if status == 200:
        assert response.mimetype == "application/zip"
    else:
        assert db.session.scalars(select(Diploma)).all() == []


def test_anonymous_users_get_no_diplomas(season, client):
    competition, _, _ = season
    response = client.post(f"/competitions/{competition.id}/diplomas", data={"format": "pdf"})
    assert response.status_code == 302 and "/login" in response.location
    assert client.get("/admin/diplomas").status_code == 302


@pytest.mark.parametrize("role, status", [("admin", 200), ("organiser", 403),
                                          ("coordinator", 403), ("expert", 403)])
def test_only_administrators_edit_templates(client, login, role, status):
    login(client, role)
    assert client.get("/admin/diplomas/gold").status_code == status
    response = client.post("/admin/diplomas/gold", data={"title": "Подделка"})
    assert response.status_code in ((302,) if status == 200 else (status,))
    stored = db.session.get(DiplomaTemplate, "gold")
    assert (stored is not None) == (status == 200)


def test_a_bad_format_or_a_competition_without_awards(client, login):
    competition = factories.make_competition()
    login(client, "organiser")
    assert client.post(f"/competitions/{competition.id}/diplomas",
                       data={"format": "docx"}).status_code == 400
    response = client.post(f"/competitions/{competition.id}/diplomas", data={"format": "pdf"})
    assert response.status_code == 302
    assert client.get("/competitions/999999/diplomas").status_code == 404


# --- templates: texts, background, preview ----------------------------------------------------------

def _png(width=300, height=200, fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (250, 240, 200)).save(out, fmt)
    return out.getvalue()


def test_an_edited_template_is_printed_and_previewed(season, client, login):
    competition, _, _ = season
    login(client, "admin")
    response = client.post("/admin/diplomas/gold", data={
        "title": "Диплом I степени", "intro": "вручается", "award_line": "золото",
        "issuer": "Министерство просвещения Оренбургской области",
        "signatory_1": "Министр", "signatory_2": "", "footer": "г. Оренбург",
        "background": (io.BytesIO(_png()), "fon.png")}, content_type="multipart/form-data")
    assert response.status_code == 302
    stored = db.session.get(DiplomaTemplate, "gold")
    assert stored.background_type == "png" and stored.signatory_2 is None
    preview = client.get("/admin/diplomas/gold/preview.pdf")
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    text = _flat(_pages(preview.data)[0])
    assert "Диплом I степени" in text and "Иванова Мария Петровна" in text
    assert "PREVIEW-NOT-A-DIPLOMA" in text.replace(" ", "")
    assert db.session.scalars(select(Diploma)).all() == []  # a preview issues nothing
    bundle = service.generate_bulk(competition, "pdf")
    db.session.commit()
    pages = _pages(bundle.data)
    assert "Диплом I степени" in _flat(pages[0]) and "Министерство просвещения" in _flat(pages[0])
    assert "Диплом призёра" in _flat(pages[1])  # other kinds keep theirs
    reader = PdfReader(io.BytesIO(bundle.data))
    assert len(reader.pages[0].images) == 2  # the background and the QR code
    assert _qr_payloads(bundle.data, 0) == [f"{BASE}/verify/{_diploma_of('Алексеева').code}"]
    # back to the defaults
    assert client.post("/admin/diplomas/gold/reset").status_code == 302
    assert db.session.get(DiplomaTemplate, "gold") is None


@pytest.mark.parametrize("field, value", [
    ("title", "x" * 121), ("issuer", "Оргкомитет\x07"), ("footer", "abc\u202eevil"),
    ("title", ""), ("signatory_1", "a\nb")])
def test_hostile_template_texts_are_refused_on_their_field(client, login, field, value):
    login(client, "admin")
    data = {"title": "Диплом", field: value}
    response = client.post("/admin/diplomas/silver", data=data)
    assert response.status_code == 200 and "is-invalid" in response.text
    assert db.session.get(DiplomaTemplate, "silver") is None


@pytest.mark.parametrize("data, message", [
    (b"<?php echo 1; ?>" * 10, "не изображение PNG или JPEG"),
    (b"GIF89a" + b"\0" * 100, "не изображение PNG или JPEG"),
    (None, "от 100 до 4000 пикселей"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "не изображение PNG или JPEG"),
])
def test_bad_background_images_are_refused(client, login, data, message):
    if data is None:
        data = _png(5000, 120)
    login(client, "admin")
    response = client.post("/admin/diplomas/bronze", data={
        "title": "Диплом", "background": (io.BytesIO(data), "fon.png")},
        content_type="multipart/form-data")
    assert response.status_code == 200 and message in response.text
    assert db.session.get(DiplomaTemplate, "bronze") is None


def test_background_size_limits():
    from registry.services import ServiceError
    from registry.services.diplomas.templates import BACKGROUND_MAX_BYTES

    assert service.check_background(_png(fmt="JPEG")) == "jpeg"
    with pytest.raises(ServiceError):
        service.check_background(b"\xff\xd8" + b"\0" * (BACKGROUND_MAX_BYTES + 1))
    with pytest.raises(ServiceError):
        service.check_background(_png(50, 50))


def test_the_longest_texts_still_make_one_page_each(season):
    competition, _, e = season
    service.save_template("gold", {name: "Ш" * limit for name, limit in service.LIMITS.items()})
    person = e["Алексеева"].members[0].person
    person.last_name = "Константинопольская-Нижнеудинская" * 3
    competition.title = "Чемпионат " * 30
    db.session.commit()
    bundle = service.generate_bulk(competition, "pdf")
    db.session.commit()
    pages = _pages(bundle.data)
    assert len(pages) == bundle.count == 5
    assert "…" in pages[0]


# --- the command ------------------------------------------------------------------------------------

def test_the_diplomas_command_writes_a_pdf_or_a_zip(app, season, tmp_path):
    competition, _, _ = season
    runner = app.test_cli_runner()
    pdf = tmp_path / "all.pdf"
    result = runner.invoke(args=["diplomas", "--competition", str(competition.id),
                                 "--output", str(pdf)])
    assert result.exit_code == 0, result.output
    assert len(_pages(pdf.read_bytes())) == 5
    archive = tmp_path / "all.zip"
    result = runner.invoke(args=["diplomas", "--competition", str(competition.id),
                                 "--output", str(archive)])
    assert result.exit_code == 0, result.output
    assert len(zipfile.ZipFile(archive).namelist()) == 5
    # the same five diplomas both times
    assert db.session.scalar(select(db.func.count(Diploma.id))) == 5
    unknown = runner.invoke(args=["diplomas", "--competition", "999999", "--output",
                                  str(tmp_path / "x.pdf")])
    assert unknown.exit_code != 0 and "999999" in unknown.output


def test_characters_outside_the_font_do_not_break_a_diploma():
    person = factories.make_person(last_name="Ли 李", first_name="Анна😀")
    factories.make_special_award(person, title="Приз 🏆 спонсора")
    pdf = service.bundle(service.issue(service.person_subjects(person)), "pdf", "x").data
    db.session.commit()
    pages = _pages(pdf)
    assert len(pages) == 1 and "Ли" in pages[0] and "Анна" in pages[0]


def test_a_big_batch_is_drawn_by_a_worker_with_its_progress_for_its_owner(
        app, client, login, season):
    """More diplomas than ``DIPLOMA_JOB_SIZE``: the request issues them (codes, audit) and a
    job draws them; its page shows the progress and its file is the owner's alone."""
    from registry.models import Job

    competition, _, _e = season
    app.config["DIPLOMA_JOB_SIZE"] = 2
    try:
        owner = login(client, "organiser")
        response = client.post(f"/competitions/{competition.id}/diplomas",
                               data={"format": "zip"})
        assert response.status_code == 302
        job = db.session.scalar(select(Job))
        assert response.location.endswith(f"/jobs/{job.id}")
        assert job.owner_id == owner.id and job.kind == "diplomas"
        issued = list(db.session.scalars(select(Diploma)))
        assert job.total == len(issued) > 2  # issued in the request, before the drawing
        status = client.get(f"/jobs/{job.id}/status.json").get_json()
        assert status["state"] == "done" and status["percent"] == 100
        file = client.get(status["download"])
        assert file.status_code == 200 and file.mimetype == "application/zip"
        with zipfile.ZipFile(io.BytesIO(file.data)) as archive:
            names = archive.namelist()
            assert len(names) == len(issued)
            first = _flat(_pages(archive.read(names[0]))[0])
        assert f"{BASE}/verify/" in first  # the address of the request, not the worker's
        other = app.test_client()
        login(other, "organiser")
        assert other.get(f"/jobs/{job.id}/download").status_code == 404
    finally:
        app.config.pop("DIPLOMA_JOB_SIZE", None)
