"""A person's published results: each category as the latest publication holding it
published it, read from the rows each publication keeps per category (``PublishedCategory``),
and the migration that copies those rows out of the existing snapshots."""
from __future__ import annotations

import json
from decimal import Decimal

from flask_migrate import upgrade
from sqlalchemy import select, text

from registry import create_app
from registry.extensions import db
from registry.models import Entry, Publication, PublishedCategory
from registry.registration import queries
from registry.services import person_history, reference, results

from . import factories


def _results_of(entry):
    person = entry.members[0].person
    return [(r.entry.id, r.total, r.rank, r.award)
            for r in person_history.published_results(queries.person_entries(person))]


def test_publication_keeps_each_category_rows_beside_its_snapshot(app):
    competition = factories.make_competition(status="marking")
    offered, oc, entries, chief = factories.marked_category(
        competition, "Сварочные технологии", ["80", "70"])
    other, other_oc, _other_entries, other_chief = factories.marked_category(
        competition, "Поварское дело", ["60"])
    first = results.publish(competition, oc, actor=chief)
    second = results.publish(competition, other_oc, actor=other_chief)
    kept = {(c.publication_id, c.offered_category_id): c.rows
            for c in db.session.scalars(select(PublishedCategory))}
    assert kept == {(p.id, int(key)): rows for p in (first, second)
                    for key, rows in p.snapshot["standings"].items()}
    assert set(kept) == {(first.id, offered.id), (second.id, other.id)}


def test_the_latest_publication_of_a_category_decides_what_the_person_shows(app):
    competition = factories.make_competition(status="marking")
    offered, oc, entries, chief = factories.marked_category(
        competition, "Сварочные технологии", ["80", "70"])
    _other, other_oc, _o, other_chief = factories.marked_category(
        competition, "Поварское дело", ["60"])
    assert _results_of(entries[1]) == []  # nothing published yet: live marks are not shown
    results.publish(competition, oc, actor=chief)
    assert _results_of(entries[1]) == [(entries[1].id, Decimal("70.00"), 2, "silver")]
    # a correction is a draft until published again
    factories.corrected(offered, chief, {entries[1]: "90"})
    assert _results_of(entries[1]) == [(entries[1].id, Decimal("70.00"), 2, "silver")]
    # another competency's publication does not hold this category: it changes nothing
    results.publish(competition, other_oc, actor=other_chief)
    assert _results_of(entries[1]) == [(entries[1].id, Decimal("70.00"), 2, "silver")]
    results.publish(competition, oc, actor=chief)
    assert _results_of(entries[1]) == [(entries[1].id, Decimal("90.00"), 1, "gold")]
    assert _results_of(entries[0]) == [(entries[0].id, Decimal("80.00"), 2, "silver")]


def test_upgrade_copies_the_rows_of_existing_publications(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite'}"})
    with app.app_context():
        upgrade(revision="0018_person_numbers")
        reference.load_all()
        db.session.commit()
        competition = factories.make_competition()
        offered = factories.make_offered(competition, "Сварочные технологии")
        entry = factories.make_entry(offered)
        entry_id, offered_id, competition_id = entry.id, offered.id, competition.id
        gone = 10 ** 6  # a category no longer offered: its rows cannot be kept
        with db.engine.begin() as conn:
            for number, standings in (
                    (1, {str(offered_id): [[entry_id, "70.00", 2, "silver"]],
                         str(gone): [[1, None, None, None]]}),
                    (2, {str(offered_id): [[entry_id, "90.00", 1, "gold"]]})):
                conn.execute(text(
                    "INSERT INTO publications (competition_id, number, published_at, snapshot)"
                    " VALUES (:c, :n, '2024-03-01', :s)"),
                    {"c": competition_id, "n": number,
                     "s": json.dumps({"standings": standings})})
        db.session.remove()
        upgrade()
        kept = [(p.number, c.offered_category_id, c.rows) for c, p in db.session.execute(
            select(PublishedCategory, Publication)
            .join(Publication, Publication.id == PublishedCategory.publication_id)
            .order_by(Publication.number))]
        assert kept == [(1, offered_id, [[entry_id, "70.00", 2, "silver"]]),
                        (2, offered_id, [[entry_id, "90.00", 1, "gold"]])]
        assert _results_of(db.session.get(Entry, entry_id)) == [(entry_id, Decimal("90.00"), 1, "gold")]
