"""``python -m benchmarks.api``: what the API adds to a request, on a fresh SQLite database.

Times, in-process through Flask's test client, over ``--repeat`` runs (median and p95):
- ``GET /api/v1/token`` (the token check, the two rate-limit counters on their own
  connection, the answer) beside a bare Flask route in the same process;
- a participants import preview of ``--rows`` JSON rows (the same plan as the web import).
Not part of ``make test``: timings never decide a test.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def _times(call, repeat: int) -> list[float]:
    found = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        found.append(time.perf_counter() - started)
    return found


def _line(name: str, times: list[float]) -> str:
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return f"{name}: median {statistics.median(times) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    from flask_migrate import upgrade

    from registry import create_app
    from registry.api.tokens import issue_token
    from registry.extensions import db
    from registry.services import reference
    from tests import factories

    folder = Path(tempfile.mkdtemp())
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}",
                      "SECRET_KEY": "bench", "API_RATE_LIMIT_TOKEN": 10**9,
                      "API_RATE_LIMIT_ADDRESS": 10**9})
    app.add_url_rule("/bare", "bare", lambda: "ok")
    app.view_functions["bare"].is_public = True
    with app.app_context():
        upgrade()
        reference.load_all()
        user = factories.make_user(role="organiser")
        offered = factories.make_offered()
        competition_id = offered.offered_competency.competition_id
        _token, secret = issue_token(user, "bench", ["read", "register"])
        db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    names = ("Алексей", "Дмитрий", "Сергей", "Андрей", "Максим", "Илья", "Кирилл", "Егор")
    rows = [{"last_name": f"Иванов{'а' * (n // 8 % 3)}" + "вский" * (n // 24),
             "first_name": names[n % 8], "birth_date": f"{1 + n % 28:02d}.{1 + n % 12:02d}.2005",
             "region": "Оренбургская область", "organisation": "Колледж",
             "competency": "Сварочные технологии", "category": "Основная",
             "consent_date": "01.02.2024"} for n in range(args.rows)]
    print(_line("bare Flask route", _times(lambda: client.get("/bare"), args.repeat)))
    print(_line("GET /api/v1/token", _times(
        lambda: client.get("/api/v1/token", headers=headers), args.repeat)))
    url = f"/api/v1/competitions/{competition_id}/imports/participants/preview"
    print(_line(f"participants preview, {args.rows} JSON rows", _times(
        lambda: client.post(url, json={"rows": rows}, headers=headers), 5)))


if __name__ == "__main__":
    main()
