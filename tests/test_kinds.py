"""The rules of each competition kind (``registry.kinds``), and a fourth kind added as one
data entry plus one award rule, run through registration, standings, publication and the
winners export."""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from registry import kinds
from registry.exporters.service import run_export
from registry.extensions import db
from registry.models import Award, Category, CompetitionKind, Mark, ScoreSheet
from registry.services import ServiceError, competitions, medals, reference, registration, results

from . import factories


def test_the_three_kinds_from_kinds_json():
    prof, abil, master = (kinds.rules(s) for s in
                          ("professionaly", "abilympics", "master_of_the_year"))
    assert prof.awards == ("gold", "silver", "bronze", "medallion") and prof.has_medallion
    assert abil.awards == ("gold", "silver", "bronze") and not abil.has_medallion
    assert master.awards == ("winner", "prize_winner") and not master.has_medallion
    assert master.adults_only and not prof.adults_only and not abil.adults_only
    assert abil.health_data and not prof.health_data
    assert [c.name for c in abil.categories] == ["Школьники", "Студенты", "Специалисты"]
    assert prof.categories[1] == kinds.CategoryRules("Юниоры", 14)
    assert [k.slug for k in kinds.medallion_kinds()] == ["professionaly"]
    assert [k.slug for k in kinds.all_kinds()] == ["professionaly", "abilympics",
                                                   "master_of_the_year"]


def test_every_award_a_rule_gives_is_stored_as_it_is():
    from registry.models import RESULT_AWARDS

    for kind in kinds.all_kinds():
        assert set(kind.awards) <= set(RESULT_AWARDS)
        for place in range(1, 15):
            for size in (1, 2, 3):
                award = kind.award(place, size, D(99), D(50))
                assert award is None or award in kind.awards


def test_an_unknown_kind_has_no_awards():
    unknown = kinds.rules("no_such_kind")
    assert unknown.awards == () and not unknown.has_medallion and not unknown.adults_only
    assert unknown.award(1, 1, D(100), D(10)) is None


def test_rules_accept_a_slug_a_model_or_rules():
    prof = kinds.rules("professionaly")
    assert kinds.rules(prof) is prof
    assert kinds.rules(factories.kind("professionaly")) is prof


# --- a fourth kind ------------------------------------------------------------------------

SLUG = "mentors_cup"
SPEC = {  # what its kinds.json entry would say
    "slug": SLUG,
    "short_name": "Кубок наставников",
    "name": "Конкурс «Кубок наставников»",
    "competencies_file": None,
    "categories": [{"name": "Наставники", "min_age": None}],
    "award_rule": "winner_and_two_runners_up",
    "medallion": True,
    "adults_only": True,
}


def winner_and_two_runners_up(place: int, group_size: int = 1) -> str | None:
    """The one rule function the new kind needs: a winner and prize-winners in places 2–3."""
    if place == 1:
        return kinds.WINNER
    if place + group_size - 1 <= 3:
        return kinds.PRIZE_WINNER
    return None


@pytest.fixture
def mentors_cup(app):
    kinds.award_rule("winner_and_two_runners_up",
                     (kinds.WINNER, kinds.PRIZE_WINNER))(winner_and_two_runners_up)
    try:
        with kinds.registered(kinds.from_spec(SPEC)) as rules:
            reference.load_all()  # its reference rows, as `flask refdata load` makes them
            kind = db.session.scalar(select(CompetitionKind).where(CompetitionKind.slug == SLUG))
            welding = factories.competency("Сварочные технологии")
            welding.kinds.append(kind)
            db.session.commit()
            yield rules
    finally:
        kinds.AWARD_RULES.pop("winner_and_two_runners_up", None)
    # the registry no longer knows it; the database fixture removes its rows
    assert kinds.rules(SLUG).awards == ()


def _give_marks(offered, entries_totals):
    criteria = factories.make_scheme(offered.offered_competency,
                                     {"A": [("Всё", "100", "measurement")]})
    aspect = criteria[0].aspects[0]
    sheet = ScoreSheet(offered_category_id=offered.id, criterion_id=criteria[0].id,
                       status="confirmed", locked=True)
    db.session.add(sheet)
    db.session.flush()
    for entry, total in entries_totals:
        db.session.add(Mark(sheet_id=sheet.id, entry_id=entry.id, aspect_id=aspect.id,
                            value=D(total)))
    db.session.commit()


def test_a_fourth_kind_is_a_data_entry_and_one_rule(app, mentors_cup):
    rules = mentors_cup
    assert rules.awards == ("winner", "prize_winner", "medallion")
    kind = factories.kind(SLUG)
    assert [(c.name, c.min_age) for c in kind.categories] == [("Наставники", None)]

    # a competition of the kind: the medallion threshold is allowed, since the kind has one
    competition = competitions.create_competition(competitions.CompetitionData(
        kind=kind, year=2024, stage="final", starts_on=date(2024, 6, 1),
        ends_on=date(2024, 6, 3), status="registration", medallion_threshold=D(65)))
    offered = factories.make_offered(competition, "Сварочные технологии", "Наставники")

    # registration: adults only, though the category itself has no minimum age
    minor = factories.make_person(last_name="Юнов", birth_date=date(2008, 1, 1))
    with pytest.raises(ServiceError, match="для совершеннолетних"):
        registration.register(offered, [minor])
    names = ("Орлов", "Соколов", "Воронов", "Галкин", "Ершов")
    entries = {name: factories.register_entry(offered, last_name=name,
                                              birth_date=date(1980, 5, 5)) for name in names}

    # standings by the kind's rule: a winner, two prize-winners sharing place 2, a medallion
    _give_marks(offered, [(entries[n], t) for n, t in zip(names, ("90", "80", "80", "70", "60"),
                                                          strict=True)])
    standings = results.competition_standings(competition)
    got = {r.entry.id: (r.rank, r.award) for r in standings.categories[0].rows}
    assert [got[entries[n].id] for n in names] == [
        (1, "winner"), (2, "prize_winner"), (2, "prize_winner"), (4, "medallion"), (5, None)]
    assert [s.award for s in medals.standings(SLUG, [(1, D(9)), (2, D(8)), (3, D(7))])] == [
        "winner", "prize_winner", "prize_winner"]

    # publication makes the award records, and the winners export lists them
    results.publish(competition)
    assert sorted(db.session.scalars(select(Award.kind))) == [
        "medallion", "prize_winner", "prize_winner", "winner"]
    export = run_export("winners", {"kind": SLUG}, "csv", actor=None, lang="en")
    text = b"".join(export.chunks).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, body = rows[0], rows[1:]
    award_column, surname_column = header.index("Award"), header.index("Surname")
    assert [(r[0], r[surname_column], r[award_column]) for r in body] == [
        ("Кубок наставников", "Орлов", "winner"),
        ("Кубок наставников", "Воронов", "prize-winner"),  # shared place 2: by surname
        ("Кубок наставников", "Соколов", "prize-winner"),
        ("Кубок наставников", "Галкин", "medallion"),
    ]


def test_categories_of_a_new_kind_come_from_its_entry(app, mentors_cup):
    kind = factories.kind(SLUG)
    assert db.session.scalars(select(Category.name).where(Category.kind_id == kind.id)).all() \
        == ["Наставники"]


def test_no_rule_compares_kind_slugs():
    """Services, importers, exporters, blueprints and the demo ask ``registry.kinds``; a slug
    is written only as data (the demo's season plans) or in help text (the CLI)."""
    import tokenize
    from pathlib import Path

    root = Path(kinds.__file__).resolve().parent
    allowed = {root / "cli.py", root / "demo" / "plans.py"}
    slugs = [k.slug for k in kinds.all_kinds()]
    found = []
    for path in sorted(root.rglob("*.py")):
        if path in allowed:
            continue
        with tokenize.open(path) as source:
            for token in tokenize.generate_tokens(source.readline):
                if token.type == tokenize.STRING and any(s in token.string for s in slugs):
                    found.append(f"{path.relative_to(root)}:{token.start[0]}")
    assert found == []


def test_an_entry_with_an_unknown_award_rule_is_refused():
    with pytest.raises(ValueError, match="unknown award_rule"):
        kinds.from_spec({**SPEC, "award_rule": "no_such_rule"})
