"""``make loadtest``: 50 concurrent users for 60 s against gunicorn with 4 workers on
PostgreSQL, on loopback only. Coordinators browse; experts mark the same sheets (so that
conflicting saves happen). Appends the figures to ``docs/benchmarks.md``.

Needs ``DATABASE_URL`` naming a PostgreSQL database that may be emptied.
"""
from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "load test password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(url: str, scale: int, targets_path: Path) -> None:
    from .__main__ import FLASK, run

    env = {**os.environ, "DATABASE_URL": url}
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                         autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    run(FLASK + ["db", "upgrade"], env)
    run(FLASK + ["refdata", "load"], env)
    run(FLASK + ["demo", "load", "--scale", str(scale), "--quiet"], env)

    from sqlalchemy import func, select

    from registry import create_app
    from registry.extensions import db
    from registry.models import (
        Competition,
        Criterion,
        Entry,
        EntryMember,
        ExpertAssignment,
        OfferedCategory,
        OfferedCompetency,
        Person,
        ScoreSheet,
        User,
    )

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        coordinator = User(email="load.coordinator@example.ru", role="coordinator", name="Нагрузка")
        coordinator.set_password(PASSWORD)  # one hash for everyone (hashing is deliberately slow)
        db.session.add(coordinator)
        # the open stage: experts of competencies whose sheets are not confirmed yet
        open_sheets = db.session.execute(
            select(OfferedCategory.id, Criterion.id, OfferedCompetency.id)
            .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
            .join(Criterion, Criterion.offered_competency_id == OfferedCompetency.id)
            .join(Competition, Competition.id == OfferedCompetency.competition_id)
            .outerjoin(ScoreSheet, (ScoreSheet.offered_category_id == OfferedCategory.id)
                       & (ScoreSheet.criterion_id == Criterion.id))
            .where(Competition.status == "marking",
                   (ScoreSheet.id.is_(None)) | (ScoreSheet.status == "draft"))
        ).all()
        experts_of: dict[int, list[User]] = {}
        for assignment in db.session.scalars(select(ExpertAssignment).where(
                ExpertAssignment.offered_competency_id.in_({oc for _c, _k, oc in open_sheets}))):
            experts_of.setdefault(assignment.offered_competency_id, []).append(assignment.user)
        sheets: dict[str, list[str]] = {}
        for category, criterion, competency in open_sheets:
            for user in experts_of.get(competency, []):
                user.password_hash, user.active = coordinator.password_hash, True
                sheets.setdefault(user.email, []).append(f"/marking/sheets/{category}/{criterion}")
        db.session.commit()
        busiest = db.session.execute(
            select(OfferedCompetency.competition_id).join(OfferedCategory)
            .join(Entry, Entry.offered_category_id == OfferedCategory.id)
            .group_by(OfferedCompetency.competition_id)
            .order_by(func.count(Entry.id).desc()).limit(20)).scalars().all()
        persons = db.session.scalars(select(EntryMember.person_id).limit(200)).all()
        names = [n[:4] for n in db.session.scalars(select(Person.last_name).limit(50))]
        targets = {"password": PASSWORD, "coordinator": coordinator.email,
                   "sheets": sheets,
                   "competitions": busiest, "persons": persons, "names": names}
    if not targets["sheets"]:
        sys.exit("the demo data has no open score sheets to mark")
    targets_path.write_text(json.dumps(targets, ensure_ascii=False), encoding="utf-8")


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("make loadtest needs DATABASE_URL=postgresql+psycopg://… (a database it may empty)")
    users = int(os.environ.get("LOADTEST_USERS", 50))
    seconds = int(os.environ.get("LOADTEST_SECONDS", 60))
    scale = int(os.environ.get("LOADTEST_SCALE", 5000))
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    targets_path = out_dir / "loadtest-targets.json"
    print(f"preparing {scale} entries …", flush=True)
    prepare(url, scale, targets_path)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "load-test-secret"}
    error_log = out_dir / "gunicorn-errors.log"
    gunicorn = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "4", "--bind", f"127.0.0.1:{port}",
         "--error-logfile", str(error_log), "--access-logfile", str(out_dir / "access.log"),
         "wsgi:app"], cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        conflicts = Path(tempfile.mkstemp()[1])
        prefix = out_dir / "load"
        print(f"load: {users} users for {seconds} s on 127.0.0.1:{port}", flush=True)
        subprocess.run(
            [str(BIN / "locust"), "-f", str(ROOT / "benchmarks" / "locustfile.py"), "--headless",
             "-u", str(users), "-r", "10", "-t", f"{seconds}s", "--host",
             f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary"],
            cwd=ROOT, env={**env, "LOADTEST_TARGETS": str(targets_path),
                           "LOADTEST_CONFLICTS": str(conflicts)}, check=False, timeout=seconds + 120)
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    server_errors = sum(1 for line in open(out_dir / "access.log", encoding="utf-8")
                        if '" 5' in line)
    conflict_count = conflicts.read_text().strip() or "0"
    lines = ["", "## Load test", "",
             f"`make loadtest`: {users} concurrent users (4 coordinators browsing to 1 expert "
             f"marking) for {seconds} s against gunicorn with 4 workers on PostgreSQL, "
             f"loopback only, demo season of {scale} entries; {time.strftime('%Y-%m-%d')}.", "",
             "| request | count | failures | median ms | p95 ms | max ms | req/s |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | "
                     f"{row['Median Response Time']} | {row['95%']} | "
                     f"{float(row['Max Response Time']):.0f} | {float(row['Requests/s']):.1f} |")
    lines += ["", f"Server errors (5xx) in gunicorn's access log: {server_errors}. Score-sheet "
              f"saves refused with 409 because another expert saved first: {conflict_count} "
              "(the intended answer, counted as successes).", ""]
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    if "\n## Load test" in text:
        text = text[:text.index("\n## Load test")]
    doc.write_text(text.rstrip("\n") + "\n" + "\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    total = next((r for r in rows if r["Name"] == "Aggregated"), None)
    if total and int(total["Failure Count"]) or server_errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
