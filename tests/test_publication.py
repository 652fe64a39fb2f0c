"""Publication per competency, competencies not held, and the one truth after publication."""
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.models import AuditEntry, Award
from registry.services import ServiceError, marking, publication_review, results

from . import factories


def test_per_competency_publication_and_not_held(app):
    competition = factories.make_competition(status="marking")
    offered, oc, entries, chief = factories.marked_category(competition, "Сварочные технологии", ["80", "70"])
    empty = factories.make_offered(competition, "Поварское дело")
    factories.register_entry(empty)
    organiser = factories.make_user(role="organiser")
    first = results.publish(competition, oc, actor=chief)
    assert first.offered_competency_id == oc.id
    assert competition.status == "marking"  # another competency is not published yet
    assert {a.entry_id for a in db.session.scalars(select(Award))} == {e.id for e in entries}
    with pytest.raises(ServiceError):  # nothing marked in «Поварское дело»
        results.publish(competition, actor=organiser)
    with pytest.raises(ServiceError):  # a reason is needed
        results.declare_not_held(empty.offered_competency, "  ", actor=organiser)
    with pytest.raises(ServiceError):  # marked: it was held
        results.declare_not_held(oc, "Нет участников", actor=organiser)
    results.declare_not_held(empty.offered_competency, "Менее трёх участников",
                             actor=organiser)
    second = results.publish(competition, actor=organiser)
    assert second.number == 2 and competition.status == "results_published"
    assert second.snapshot["not_held"] == {str(empty.offered_competency_id):
                                           "Менее трёх участников"}
    shown = results.published_standings(competition)
    cat = next(c for c in shown.categories if c.offered.id == empty.id)
    assert cat.not_held.reason == "Менее трёх участников" and cat.published
    assert "results.not_held" in db.session.scalars(select(AuditEntry.action)).all()


def test_correction_is_a_draft_until_republished_and_other_awards_stay(app):
    competition = factories.make_competition(status="marking")
    offered, oc, entries, chief = factories.marked_category(competition, "Сварочные технологии", ["80", "70"])
    other, other_oc, other_entries, other_chief = factories.marked_category(competition, "Поварское дело", ["60"])
    results.publish(competition, oc, actor=chief)
    results.publish(competition, other_oc, actor=other_chief)
    factories.corrected(offered, chief, {entries[1]: "90"})
    shown = results.published_standings(competition)
    cat = next(c for c in shown.categories if c.offered.id == offered.id)
    assert [(r.entry.id, r.award) for r in cat.rows] == [(entries[0].id, "gold"),
                                                         (entries[1].id, "silver")]
    found = publication_review.changes(results.competition_standings(competition, oc.id))
    assert {(c.entry.id, c.kind, c.new[2]) for c in found} == {
        (entries[1].id, "changed", "gold"), (entries[0].id, "changed", "silver")}
    results.publish(competition, oc, actor=chief)
    kinds = {a.entry_id: a.kind for a in db.session.scalars(select(Award))}
    assert kinds == {entries[1].id: "gold", entries[0].id: "silver",
                     other_entries[0].id: "gold"}
    assert not results.published_standings(competition).changed_since_publication
    assert D("90.00") == next(c for c in results.published_standings(competition).categories
                              if c.offered.id == offered.id).rows[0].total


def _confirm(offered, criterion, marks, chief):
    expert = factories.make_assignment(offered.offered_competency).user
    sheet = marking.save_marks(offered, criterion, marks, 0, actor=expert)
    marking.submit_sheet(offered, criterion, sheet.version, actor=expert)
    marking.confirm_sheet(offered, criterion, actor=chief)


def test_every_criterion_of_every_category_needs_a_confirmed_sheet(app, client, login):
    competition = factories.make_competition(status="marking", kind_slug="abilympics")
    empty, offered, second = (factories.make_offered(competition, "Сварочные технологии", c)
                              for c in competition.kind.categories)
    oc = offered.offered_competency
    a, b = factories.make_scheme(oc, {"A": [("Размеры", "50", "measurement")],
                                      "B": [("Время", "50", "measurement")]})
    first_entries = [factories.register_entry(offered) for _ in range(2)]
    second_entry = factories.register_entry(second)
    chief = factories.make_assignment(oc, is_chief=True).user
    _confirm(offered, a, {(e.id, a.aspects[0].id): "40" for e in first_entries}, chief)
    db.session.commit()
    with pytest.raises(ServiceError, match="B"):  # criterion B has no sheet at all
        results.publish(competition, oc, actor=chief)
    _confirm(offered, b, {(e.id, b.aspects[0].id): "30" for e in first_entries}, chief)
    db.session.commit()
    with pytest.raises(ServiceError, match=second.category.name):  # marked elsewhere only
        results.publish(competition, oc, actor=chief)
    login(client, "organiser")
    page = client.get(f"/results/{competition.id}/publish/confirm?competency={oc.id}")
    assert page.status_code == 200
    assert f'data-testid="missing-{second.id}">A, B<' in page.text
    assert f'data-testid="missing-{offered.id}">—<' in page.text
    assert f'data-testid="missing-{empty.id}">—<' in page.text  # no entries: nothing to mark
    _confirm(second, a, {(second_entry.id, a.aspects[0].id): "45"}, chief)
    _confirm(second, b, {(second_entry.id, b.aspects[0].id): "45"}, chief)
    db.session.commit()
    publication = results.publish(competition, oc, actor=chief)  # the empty category: no bar
    assert set(publication.snapshot["standings"]) == {str(offered.id), str(second.id),
                                                      str(empty.id)}


def test_a_category_from_a_protocol_needs_no_sheets(app):
    from registry.models import ProtocolResult

    competition = factories.make_competition(status="marking")
    offered = factories.make_offered(competition, "Поварское дело")
    oc = offered.offered_competency
    factories.make_scheme(oc, {"A": [("Всё", "100", "measurement")]})
    entries = [factories.register_entry(offered) for _ in range(2)]
    for place, entry in enumerate(entries, start=1):
        db.session.add(ProtocolResult(entry_id=entry.id, points=D(90 - place), place=place))
    db.session.commit()
    organiser = factories.make_user(role="organiser")
    publication = results.publish(competition, actor=organiser)
    assert publication.snapshot["standings"][str(offered.id)][0][2] == 1
