"""``python -m benchmarks``: load a national season and time what people wait for.

For each backend (SQLite always; PostgreSQL when ``DATABASE_URL`` names one) it
1. builds a fresh database with the migrations, the reference data and
   ``flask demo load --scale N`` (default 100,000 entries), plus a synthetic final of
   100 competencies × 60 entries × 60 aspects;
2. times, in-process through Flask's test client (no network), each page and export over
   ``--repeat`` runs: median and p95, each beside a floor measured in the same run — for a
   page the cost of rendering its own template from the context its view built, in memory
   (``benchmarks/floors.py``), with the page's query count; for the winners export the same
   query written to CSV by plain ``sqlite3``/``psql``;
3. writes the table to ``docs/benchmarks.md`` with the machine it ran on.

Not part of ``make test``: timings never decide a test.
"""
from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]


@dataclass
class Figure:
    name: str
    times: list[float]
    floor: list[float] = field(default_factory=list)
    target: str = ""
    note: str = ""
    queries: str = ""  # the page's queries, and its floor's (which should be 0)
    # a page's split: its template(s) rendered inside real requests (``render_in_request``)
    # and what every request of its kind costs before its own work (the bare route's median)
    render: list[float] = field(default_factory=list)
    fixed: float = 0.0

    @staticmethod
    def p(values, q):
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    def ratios(self) -> tuple[float, float] | None:
        if not self.floor:
            return None
        fmed, fp95 = statistics.median(self.floor), self.p(self.floor, 0.95)
        if not fmed or not fp95:
            return None
        return statistics.median(self.times) / fmed, self.p(self.times, 0.95) / fp95

    def row(self) -> str:
        med, p95 = statistics.median(self.times), self.p(self.times, 0.95)
        floor, ratio_med, ratio_p95 = "—", "", ""
        if self.floor:
            fmed, fp95 = statistics.median(self.floor), self.p(self.floor, 0.95)
            floor = f"{fmed * 1000:.1f} / {fp95 * 1000:.1f}"
        if ratios := self.ratios():
            ratio_med, ratio_p95 = f"{ratios[0]:.2f}×", f"{ratios[1]:.2f}×"
        return (f"| {self.name} | {med * 1000:.1f} | {p95 * 1000:.1f} | {floor} | {ratio_med} | "
                f"{ratio_p95} | {self.queries} | {self.target} | {self.note} |")


def split_table(figures: list[Figure]) -> list[str]:
    """Where each page's median goes: what every request of its kind costs before the page's
    own work (the bare route's median: the session, and for a staff page the user's lookup,
    the permission and the transaction's end), its own template rendered inside the request
    (the floor's work, done once where the floor repeats it), and the rest (its queries, the
    view's code, the ORM); and what 2× the floor's median leaves for that rest once the first
    two are paid. Below zero, the target is out of reach however fast the queries are."""
    rows = [f for f in figures if f.render and f.floor]
    if not rows:
        return []
    lines = ["", "Where a page's median goes (ms): before its own work (the bare route's median, "
             "logged in for a staff page), its own template rendered inside the request (the "
             "floor's render, once), the rest (its queries, view code and ORM), and what 2× "
             "the floor's median leaves for that rest once the first two are paid (below "
             "zero: out of reach even with no query at all).", "",
             "| page | median | before its own work | its render in the request (floor) | "
             "the rest | 2× floor | left for the rest under 2× floor |",
             "|---|---|---|---|---|---|---|"]
    for f in rows:
        page, render = statistics.median(f.times), statistics.median(f.render)
        floor = statistics.median(f.floor)
        rest = page - f.fixed - render
        left = 2 * floor - f.fixed - render
        lines.append(f"| {f.name} | {page * 1000:.1f} | {f.fixed * 1000:.2f} | "
                     f"{render * 1000:.1f} ({floor * 1000:.1f}) | {rest * 1000:.1f} | "
                     f"{2 * floor * 1000:.1f} | {left * 1000:+.1f} |")
    return lines


HEADER = ["| what | median ms | p95 ms | floor median / p95 ms | median ÷ floor | p95 ÷ floor p95 "
          "| queries (floor's) | target | note |",
          "|---|---|---|---|---|---|---|---|---|"]


WARM_UP = 10


def timed(fn, repeat: int, warm_up: int = WARM_UP) -> list[float]:
    # warm up as a server is after its first minute: SQLAlchemy's compiled statements, the
    # page's prepared data, and on PostgreSQL the connection's own (psycopg prepares a
    # statement on the server on its fifth run, the server caches what it looked up); the
    # long exports and the preview, a second or more each, warm up once
    for _ in range(warm_up):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


ROUNDS = 5


def page_and_floor(app, counter, get, repeat: int):
    """A page's times, its floor's and its render inside real requests, taken in turns:
    ``ROUNDS`` rounds of ``repeat // ROUNDS`` each (the page warmed up before the first),
    so that a slow spell of the shared machine falls on the page and on its floor alike,
    not on one of them (taken one after the other, a page measured 1.8 times its render
    inside the request in one run and 1.05 times in the next)."""
    from .floors import Floor, render_in_request, template_floor

    per_round = max(1, repeat // ROUNDS)
    times: list[float] = []
    floor, render = Floor(), []
    for number in range(ROUNDS):
        times += timed(get, per_round, WARM_UP if number == 0 else 1)
        part = template_floor(app, counter, get, per_round)
        floor.times += part.times
        floor.templates, floor.queries = part.templates, floor.queries + part.queries
        render += render_in_request(app, get, per_round)
    return times, floor, render


def run(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}")
    return time.perf_counter() - start


def prepare(url: str, scale: int) -> dict:
    env = {**os.environ, "DATABASE_URL": url}
    if url.startswith("postgresql"):
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                             autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
    run(FLASK + ["db", "upgrade"], env)
    run(FLASK + ["refdata", "load"], env)
    seconds = run(FLASK + ["demo", "load", "--scale", str(scale), "--quiet"], env)
    # the synthetic final, by a loader of its own like the season's: the measuring process is
    # left as a server's, without the loader's heap (built in it, the person page measured
    # 10.6 ms on PostgreSQL, against 6.2 ms in a process that had not built it)
    final = run([sys.executable, "-m", "benchmarks.synthetic", url], env)
    if url.startswith("postgresql"):
        # As after any bulk load: fresh planner statistics, and no autovacuum running
        # in the middle of the measurements.
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                             autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    # the loaders wrote hundreds of MB: flushed to disk now, not by the kernel's writeback
    # during the measurements
    os.sync()
    return {"demo_load": seconds, "synthetic_final": final}


def floor_csv(url: str, sql: str, out: Path) -> None:
    """The same query, written to CSV by the database's own client library: the floor."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        with open(out, "w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh, delimiter=";")
            cursor = conn.execute(sql)
            writer.writerow([d[0] for d in cursor.description])
            writer.writerows(cursor)
        conn.close()
    else:
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        subprocess.run(["psql", plain, "-q", "-c",
                        f"\\copy ({sql}) TO '{out}' WITH (FORMAT csv, HEADER, DELIMITER ';')"],
                       check=True, capture_output=True)


def measure(url: str, scale: int, repeat: int, load: dict,
            pages_only: bool = False) -> tuple[list[Figure], dict]:
    from flask import Response
    from sqlalchemy import func, select

    from registry import create_app
    from registry.exporters import EXPORTERS
    from registry.extensions import db
    from registry.importers.participants import apply, build_plan
    from registry.models import Competition, Entry, EntryMember, OfferedCategory, OfferedCompetency, Person, User
    from registry.services.results import competition_standings

    from .synthetic import FINAL_TITLE, participants_file

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "benchmark",
                      # the export itself, in the request: not handed to a background job
                      "EXPORT_JOB_ROWS": 10 ** 9})

    @app.route("/__floor")
    def floor():
        return Response("ok")

    floor.is_public = True

    def floor_logged_in():
        # what every staff page pays before its own work: the session, the user's lookup
        # (its session version), the permission check, the transaction's end
        return Response("ok")

    floor_logged_in.required_permission = "persons.view"
    app.add_url_rule("/__floor_logged_in", view_func=floor_logged_in)
    figures: list[Figure] = []
    facts: dict = dict(load)
    with app.app_context():
        final = db.session.scalar(
            select(Competition).where(Competition.title.startswith(FINAL_TITLE))
            .order_by(Competition.id.desc()).limit(1))
        if final is None:
            sys.exit(f"{url}: no synthetic final to measure; run without --reuse")
        facts["entries"] = db.session.scalar(select(func.count()).select_from(Entry))
        facts["persons"] = db.session.scalar(select(func.count()).select_from(Person))
        for email, role in (("bench@example.ru", "coordinator"),
                            ("bench.organiser@example.ru", "organiser")):
            if db.session.scalar(select(User).where(User.email == email)) is None:
                user = User(email=email, role=role, name="Бенчмарк")
                user.set_password("benchmark password")
                db.session.add(user)
        db.session.commit()
        # the biggest regional competition, one of its regions and a common name prefix
        biggest = db.session.execute(
            select(OfferedCompetency.competition_id, func.count(Entry.id))
            .join(OfferedCategory, OfferedCategory.offered_competency_id == OfferedCompetency.id)
            .join(Entry, Entry.offered_category_id == OfferedCategory.id)
            .join(Competition, Competition.id == OfferedCompetency.competition_id)
            .where(Competition.stage == "regional", Competition.status == "results_published")
            .group_by(OfferedCompetency.competition_id)
            .order_by(func.count(Entry.id).desc()).limit(1)).first()
        competition_id, facts["biggest_competition_entries"] = biggest
        region_id = db.session.scalar(
            select(Person.region_id).join(EntryMember).join(Entry)
            .join(OfferedCategory).join(OfferedCompetency)
            .where(OfferedCompetency.competition_id == competition_id).limit(1))
        surname = db.session.scalar(select(Person.last_name).join(EntryMember).join(Entry)
                                    .join(OfferedCategory).join(OfferedCompetency)
                                    .where(OfferedCompetency.competition_id == competition_id)
                                    .limit(1))
        competency_id = db.session.execute(
            select(OfferedCompetency.id, func.count(Entry.id))
            .join(OfferedCategory, OfferedCategory.offered_competency_id == OfferedCompetency.id)
            .join(Entry, Entry.offered_category_id == OfferedCategory.id)
            .where(OfferedCompetency.competition_id == competition_id)
            .group_by(OfferedCompetency.id).order_by(func.count(Entry.id).desc()).limit(1)).first()
        competency_id, facts["biggest_competency_entries"] = competency_id
        busiest = db.session.execute(
            select(EntryMember.person_id, func.count()).group_by(EntryMember.person_id)
            .order_by(func.count().desc()).limit(1)).first()
        person_id, facts["busiest_person_entries"] = busiest
        final_id = final.id

    # as wsgi.py leaves a server's process (``registry.process.settle``): what its start made
    # is frozen, the young generation collected after 10,000 new objects; here what is frozen
    # is the app and what the set-up above kept, after a collection of its garbage
    from registry import process

    gc.collect()
    process.settle()
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.ru", "password": "benchmark password"})

    def get(url_):
        def call():
            response = client.get(url_)
            assert response.status_code == 200, (url_, response.status_code)
            response.get_data()
        return call

    from .floors import QueryCounter

    with app.app_context():
        counter = QueryCounter(db.engine)
    floor_times = timed(get("/__floor"), repeat)
    facts["bare_route"] = (statistics.median(floor_times), Figure.p(floor_times, 0.95))
    logged_in_times = timed(get("/__floor_logged_in"), repeat)
    facts["bare_logged_in"] = (statistics.median(logged_in_times),
                               Figure.p(logged_in_times, 0.95))
    pages = [
        ("Participants list: region filter + name search",
         f"/competitions/{competition_id}/participants?region_id={region_id}&q={surname[:4]}"),
        ("Participants list: first page, no filter", f"/competitions/{competition_id}/participants"),
        ("Person page (most entries)", f"/persons/{person_id}"),
        ("Standings page of a competency (all its categories)",
         f"/results/{competition_id}?competency={competency_id}"),
        ("Standings page of a whole regional competition", f"/results/{competition_id}?all=1"),
    ]
    for name, url_ in pages:
        times, floor, render = page_and_floor(app, counter, get(url_), repeat)
        figure = Figure(name, times, target="p95 ≤ 2× floor p95")
        figure.floor, figure.render = floor.times, render
        figure.fixed = facts["bare_logged_in"][0]
        figure.queries = f"{counter.during(get(url_))} ({floor.queries})"
        figure.note = ", ".join(floor.templates)
        if not name.startswith("Standings page of a whole"):
            figure.target += "; p95 < 100 ms"
        figures.append(figure)

    # an export, not a page: its floor is its own rows (read once) written by its own CSV
    # writer from memory; what is above that is the query
    from flask_login import login_user

    from registry.exporters.render import render_csv

    medals = EXPORTERS["medals"]
    figure = Figure("Medal table (whole season, CSV)",
                    timed(get("/exports/medals?format=csv&lang=ru&delimiter=%3B"), repeat),
                    target="p95 < 100 ms")
    with app.test_request_context("/exports/medals"):
        login_user(db.session.scalar(select(User).where(User.email == "bench@example.ru")))
        columns, rows = medals.columns(), list(medals.rows({}))
        figure.floor = timed(lambda: b"".join(render_csv(columns, iter(rows), delimiter=";")),
                             repeat)
    figure.queries = (f"{counter.during(get('/exports/medals?format=csv&lang=ru&delimiter=%3B'))}"
                      " (0)")
    figure.note = f"floor: its {len(rows)} rows by `render_csv` from memory"
    figures.append(figure)
    # the public pages too before the exports and imports: measured in the process as a
    # server's, not after the imports' writes and their heap
    figures.extend(public_figures(app, counter, final_id, repeat, facts["bare_route"][0]))

    if pages_only:
        return figures, facts
    export_repeat = max(3, repeat // 6)
    winners = EXPORTERS["winners"]
    with app.app_context():
        sql = str(winners.query({}).compile(db.engine, compile_kwargs={"literal_binds": True}))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "floor.csv"
        floor_export = timed(lambda: floor_csv(url, sql, out), export_repeat, 1)
        with open(out, encoding="utf-8-sig") as fh:
            facts["winners_rows"] = sum(1 for _ in fh) - 1
    for fmt, target in (("csv", "within 3× of the floor"), ("xlsx", "")):
        figures.append(Figure(f"Winners export, whole season ({fmt.upper()})",
                              timed(get(f"/exports/winners?format={fmt}&lang=ru&delimiter=%3B"),
                                    export_repeat, 1), floor_export, target))

    with app.app_context():
        final_obj = db.session.get(Competition, final_id)
        figures.append(Figure("Standings of a whole final (100 × 60 × 60), in-process",
                              timed(lambda: competition_standings(final_obj), max(3, repeat // 6), 1),
                              note=""))
        db.session.expire_all()
        facts["final_standings_queries"] = counter.during(
            lambda: competition_standings(db.session.get(Competition, final_id)))
        figures[-1].queries = str(facts["final_standings_queries"])

        import_times = []
        kind_id = final_obj.kind_id
        for attempt in range(3):
            target = Competition(kind_id=kind_id, title=f"Импорт {attempt}", year=2025,
                                 stage="final", status="registration")
            db.session.add(target)
            db.session.commit()
            data = participants_file(10_000, salt=_salt(attempt))
            start = time.perf_counter()
            plan = build_plan(target, data, filename="import.csv")
            assert plan.ok, plan.problems[:3]
            apply(plan)
            import_times.append(time.perf_counter() - start)
            db.session.remove()
        figures.append(Figure("Import of a 10,000-row participants file (plan + write)",
                              import_times, target="< 15 s", note="3 runs, new persons"))
        preview_target = Competition(kind_id=kind_id, title="Предпросмотр", year=2025,
                                     stage="final", status="registration")
        db.session.add(preview_target)
        db.session.commit()
        preview_id = preview_target.id
        db.session.remove()
    organiser = app.test_client()  # an import needs competitions.manage
    organiser.post("/login", data={"email": "bench.organiser@example.ru",
                                   "password": "benchmark password"})
    figures.append(preview_figure(app, counter, organiser, preview_id, max(3, repeat // 6)))
    from .diplomas import figures as diploma_figures

    figures += diploma_figures(app)
    return figures, facts


def public_figures(app, counter, final_id: int, repeat: int, fixed: float) -> list[Figure]:
    """The public pages of the synthetic final (6,000 entries), published and released, as an
    anonymous visitor: the competition's page, its biggest competency's results, its medal
    table; and the same page answered 304 to a client that holds its ETag."""
    from sqlalchemy import select

    from registry.extensions import db
    from registry.models import Competition, OfferedCompetency
    from registry.services import release, results

    with app.app_context():
        final = db.session.get(Competition, final_id)
        start = time.perf_counter()
        if not release.is_released(final):  # a final reused by --reuse is released already
            results.publish(final)
            release.release(final)
            db.session.commit()
        published = time.perf_counter() - start
        competency = db.session.scalar(select(OfferedCompetency.id)
                                       .where(OfferedCompetency.competition_id == final_id)
                                       .order_by(OfferedCompetency.id).limit(1))
    visitor = app.test_client()

    def get(url_, headers=None, status=200):
        def call():
            response = visitor.get(url_, headers=headers or {})
            assert response.status_code == status, (url_, response.status_code)
            response.get_data()
        return call

    base = f"/public/competitions/{final_id}"
    etag = visitor.get(base).headers["ETag"]
    note = f"published and released in {published:.1f} s"

    figures = []
    for name, url_ in (("Public page of a released final (100 competencies × 60)", base),
                       ("Public results of one competency of the final",
                        f"{base}/competencies/{competency}"),
                       ("Public medal table of the final (with its chart)", f"{base}/medals")):
        times, floor, render = page_and_floor(app, counter, get(url_), repeat)
        figure = Figure(name, times, target="p95 < 100 ms; ≤ 2× floor")
        figure.floor, figure.render = floor.times, render
        figure.fixed = fixed  # an anonymous visitor: no user to look up
        figure.queries = f"{counter.during(get(url_))} ({floor.queries})"
        figure.note = ", ".join(floor.templates)
        figures.append(figure)
    figures[0].note += f"; {note}"
    # what the first visitor after a release, a publication or a consent change waits for:
    # the page's data prepared again (``public_snapshots.prepared`` emptied before each)
    from registry.services import public_snapshots

    for name, url_ in (("Public medal table of the final, nothing prepared yet",
                        f"{base}/medals"),
                       ("Public results of one competency, nothing prepared yet",
                        f"{base}/competencies/{competency}")):
        page = get(url_)

        def cold(page=page):
            with app.app_context():
                public_snapshots.forget_prepared()
            page()

        figures.append(Figure(name, timed(cold, repeat), target="p95 < 100 ms",
                              queries=str(counter.during(cold)),
                              note="the parsed snapshots kept; the rest made again"))
    revalidated = get(base, {"If-None-Match": etag}, 304)
    figures.append(Figure("Public page of the final, revalidated (304)",
                          timed(revalidated, repeat), target="no template rendered",
                          queries=str(counter.during(revalidated))))
    return figures




def preview_figure(app, counter, client, competition_id: int, repeat: int) -> Figure:
    """The preview page of a 10,000-row participants upload (the plan is built, its summary
    and first page of rows shown; nothing is written), and its size."""
    import io

    from .synthetic import participants_file

    data = participants_file(10_000, salt="е")
    sizes = []

    def call():
        response = client.post(f"/competitions/{competition_id}/import",
                               data={"file": (io.BytesIO(data), "import.csv")},
                               content_type="multipart/form-data")
        assert response.status_code == 200, response.status_code
        sizes.append(len(response.get_data()))

    from .floors import template_floor

    times = timed(call, repeat, 1)
    floor = template_floor(app, counter, call, repeat)
    return Figure("Preview of a 10,000-row participants upload (page 1)", times, floor.times,
                  target="< 2 s, < 500 KB", queries=f"({floor.queries})",
                  note=f"{max(sizes) / 1024:.0f} KB, {repeat} runs; {', '.join(floor.templates)}")


def _salt(number: int) -> str:
    return "абвгд"[number]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    server = ""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
            server = f", PostgreSQL {conn.execute('SHOW server_version').fetchone()[0]}"
    return (f"{os.cpu_count()} cores ({cpu}){memory}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}{server}")


def xlsx_section(repeat: int) -> str:
    """The XLSX writer and reader against the library alone, on the same rows (no database:
    ``benchmarks/xlsx_figures.py``), and the peak memory of a small and a ten times bigger
    export, each in a process of its own."""
    from .xlsx_figures import xlsx_figures

    print("== XLSX writer and reader …", flush=True)
    x = xlsx_figures(repeat=max(5, repeat // 2))  # in turns with the library alone
    small, big = sorted(x["peak_rss_mb"])
    return "\n".join([
        "### XLSX files (no database)", "",
        "| what | ours s | library alone s | ratio | target |", "|---|---|---|---|---|",
        f"| Export of {x['rows']:,} winner-shaped rows (rustpy-xlsxwriter) | "
        f"{x['export_s']:.2f} | {x['writer_alone_s']:.2f} | {x['export_ratio']:.2f}× | ≤ 1.3× |",
        f"| Read of a {x['import_rows']:,}-row participants file (python-calamine) | "
        f"{x['read_table_s']:.2f} | {x['reader_alone_s']:.2f} | {x['import_read_ratio']:.2f}× "
        f"| ≤ 1.3× |",
        f"| the same file by openpyxl read-only (the reader before) | "
        f"{x['openpyxl_read_only_s']:.2f} | | | |", "",
        f"Peak RSS of an export of {small:,} rows: {x['peak_rss_mb'][small]:.1f} MB; of "
        f"{big:,} rows: {x['peak_rss_mb'][big]:.1f} MB (ratio {x['peak_rss_ratio']:.2f}, "
        "target within 20 %).", ""])


def measured_apart(url: str, args, load: dict) -> tuple[list[Figure], dict]:
    """``measure`` in a process of its own for each backend: each backend's figures come from
    a process that has done nothing else (measured after the other backend's, in the same
    process, the person page on PostgreSQL took 11.0 ms against 6.2 ms alone)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "figures.json"
        command = [sys.executable, "-m", "benchmarks", "--measure-into", str(out), "--url", url,
                   "--scale", str(args.scale), "--repeat", str(args.repeat)]
        if args.pages_only:
            command.append("--pages-only")
        subprocess.run(command, cwd=ROOT, check=True,
                       env={**os.environ, "BENCH_LOAD": json.dumps(load)})
        result = json.loads(out.read_text())
    return [Figure(**f) for f in result["figures"]], result["facts"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--reuse", action="store_true",
                        help="measure the databases left by the last run (no new load)")
    parser.add_argument("--only", choices=["sqlite", "postgresql"],
                        help="one backend only")
    parser.add_argument("--pages-only", action="store_true",
                        help="only the pages (a quick look; exports and imports left out)")
    parser.add_argument("--measure-into", help=argparse.SUPPRESS)  # see measured_apart
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_into:
        figures, facts = measure(args.url, args.scale, args.repeat,
                                 json.loads(os.environ["BENCH_LOAD"]), args.pages_only)
        Path(args.measure_into).write_text(json.dumps(
            {"figures": [asdict(f) for f in figures], "facts": facts}))
        return

    backends = [("SQLite", "sqlite:///" + str(ROOT / "benchmarks" / "results" / "bench.sqlite"))]
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        backends.append(("PostgreSQL", os.environ["DATABASE_URL"]))
    if args.only:
        backends = [b for b in backends if b[0].lower() == args.only.lower()]
    (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
    sections = []
    bare_routes = []
    for label, url in backends:
        if args.reuse:
            load = {"demo_load": 0.0, "synthetic_final": 0.0}
        else:
            if url.startswith("sqlite"):
                for suffix in ("", "-wal", "-shm"):
                    Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
            print(f"== {label}: loading {args.scale} entries …", flush=True)
            load = prepare(url, args.scale)
        print(f"   demo load {load['demo_load']:.1f} s; measuring …", flush=True)
        figures, facts = measured_apart(url, args, load)
        lines = [f"### {label}", "",
                 f"Demo season loaded with `flask demo load --scale {args.scale}` in "
                 f"{facts['demo_load']:.1f} s ({facts['entries']} entries in all, "
                 f"{facts['persons']} persons, after adding the synthetic final in "
                 f"{facts['synthetic_final']:.1f} s). Biggest regional competition: "
                 f"{facts['biggest_competition_entries']} entries, its biggest competency "
                 f"{facts['biggest_competency_entries']}; the person page shows "
                 f"{facts['busiest_person_entries']} entries; the winners export has "
                 f"{facts.get('winners_rows', '?')} rows.", "",
                 *HEADER]
        lines += [f.row() for f in figures]
        lines += split_table(figures)
        bare_routes.append(f"{facts['bare_route'][0] * 1000:.2f} / "
                           f"{facts['bare_route'][1] * 1000:.2f} ms (median / p95) on {label}, "
                           f"{facts['bare_logged_in'][0] * 1000:.2f} / "
                           f"{facts['bare_logged_in'][1] * 1000:.2f} ms when it needs a "
                           "logged-in user with a permission (as every staff page does)")
        sections.append("\n".join(lines))
        for f in figures:
            print("  ", f.row(), flush=True)
    bare = " and ".join(bare_routes)
    if not args.pages_only:
        sections.append(xlsx_section(args.repeat))
    text = "\n".join([
        "# Benchmarks", "",
        f"Measured by `make bench` (`python -m benchmarks --scale {args.scale} --repeat "
        f"{args.repeat}`) on {time.strftime('%Y-%m-%d')}.", "",
        f"Machine: {machine()}.", "",
        "Pages and exports are requested in-process through Flask's test client as a logged-in "
        "coordinator (no network, no proxy): the figures are the application's own time, in "
        "a process left as `wsgi.py` leaves a server's (what its start made is frozen out of "
        "the garbage collector's passes, `gc.freeze`, and its young generation is collected "
        "after 10,000 new objects, `registry/process.py`), one process for each database, which "
        "has loaded nothing (the season and the synthetic final are loaded by processes of "
        "their own, then on PostgreSQL `VACUUM ANALYZE`); pages first, then the exports, the "
        "imports and the diplomas. Each figure is taken after 10 requests of warming up (one "
        "for the exports and the preview): SQLAlchemy's compiled statements, the pages' "
        "prepared data, psycopg's statements prepared on the server (on their fifth run). "
        "Floors, measured in the same run: for a page, the cost of rendering its own "
        "template(s) (named in the note) from the context its view built, in memory — the "
        "same rows, no database (`benchmarks/floors.py`: the view runs once, then "
        "`render_template` is timed again and again with that context inside the same "
        f"request), taken in turns with the page itself ({ROUNDS} rounds, each of the page's "
        "requests, its floor's renders and its requests timing their own render), so that a "
        "slow spell of the machine falls on both; for the winners export, its own SQL query written to CSV by plain "
        "`sqlite3` (Python's module) or `psql \\copy`; for the medal table, its rows written "
        "by its own CSV writer from memory. «queries» is what one request of the page sends "
        "to the database (the login's user lookup included), and in brackets what the floor's "
        "renders sent (0: the floor touches no database). A bare Flask route answering «ok» "
        "costs " + bare + ".", "",
        *sections, ""])
    output = Path(args.output)
    if output.exists() and "\n## Load test" in output.read_text(encoding="utf-8"):
        # keep the figures of the last `make loadtest`
        old = output.read_text(encoding="utf-8")
        text = text.rstrip("\n") + "\n" + old[old.index("\n## Load test"):]
    output.write_text(text, encoding="utf-8")
    print(f"written {args.output}")


if __name__ == "__main__":
    main()
