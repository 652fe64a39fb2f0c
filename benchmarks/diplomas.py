"""Bulk diplomas: 1,000 diplomas of one competition, as one PDF and as a ZIP (issue 14).

    .venv/bin/python -m benchmarks.diplomas          # alone, on a fresh SQLite database

``make bench`` adds these rows to its table (``figures(app)``). Target: under 60 s for 1,000
on a 2-core machine. The first PDF run issues the diplomas too (1,000 codes written); the
later runs print the same diplomas again.
"""
from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

COUNT = 1000
KINDS = ("gold", "silver", "bronze", "medallion")


def build_competition(count: int = COUNT):
    """A final of 50 competencies × 20 entries, each entry with a results award."""
    from sqlalchemy import select

    from registry.extensions import db
    from registry.models import (
        Award,
        Category,
        Competency,
        Competition,
        CompetitionKind,
        Entry,
        EntryMember,
        OfferedCategory,
        OfferedCompetency,
        Person,
        Region,
    )

    kind = db.session.scalar(select(CompetitionKind).where(CompetitionKind.slug == "professionaly"))
    category = db.session.scalar(select(Category).where(Category.kind_id == kind.id).limit(1))
    regions = list(db.session.scalars(select(Region).limit(20)))
    competencies = list(db.session.scalars(select(Competency).limit(50)))
    competition = Competition(kind_id=kind.id, title="Профессионалы 2025, финал (дипломы)",
                              year=2025, stage="final", status="results_published",
                              starts_on=date(2025, 6, 1), ends_on=date(2025, 6, 6))
    db.session.add(competition)
    db.session.flush()
    per = max(1, count // len(competencies))
    made = 0
    for c_index, competency in enumerate(competencies):
        oc = OfferedCompetency(competition_id=competition.id, competency_id=competency.id)
        db.session.add(oc)
        db.session.flush()
        offered = OfferedCategory(offered_competency_id=oc.id, category_id=category.id)
        db.session.add(offered)
        db.session.flush()
        for place in range(1, per + 1):
            if made == count:
                break
            person = Person(last_name=f"Константинова-{c_index}", first_name="Александра",
                            middle_name="Владимировна", birth_date=date(2005, 1, 1 + place % 28),
                            region_id=regions[place % len(regions)].id)
            person.identity_key = f"bench-diploma-{c_index}-{place}"
            db.session.add(person)
            db.session.flush()
            entry = Entry(offered_category_id=offered.id)
            entry.members.append(EntryMember(person_id=person.id,
                                             offered_category_id=offered.id))
            db.session.add(entry)
            db.session.flush()
            db.session.add(Award(competition_id=competition.id, entry_id=entry.id,
                                 kind=KINDS[min(place, 4) - 1], source="results",
                                 place=place, region_id=person.region_id))
            made += 1
    db.session.commit()
    return competition


def figures(app, repeat: int = 2):
    """``Figure`` rows for ``make bench``: the PDF (first run issues) and the ZIP."""
    from registry.extensions import db
    from registry.services.diplomas import generate_bulk

    from .__main__ import Figure

    with app.app_context():
        competition = build_competition()
        times, sizes, cpu = [], {}, {"pdf": [], "zip": []}
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            bundle = generate_bulk(competition, "pdf")
            db.session.commit()
            times.append(time.perf_counter() - start)
            cpu["pdf"].append(time.process_time() - start_cpu)
            sizes["pdf"] = len(bundle.data)
        zip_times = []
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            bundle = generate_bulk(competition, "zip")
            db.session.commit()
            zip_times.append(time.perf_counter() - start)
            cpu["zip"].append(time.process_time() - start_cpu)
            sizes["zip"] = len(bundle.data)
        assert bundle.count == COUNT
        db.session.remove()
    return [
        Figure(f"{COUNT:,} diplomas, one PDF (first run issues the codes)", times,
               target="< 60 s", note=f"{sizes['pdf'] / 1e6:.1f} MB; CPU "
               f"{min(cpu['pdf']):.1f} s"),
        Figure(f"{COUNT:,} diplomas, ZIP of one PDF each", zip_times, target="< 60 s",
               note=f"{sizes['zip'] / 1e6:.1f} MB; CPU {min(cpu['zip']):.1f} s"),
    ]


def main() -> None:
    from flask_migrate import upgrade

    from registry import create_app
    from registry.extensions import db
    from registry.services import reference

    with tempfile.TemporaryDirectory() as tmp:
        url = "sqlite:///" + str(Path(tmp) / "diplomas.sqlite")
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                          "REGISTRY_PUBLIC_URL": "https://registry.example.org"})
        with app.app_context():
            upgrade()
            reference.load_all()
            db.session.commit()
        for figure in figures(app, int(sys.argv[1]) if len(sys.argv) > 1 else 2):
            print(figure.name, [f"{t:.1f} s" for t in figure.times], figure.note, flush=True)


if __name__ == "__main__":
    main()
