"""A background job's page follows its progress by polling (static/js/job-progress.js, under
the strict CSP) and offers the file when the job is done."""
import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import update

from registry.extensions import db
from registry.models import Job, utcnow

from .. import factories


def test_the_job_page_polls_until_the_file_is_ready(app, live_server, page):
    user = factories.make_user(role="coordinator")
    now = utcnow()
    job = Job(id="a" * 32, owner_id=user.id, kind="export", label="Участники", params="{}",
              state="running", done=3, total=10, created_at=now,
              expires_at=now + timedelta(days=1))
    db.session.add(job)
    db.session.commit()
    page.goto(live_server + f"/jobs/{job.id}")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Пароль").fill(factories.PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_test_id("job-done")).to_have_text("3")
    expect(page.get_by_test_id("job-download")).to_be_hidden()

    db.session.execute(update(Job).where(Job.id == job.id).values(done=7))
    db.session.commit()
    expect(page.get_by_test_id("job-done")).to_have_text("7")
    expect(page.get_by_test_id("job-progress")).to_have_text("70 %")

    db.session.execute(update(Job).where(Job.id == job.id).values(
        state="done", done=10, content=b"a;b\r\n", filename="x.csv", mimetype="text/csv",
        size=5, finished_at=utcnow()))
    db.session.commit()
    download = page.get_by_test_id("job-download")
    expect(download).to_be_visible()
    expect(download).to_have_attribute("href", re.compile(rf"/jobs/{job.id}/download$"))
    expect(page.get_by_test_id("job")).to_have_attribute("data-state", "done")
