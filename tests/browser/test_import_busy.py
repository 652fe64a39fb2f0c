"""The confirmation of an import disables its button and shows that the import is under way
while the server works; the import still gets its token and completes."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import Person

from .. import factories
from .test_import import CSV


@pytest.mark.skip(reason="unfinished: the disabled button and the status are seen, but the "
                         "confirmation held by page.route is not released yet (hangs)")
def test_the_confirm_button_disables_itself_and_shows_progress(app, live_server, page,
                                                               csrf_enabled, tmp_path):
    app.config["IMPORT_UPLOAD_DIR"] = str(tmp_path / "uploads")
    user = factories.make_user(role="organiser")
    competition = factories.make_competition()
    held = []
    try:
        page.goto(live_server + f"/competitions/{competition.id}/import")
        page.get_by_label("E-mail").fill(user.email)
        page.get_by_label("Пароль").fill(factories.PASSWORD)
        page.get_by_role("button", name="Войти").click()
        page.locator("input[type=file]").set_input_files(files=[{
            "name": "участники.csv", "mimeType": "text/csv", "buffer": CSV}])
        page.get_by_test_id("upload-submit").click()
        expect(page.get_by_test_id("preview-ok")).to_be_visible()
        status = page.locator("form[action$='/import/confirm'] [data-busy-status]")
        expect(status).to_be_hidden()

        # the confirmation is held at the network until the test lets it go
        page.route("**/import/confirm", lambda route: held.append(route))
        button = page.get_by_test_id("confirm-import")
        button.evaluate("b => b.click()")  # no waiting for the navigation held below
        # (expect() would wait for the held navigation: the page is read directly)
        state = {}
        for _ in range(50):
            state = page.evaluate("""() => {
                const form = document.querySelector("form[action$='/import/confirm']");
                const status = form.querySelector("[data-busy-status]");
                return {disabled: form.querySelector("[type=submit]").disabled,
                        hidden: status.classList.contains("d-none"),
                        text: status.innerText,
                        bar: !!status.querySelector(".progress-bar-animated")};
            }""")
            if state["disabled"]:
                break
            page.wait_for_timeout(100)
        assert state["disabled"] and not state["hidden"] and state["bar"], state
        assert "Импорт выполняется…" in state["text"]
        for _ in range(50):  # the route handler runs while Playwright's loop turns
            if held:
                break
            page.wait_for_timeout(100)
        assert len(held) == 1
        assert "token=" in (held[0].request.post_data or "")  # the disabled button sent it
        held[0].continue_()
        expect(page.get_by_test_id("import-result")).to_be_visible()
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Person)) == 3
    finally:
        app.config.pop("IMPORT_UPLOAD_DIR", None)
