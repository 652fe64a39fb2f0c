"""A coordinator downloads the winners list as XLSX from the export page and it reads back."""
from decimal import Decimal

import openpyxl
from playwright.sync_api import expect

from registry.services.results import publish

from .. import factories
from ..test_awards_exports import _set_totals


def test_coordinator_downloads_winners_xlsx(app, live_server, page, csrf_enabled, tmp_path):
    competition = factories.make_competition(title="Профессионалы 2024, региональный этап",
                                             medallion_threshold=Decimal(70))
    welding = factories.make_offered(competition, "Сварочные технологии", "Основная")
    entries = [factories.register_entry(welding, last_name=name)
               for name in ("Алексеев", "Борисов", "Васильев")]
    _set_totals(welding, dict(zip(entries, (92, 92, 81), strict=True)))
    publish(competition)
    coordinator = factories.make_user(role="coordinator")

    page.goto(live_server + "/login")
    page.get_by_label("E-mail").fill(coordinator.email)
    page.get_by_label("Пароль").fill(factories.PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page).to_have_url(live_server + "/dashboard")
    page.get_by_test_id("menu-exports").click()
    card = page.locator("form", has=page.get_by_test_id("export-winners"))
    card.locator('select[name="competition"]').select_option(str(competition.id))
    card.locator('select[name="format"]').select_option("xlsx")
    with page.expect_download() as download_info:
        page.get_by_test_id("export-winners").click()
    download = download_info.value
    assert download.suggested_filename.startswith("winners-") and \
        download.suggested_filename.endswith(".xlsx")
    path = tmp_path / "winners.xlsx"
    download.save_as(path)

    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[1]]
    assert header[:8] == ["Конкурс", "Год", "Этап", "Регион проведения", "Компетенция",
                          "Категория", "Место", "Награда"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [(r[6], r[7], r[8], r[13]) for r in rows] == [
        (1, "золото", "Алексеев", 92), (1, "золото", "Борисов", 92), (3, "бронза", "Васильев", 81)]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
