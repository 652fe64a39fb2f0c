"""A released competition for the tests of the public pages: marked, published, released."""
from __future__ import annotations

from datetime import date

from registry.extensions import db
from registry.services import marking, release, results

from . import factories


def marked(competition, name, people, totals, *, category=None):
    """Offer ``name`` (in ``category``), enter each person of ``people`` (a person, or a list
    for a team), mark them with ``totals``, confirm the sheet."""
    offered = factories.make_offered(competition, name, category,
                                     team=True if any(isinstance(w, list) for w in people)
                                     else None)
    oc = offered.offered_competency
    criteria = marking.scheme(oc.id) or factories.make_scheme(
        oc, {"A": [("Всё", "100", "measurement")]})
    criterion = criteria[0]
    entries = []
    for who in people:
        if isinstance(who, list):
            entries.append(factories.register_entry(offered, who, team_name=f"Команда {len(entries) + 1}"))
        else:
            entries.append(factories.register_entry(offered, [who]))
    chief = factories.make_assignment(oc, is_chief=True).user
    expert = factories.make_assignment(oc).user
    aspect = criterion.aspects[0]
    sheet = marking.save_marks(offered, criterion, {(e.id, aspect.id): t
                                                    for e, t in zip(entries, totals, strict=True)},
                               0, actor=expert)
    marking.submit_sheet(offered, criterion, sheet.version, actor=expert)
    marking.confirm_sheet(offered, criterion, actor=chief)
    db.session.commit()
    return offered, entries


def released_competition(people=None, totals=None, *, show_points=False, **competition):
    """A competition with «Сварочные технологии» marked for ``people`` (default three new
    persons), published by an organiser and released."""
    competition = factories.make_competition(status="marking", **competition)
    people = people or [factories.make_person() for _ in range(3)]
    totals = totals or [str(90 - 10 * i) for i in range(len(people))]
    offered, entries = marked(competition, "Сварочные технологии", people, totals)
    organiser = factories.make_user(role="organiser")
    results.publish(competition, actor=organiser)
    competition.show_points = show_points
    release.release(competition, actor=organiser)
    db.session.commit()
    return competition, offered, entries, organiser


def adult(**overrides):
    return factories.make_person(birth_date=overrides.pop("birth_date", date(1990, 5, 17)),
                                 **overrides)


def minor(**overrides):
    today = date.today()
    return factories.make_person(
        birth_date=overrides.pop("birth_date", date(today.year - 15, 2, 3)), **overrides)
