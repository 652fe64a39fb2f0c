"""Timing of the duplicates search on the database ``DATABASE_URL`` names (load a demo season
first: ``flask --app wsgi demo load --scale 10000`` gives about 9,400 persons and 2,300
organisations): ``python -m benchmarks.duplicates [--runs 5]``. Prints median and p95 of
``person_pairs`` and ``organisation_pairs``, and the number of comparisons made (blocked by
folded surname and name: far below n²/2)."""
from __future__ import annotations

import argparse
import statistics
import time

from registry import create_app
from registry.extensions import db
from registry.models import Organisation, Person
from registry.services import duplicates


def _time(function, runs: int) -> tuple[float, float, int]:
    timings, found = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        found = len(function())
        timings.append(time.perf_counter() - started)
        db.session.rollback()
    timings.sort()
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)], found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        persons = db.session.query(Person).count()
        organisations = db.session.query(Organisation).count()
        calls = 0
        real = duplicates.birth_dates_one_typo_apart

        def counting(a, b):
            nonlocal calls
            calls += 1
            return real(a, b)

        duplicates.birth_dates_one_typo_apart = counting
        median, p95, found = _time(duplicates.person_pairs, args.runs)
        duplicates.birth_dates_one_typo_apart = real
        print(f"person_pairs: {persons} persons, {found} pairs, median {median:.3f} s, "
              f"p95 {p95:.3f} s, {calls // args.runs} date comparisons "
              f"(all pairs would be {persons * (persons - 1) // 2})")
        median, p95, found = _time(duplicates.organisation_pairs, args.runs)
        print(f"organisation_pairs: {organisations} organisations, {found} pairs, "
              f"median {median:.3f} s, p95 {p95:.3f} s")


if __name__ == "__main__":
    main()
