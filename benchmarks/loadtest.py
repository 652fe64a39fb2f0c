"""``make loadtest``: 50 concurrent users for 60 s against gunicorn with 4 workers, on
loopback only, on SQLite (always) and on PostgreSQL (when ``DATABASE_URL`` names a database
that may be emptied). Coordinators browse; experts mark the same sheets (so that conflicting
saves happen). Each backend is run twice: as is, and with four attackers (one per worker)
sending the crafted spreadsheets of the trust issue to the participants import all the
time; the other users' p95 (from gunicorn's own timings) is compared between the two.
Appends the figures to ``docs/benchmarks.md``.
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
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    else:
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
        organiser = User(email="load.organiser@example.ru", role="organiser", name="Атака")
        organiser.password_hash = coordinator.password_hash
        db.session.add(organiser)
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
                   "organiser": organiser.email, "crafted": crafted_files(targets_path.parent),
                   "sheets": sheets,
                   "competitions": busiest, "persons": persons, "names": names}
    if not targets["sheets"]:
        sys.exit("the demo data has no open score sheets to mark")
    targets_path.write_text(json.dumps(targets, ensure_ascii=False), encoding="utf-8")


def crafted_files(directory: Path) -> list[str]:
    """The crafted uploads of the trust issue, written once: their paths."""
    from tests import test_spreadsheet_budgets as crafted

    files = {"row-20000000.xlsx": crafted._huge_row_number(),
             "15-million-empty-rows.xlsx": crafted._empty_rows(15_000_000),
             "5.5-million-shared-strings.xlsx": crafted._shared_strings(5_500_000)}
    paths = []
    for name, data in files.items():
        path = directory / name
        path.write_bytes(data)
        paths.append(str(path))
    return paths


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))] if ordered else 0


def served(access_log: Path) -> tuple[list[float], int]:
    """The other users' request times in ms (gunicorn's %(D)s), logins and the crafted
    uploads left out; and the 5xx answers of all requests."""
    times, errors = [], 0
    for line in access_log.read_text(encoding="utf-8").splitlines():
        request, _space, rest = line.rpartition('" ')
        status, _space, micros = rest.partition(" ")
        if status.startswith("5"):
            errors += 1
        path = request.split(" ")[1] if " " in request else ""
        if path.startswith("/login") or path.endswith("/import"):
            continue
        times.append(int(micros) / 1000)
    return times, errors


def run_load(url: str, targets_path: Path, out_dir: Path, name: str, users: int,
             seconds: int, attackers: int) -> dict:
    """One locust run against a fresh gunicorn: locust's table, the other users' p95 from
    the server's own timings, 5xx and 409 counts."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "load-test-secret"}
    access_log = out_dir / f"access-{name}.log"
    access_log.unlink(missing_ok=True)
    gunicorn = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "4", "--bind", f"127.0.0.1:{port}",
         "--timeout", "120", "--error-logfile", str(out_dir / f"gunicorn-errors-{name}.log"),
         "--access-logfile", str(access_log), "--access-logformat", '"%(r)s" %(s)s %(D)s',
         "wsgi:app"], cwd=ROOT, env=env)
    prefix = out_dir / f"load-{name}"
    conflicts = Path(tempfile.mkstemp()[1])
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        print(f"{name}: {users} users{f' + {attackers} attackers' if attackers else ''} "
              f"for {seconds} s on 127.0.0.1:{port}", flush=True)
        subprocess.run(
            [str(BIN / "locust"), "-f", str(ROOT / "benchmarks" / "locustfile.py"), "--headless",
             "-u", str(users + attackers), "-r", "10", "-t", f"{seconds}s", "--host",
             f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary"],
            cwd=ROOT, env={**env, "LOADTEST_TARGETS": str(targets_path),
                           "LOADTEST_ATTACKERS": str(attackers),
                           "LOADTEST_CONFLICTS": str(conflicts)},
            check=False, timeout=seconds + 180)
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=60)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    times, errors = served(access_log)
    return {"rows": rows, "p95": p95(times), "served": len(times), "errors": errors,
            "conflicts": conflicts.read_text().strip() or "0", "seconds": seconds}


def table(result: dict) -> list[str]:
    lines = ["| request | count | failures | median ms | p95 ms | max ms | req/s |",
             "|---|---|---|---|---|---|---|"]
    for row in result["rows"]:
        lines.append(f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | "
                     f"{row['Median Response Time']} | {row['95%']} | "
                     f"{float(row['Max Response Time']):.0f} | {float(row['Requests/s']):.1f} |")
    return lines


def main() -> None:
    users = int(os.environ.get("LOADTEST_USERS", 50))
    seconds = int(os.environ.get("LOADTEST_SECONDS", 60))
    scale = int(os.environ.get("LOADTEST_SCALE", 5000))
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    backends = [("SQLite", "sqlite:///" + str(out_dir / "load.sqlite"))]
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        backends.append(("PostgreSQL", os.environ["DATABASE_URL"]))
    lines = ["", "## Load test", "",
             f"`make loadtest`: {users} concurrent users (4 coordinators browsing to 1 expert "
             f"marking) for {seconds} s against gunicorn with 4 sync workers, loopback only, "
             f"demo season of {scale} entries; {time.strftime('%Y-%m-%d')}, "
             f"{os.cpu_count()} cores. Each backend twice: as is, and with 4 attackers (one per "
             "worker) uploading the crafted spreadsheets of the trust issue (row 20,000,000; "
             "15 million empty rows; 5.5 million shared strings) to the participants import "
             "without pause. «Other users' p95» is gunicorn's own time for every request but "
             "logins and the uploads; target: within 1.5× of the run without attackers.", ""]
    failed = False
    for label, url in backends:
        targets_path = out_dir / "loadtest-targets.json"
        print(f"{label}: preparing {scale} entries …", flush=True)
        prepare(url, scale, targets_path)
        quiet = run_load(url, targets_path, out_dir, f"{label.lower()}-quiet", users, seconds, 0)
        attacked = run_load(url, targets_path, out_dir, f"{label.lower()}-crafted", users,
                            seconds, 4)
        ratio = attacked["p95"] / quiet["p95"] if quiet["p95"] else 0
        lines += [f"### {label}", "", "Without attackers:", ""] + table(quiet) + [
            "", "With 4 attackers sending crafted spreadsheets:", ""] + table(attacked) + [
            "", f"Other users' p95: {quiet['p95']:.0f} ms without attackers "
            f"({quiet['served']} requests), {attacked['p95']:.0f} ms with them "
            f"({attacked['served']} requests): {ratio:.2f}× (target ≤ 1.5×). Server errors "
            f"(5xx): {quiet['errors']} and {attacked['errors']}. Score-sheet saves refused "
            f"with 409 because another expert saved first: {quiet['conflicts']} and "
            f"{attacked['conflicts']} (the intended answer, counted as successes).", ""]
        for result in (quiet, attacked):
            total = next((r for r in result["rows"] if r["Name"] == "Aggregated"), None)
            failed |= bool(total and int(total["Failure Count"]) or result["errors"])
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    if "\n## Load test" in text:
        text = text[:text.index("\n## Load test")]
    doc.write_text(text.rstrip("\n") + "\n" + "\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
