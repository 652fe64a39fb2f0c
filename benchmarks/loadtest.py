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


CLOSED_NAMES = ("participants list", "person page", "standings", "score sheet",
                "score sheet [save]")
CLOSED_CONFIGS = [(2, "sync"), (4, "sync"), (2, "gthread"), (4, "gthread")]
THREADS = 4  # per gthread worker
LOGINS = 5  # seconds added to each closed-loop run before the measured window


def configs_from(text: str) -> list[tuple[int, str]]:
    """``LOADTEST_SQLITE_CONFIGS="2:sync,4:sync,2:gthread,4:gthread"``: the gunicorn
    settings to run on SQLite instead of the one picked on PostgreSQL."""
    configs = []
    for item in text.split(","):
        workers, _colon, kind = item.strip().partition(":")
        configs.append((int(workers), kind or "sync"))
    return configs


def in_process(url: str, targets: dict, repeat: int) -> dict[str, float]:
    """The median time of each request of the closed-loop mix, in-process through Flask's
    test client on the same database (no network, no gunicorn): the ideal's yardstick."""
    import random
    import re
    import statistics

    from registry import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "load-test-secret"})
    rng = random.Random(3)
    browser, marker = app.test_client(), app.test_client()
    browser.post("/login", data={"email": targets["coordinator"], "password": PASSWORD})
    expert = sorted(targets["sheets"])[0]
    marker.post("/login", data={"email": expert, "password": PASSWORD})
    inputs = re.compile(r'<input[^>]*name="((?:m|j)-[0-9-]+)"[^>]*value="([^"]*)"([^>]*)>')
    version = re.compile(r'name="version" value="([0-9]*)"')
    times: dict[str, list[float]] = {name: [] for name in CLOSED_NAMES}

    def timed(name, call):
        start = time.perf_counter()
        response = call()
        response.get_data()
        times[name].append(time.perf_counter() - start)
        return response

    for attempt in range(repeat + 1):
        competition = rng.choice(targets["competitions"])
        timed("participants list",
              lambda c=competition: browser.get(f"/competitions/{c}/participants"))
        timed("person page", lambda: browser.get(f"/persons/{rng.choice(targets['persons'])}"))
        timed("standings", lambda c=competition: browser.get(f"/results/{c}"))
        sheet = rng.choice(targets["sheets"][expert])
        page = timed("score sheet", lambda s=sheet: marker.get(s)).get_data(as_text=True)
        found = version.search(page)
        data = {"save": "1", "version": found.group(1) if found else "0"}
        for name, value, rest in inputs.findall(page):
            if "disabled" not in rest:
                data[name] = value or ("0" if name.startswith("m-") else "2")
        timed("score sheet [save]", lambda s=sheet, d=data: marker.post(s, data=d))
        if attempt == 0:  # the first round warms the caches
            for name in times:
                times[name].clear()
    return {name: statistics.median(values) for name, values in times.items()}


def ready(port: int, workers: int) -> None:
    """Wait until gunicorn answers a page (its workers have loaded the application), then
    send one request per worker so that none starts cold inside the measured window."""
    import urllib.request

    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as answer:
                if answer.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    for _ in range(workers * 2):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=30).read()
        except OSError:
            pass


def session_cookies(url: str, targets: dict, experts: int = 8) -> dict[str, str]:
    """A logged-in session cookie for the coordinator and the first ``experts`` experts,
    made once in-process (a login hashes a password, slowly by design: a closed-loop run
    must not spend its first seconds on it)."""
    from registry import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "load-test-secret"})
    cookies = {}
    for email in [targets["coordinator"], *sorted(targets["sheets"])[:experts]]:
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        cookie = client.get_cookie("session")
        if response.status_code == 302 and cookie is not None:
            cookies[email] = cookie.value
    return cookies


def run_closed(url: str, targets_path: Path, out_dir: Path, name: str, workers: int,
               worker_class: str, users: int, seconds: int) -> dict:
    """One closed-loop locust run (no think time) against a fresh gunicorn."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "load-test-secret"}
    errors_log = out_dir / f"gunicorn-errors-{name}.log"
    errors_log.unlink(missing_ok=True)
    threads = ["--threads", str(THREADS)] if worker_class == "gthread" else []
    gunicorn = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--worker-class", worker_class,
         *threads, "--bind", f"127.0.0.1:{port}", "--timeout", "120",
         "--error-logfile", str(errors_log), "wsgi:app"], cwd=ROOT, env=env)
    prefix = out_dir / f"closed-{name}"
    times_path = out_dir / f"closed-{name}-times.json"
    times_path.unlink(missing_ok=True)
    try:
        ready(port, workers)
        print(f"{name}: closed loop, {users} users, {workers} {worker_class} workers, "
              f"{seconds} s", flush=True)
        subprocess.run(
            [str(BIN / "locust"), "-f", str(ROOT / "benchmarks" / "locust_closed.py"),
             "--headless", "-u", str(users), "-r", str(users), "-t", f"{seconds + LOGINS}s",
             "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary"],
            cwd=ROOT, env={**env, "LOADTEST_TARGETS": str(targets_path),
                           "LOADTEST_TIMES": str(times_path)},
            check=False, timeout=seconds + 180, capture_output=True)
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=60)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    log = errors_log.read_text(encoding="utf-8", errors="replace")
    events = json.loads(times_path.read_text()) if times_path.exists() else {
        "logins": [], "requests": []}
    # the steady state: from the last login to the end (logins hash a password, slowly)
    begin = max(events["logins"], default=min((r[0] for r in events["requests"]), default=0))
    steady = [r for r in events["requests"] if r[0] > begin]
    window = (max(r[0] for r in steady) - begin) if steady else 0
    latencies = [r[1] for r in steady]
    counts: dict[str, int] = {}
    for _at, _ms, request, _failed in steady:
        counts[request] = counts.get(request, 0) + 1
    return {"name": name, "workers": workers, "worker_class": worker_class, "rows": rows,
            "counts": counts, "window": window, "requests": len(steady),
            "rps": len(steady) / window if window else 0.0,
            "failures": sum(int(r["Failure Count"]) for r in rows if r["Name"] != "Aggregated"),
            "p95": p95(latencies), "median": p95_at(latencies, 0.5),
            # one line per failed request (a traceback names the error twice, chained)
            "locked": sum(1 for line in log.splitlines() if line.startswith(
                "sqlalchemy.exc.OperationalError") and "database is locked" in line),
            "tracebacks": log.count("ERROR in app: Exception on")}


def p95_at(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0


def ideal_rps(medians: dict[str, float], counts: dict[str, int]) -> float:
    """Every core busy all the time on this mix: cores ÷ the in-process median time of the
    mix (the medians weighted by how often each request was sent)."""
    total = sum(counts.values())
    if not total:
        return 0.0
    mean_median = sum(medians[name] * number for name, number in counts.items()) / total
    return (os.cpu_count() or 1) / mean_median


def closed_section(label: str, results: list[dict], medians: dict[str, float], users: int,
                   seconds: int) -> tuple[list[str], bool]:
    lines = [f"#### Closed loop on {label}", "",
             "In-process median of each request (the yardstick): " + ", ".join(
                 f"{name} {medians[name] * 1000:.1f} ms" for name in CLOSED_NAMES) + ".", "",
             "| gunicorn | requests measured | requests/s | ideal req/s | of ideal | median ms | "
             "p95 ms | failures | «database is locked» | server errors |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    failed = False
    for result in results:
        ideal = ideal_rps(medians, result["counts"])
        share = result["rps"] / ideal if ideal else 0
        result["share"] = share
        lines.append(
            f"| {result['workers']} {result['worker_class']} workers"
            f"{f' × {THREADS} threads' if result['worker_class'] == 'gthread' else ''} | "
            f"{result['requests']} in {result['window']:.0f} s | {result['rps']:.1f} | "
            f"{ideal:.1f} | {share * 100:.0f} % | {result['median']:.0f} | "
            f"{result['p95']:.0f} | {result['failures']} | {result['locked']} | "
            f"{result['tracebacks']} |")
        failed |= bool(result["failures"] or result["locked"] or result["tracebacks"])
    return lines, failed


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
    closed_users = int(os.environ.get("LOADTEST_CLOSED_USERS", 8))
    closed_seconds = int(os.environ.get("LOADTEST_CLOSED_SECONDS", 30))
    open_runs = os.environ.get("LOADTEST_OPEN", "1") != "0"
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    backends = [("SQLite", "sqlite:///" + str(out_dir / "load.sqlite"))]
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        backends.append(("PostgreSQL", os.environ["DATABASE_URL"]))
    only = os.environ.get("LOADTEST_BACKENDS")  # e.g. "sqlite" or "postgresql"
    if only:
        backends = [b for b in backends if b[0].lower() in only.lower().split(",")]
    lines = ["", "## Load test", "",
             f"`make loadtest`, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, loopback "
             f"only, demo season of {scale} entries; Locust runs on the same machine as "
             "gunicorn and the database, and takes its share of the cores.", "",
             "### Throughput at saturation (closed loop)", "",
             f"{closed_users} Locust users (FastHttpUser) without think time for "
             f"{closed_seconds} s each (measured from the last user's login on; the logins "
             "hash a password, slowly by design, and are left out): three coordinators to one "
             "expert; a coordinator asks for the participants list, a person page and a "
             "standings page in turn, an expert reads a score sheet and saves it at once (a "
             "409, another expert's save first, is a correct answer). Requests/s counts "
             "those five requests (not the logins); median and p95 are Locust's (the "
             "client's: queueing included). «Ideal» is every "
             f"core busy all the time: {os.cpu_count()} cores ÷ the in-process median of the "
             "mix (each request's in-process median, weighted by how often it was sent); "
             "target ≥ 70 % of it, 0 failures, 0 «database is locked». On PostgreSQL each "
             "worker setting; on SQLite (the embedded default: WAL, busy timeout 15 s) the "
             "setting picked on PostgreSQL, the experts' saves included.", ""]
    open_lines = ["", "### With think time, and attackers", "",
                  f"{users} concurrent users (4 coordinators browsing to 1 expert marking, 0.5 "
                  f"to 2 s between requests) for {seconds} s against gunicorn with 4 sync "
                  "workers. Each backend twice: as is, and with 4 attackers (one per worker) "
                  "uploading the crafted spreadsheets of the trust issue (row 20,000,000; 15 "
                  "million empty rows; 5.5 million shared strings) to the participants import "
                  "without pause. «Other users' p95» is gunicorn's own time for every request "
                  "but logins and the uploads; target: within 1.5× of the run without "
                  "attackers.", ""]
    failed = False
    picked = None
    closed_lines: list[str] = []
    for label, url in sorted(backends, key=lambda b: b[0] != "PostgreSQL"):
        targets_path = out_dir / "loadtest-targets.json"
        print(f"{label}: preparing {scale} entries …", flush=True)
        prepare(url, scale, targets_path)
        targets = json.loads(targets_path.read_text(encoding="utf-8"))
        targets["cookies"] = session_cookies(url, targets)
        targets_path.write_text(json.dumps(targets, ensure_ascii=False), encoding="utf-8")
        medians = in_process(url, targets, 15)
        configs = CLOSED_CONFIGS if label == "PostgreSQL" else [picked or (4, "sync")]
        if label == "SQLite" and os.environ.get("LOADTEST_SQLITE_CONFIGS"):
            configs = configs_from(os.environ["LOADTEST_SQLITE_CONFIGS"])
        results = [run_closed(url, targets_path, out_dir, f"{label.lower()}-{w}-{k}", w, k,
                              closed_users, closed_seconds) for w, k in configs]
        section, bad = closed_section(label, results, medians, closed_users, closed_seconds)
        failed |= bad
        if label == "PostgreSQL":
            clean = [r for r in results if not (r["failures"] or r["tracebacks"])] or results
            best = max(clean, key=lambda r: r["rps"])
            picked = (best["workers"], best["worker_class"])
            section += ["", f"Picked by figure: {best['workers']} {best['worker_class']} "
                        f"workers ({best['rps']:.1f} requests/s, {best['share'] * 100:.0f} % of "
                        "the ideal); the README's gunicorn line and `make serve` use it."]
        closed_lines += section + [""]
        if not open_runs:
            continue
        quiet = run_load(url, targets_path, out_dir, f"{label.lower()}-quiet", users, seconds, 0)
        attacked = run_load(url, targets_path, out_dir, f"{label.lower()}-crafted", users,
                            seconds, 4)
        ratio = attacked["p95"] / quiet["p95"] if quiet["p95"] else 0
        open_lines += [f"#### {label}", "", "Without attackers:", ""] + table(quiet) + [
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
    lines += closed_lines + (open_lines if open_runs else [])
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
