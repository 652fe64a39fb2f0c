"""The confirmation of an import disables its button and shows that the import is under way
while the server works; the import still gets its token and completes."""
import json
import time

from playwright.sync_api import expect
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import Person

from .. import factories
from .test_import import CSV


def test_the_confirm_button_disables_itself_and_shows_progress(app, live_server, page,
                                                               csrf_enabled, tmp_path,
                                                               monkeypatch):
    from registry.importers import routes

    app.config["IMPORT_UPLOAD_DIR"] = str(tmp_path / "uploads")
    user = factories.make_user(role="organiser")
    competition = factories.make_competition()
    real_apply = routes.apply

    def slow_apply(*args, **kwargs):  # long enough for the page to be looked at meanwhile
        time.sleep(1)
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(routes, "apply", slow_apply)
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
        # What the page shows while the server works, written down 200 ms after the submit
        # (the page itself goes when the answer comes): read back on the next page.
        page.evaluate("""() => document.addEventListener("submit", (event) => {
            const form = event.target;
            setTimeout(() => {
                const status = form.querySelector("[data-busy-status]");
                localStorage.setItem("busy", JSON.stringify({
                    disabled: form.querySelector("[type=submit]").disabled,
                    hidden: status.classList.contains("d-none"),
                    text: status.innerText,
                    bar: !!status.querySelector(".progress-bar-animated")}));
            }, 200);
        })""")
        page.get_by_test_id("confirm-import").click()
        expect(page.get_by_test_id("import-result")).to_be_visible()
        state = json.loads(page.evaluate("() => localStorage.getItem('busy')") or "{}")
        assert state["disabled"] and not state["hidden"] and state["bar"], state
        assert "Импорт выполняется…" in state["text"]
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Person)) == 3
    finally:
        app.config.pop("IMPORT_UPLOAD_DIR", None)
