"""An organiser logs in through the login page, uploads a CSV, checks the preview, confirms."""
from playwright.sync_api import expect
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import Entry, Person

from .. import factories

CSV = (
    "Фамилия;Имя;Отчество;Дата рождения;Регион;Организация;Компетенция;Категория;Команда\r\n"
    "Иванов;Пётр;Сергеевич;14.03.2005;г. Москва;Колледж связи № 54;Сварочные технологии;"
    "Основная;\r\n"
    "Сидоров;Олег;;02.11.2004;Кемеровская область - Кузбасс;Горнотехнический техникум;"
    "Командная работа на производстве;Основная;Кузбасс-1\r\n"
    "Сёмина;Ольга;;02.02.2005;Кузбасс;Горнотехнический техникум;"
    "Командная работа на производстве;Основная;Кузбасс-1\r\n"
).encode("cp1251")


def test_organiser_imports_a_csv_through_the_pages(app, live_server, page, csrf_enabled,
                                                   tmp_path):
    app.config["IMPORT_UPLOAD_DIR"] = str(tmp_path / "uploads")
    user = factories.make_user(role="organiser")
    competition = factories.make_competition()
    try:
        page.goto(live_server + f"/competitions/{competition.id}/import")
        page.get_by_label("E-mail").fill(user.email)
        page.get_by_label("Пароль").fill(factories.PASSWORD)
        page.get_by_role("button", name="Войти").click()
        expect(page).to_have_url(live_server + f"/competitions/{competition.id}/import")

        page.locator("input[type=file]").set_input_files(files=[{
            "name": "участники.csv", "mimeType": "text/csv", "buffer": CSV}])
        page.get_by_test_id("upload-submit").click()
        expect(page.get_by_test_id("preview-ok")).to_be_visible()
        expect(page.get_by_test_id("row-2")).to_contain_text("Иванов Пётр Сергеевич")
        expect(page.get_by_test_id("row-3")).to_contain_text("Кемеровская область — Кузбасс")
        expect(page.get_by_test_id("row-4")).to_contain_text("Кузбасс-1")
        db.session.rollback()  # a fresh snapshot: the server writes in its own thread
        assert db.session.scalar(select(func.count()).select_from(Person)) == 0

        page.get_by_test_id("confirm-import").click()
        expect(page.get_by_test_id("import-result")).to_be_visible()
        expect(page.get_by_test_id("count-persons_created")).to_have_text("3")
        expect(page.get_by_test_id("count-entries")).to_have_text("2")
        expect(page.get_by_test_id("count-teams")).to_have_text("1")
        expect(page.get_by_test_id("count-already_registered")).to_have_text("0")
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Person)) == 3
        assert db.session.scalar(select(func.count()).select_from(Entry)) == 2
    finally:
        app.config.pop("IMPORT_UPLOAD_DIR", None)
