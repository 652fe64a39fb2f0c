"""Issue 13, points 4–7: entries out of competition, medal minimums per competition («не
состоялась»), the WorldSkills 700 scale, and the medal table by points."""
from __future__ import annotations

import csv
import io
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.importers.participants import apply, build_plan
from registry.models import AuditEntry, Competition, Entry, Mark, ScoreSheet
from registry.services import ServiceError, marking, medals, results
from registry.services import competitions as competition_service
from registry.services.medals import MedalRules
from registry.services.registration import set_out_of_competition

from . import factories

MOSCOW = MedalRules(gold=4, silver=5, bronze=6, min_entries=4)


def awards_of(totals, rules=medals.DEFAULT_RULES, threshold=None, kind="professionaly"):
    """The awards of entries 1… with these totals, in entry order."""
    found = {s.entry_id: s.award for s in medals.standings(
        kind, list(enumerate((D(t) for t in totals), start=1)), threshold, rules)}
    return [found[i] for i in range(1, len(totals) + 1)]


# --- medal minimums (pure) ----------------------------------------------------------------

def test_default_rules_keep_todays_awards():
    for totals in (["90"], ["90", "80"], ["90", "90", "80", "70"], ["50", "60", "60", "60"]):
        old = [s.award for s in medals.standings(
            "professionaly", list(enumerate((D(t) for t in totals), start=1)), D(55))]
        new = [s.award for s in medals.standings(
            "professionaly", list(enumerate((D(t) for t in totals), start=1)), D(55),
            MedalRules())]
        assert old == new
    assert MedalRules.of(Competition()) == medals.DEFAULT_RULES  # unset columns: defaults


@pytest.mark.parametrize(("count", "expected"), [
    (3, [None, None, None]),                                     # not held
    (4, ["gold", None, None, None]),                             # gold only
    (5, ["gold", "silver", None, None, None]),                   # gold and silver
    (6, ["gold", "silver", "bronze", None, None, None]),         # all three
])
def test_the_moscow_rule_by_the_number_of_entries(count, expected):
    totals = [str(90 - 5 * i) for i in range(count)]
    assert awards_of(totals, MOSCOW) == expected


def test_a_tie_at_the_minimum_shares_the_medal_and_the_next_band_shrinks():
    # five entries, two tied for second: two silvers, and no bronze in any case (needs 6)
    assert awards_of(["90", "80", "80", "70", "60"], MOSCOW) == [
        "gold", "silver", "silver", None, None]
    # six entries, two tied for third: both bronze, since six are ranked
    assert awards_of(["90", "85", "80", "80", "70", "60"], MOSCOW) == [
        "gold", "silver", "bronze", "bronze", None, None]
    # six entries, two golds: no silver (the band shrinks), bronze for the third
    assert awards_of(["90", "90", "80", "70", "60", "50"], MOSCOW) == [
        "gold", "gold", "bronze", None, None, None]
    # four tied for first reach the minimum for gold: four golds
    assert awards_of(["80", "80", "80", "80"], MOSCOW) == ["gold"] * 4
    # three tied: below the minimum to be held, nobody gets anything
    assert awards_of(["80", "80", "80"], MOSCOW) == [None] * 3


def test_a_medal_withheld_by_the_minimum_leaves_a_medallion_to_be_earned():
    # five entries: no bronze; the third place is a non-medallist above the threshold
    assert awards_of(["90", "85", "80", "50", "40"], MOSCOW, threshold=D(70)) == [
        "gold", "silver", "medallion", None, None]
    # not held: no medallion either
    assert awards_of(["90", "85", "80"], MOSCOW, threshold=D(70)) == [None] * 3


def test_minimums_apply_to_medals_only_for_master_of_the_year():
    rules = MedalRules(gold=10, silver=10, bronze=10, min_entries=2)
    assert awards_of(["90", "80", "70"], rules, kind="master_of_the_year") == [
        "winner", "prize_winner", "prize_winner"]
    assert awards_of(["90"], rules, kind="master_of_the_year") == [None]  # not held


# --- the 700 scale -------------------------------------------------------------------------

def test_cis_scale_puts_the_median_at_700_and_one_deviation_at_100():
    totals = [D(50), D(60), D(70)]  # median 60, population sd 8.165
    scores = medals.cis_scores(totals, [(1, D(50)), (2, D(60)), (3, D(70)), (4, D(95))])
    assert scores == {1: D(578), 2: D(700), 3: D(822), 4: D(1129)}
    # an even number: the median is between the middle two, and sits at 700
    scores = medals.cis_scores([D(40), D(50), D(70), D(80)], [(1, D(60)), (2, D(40))])
    assert scores[1] == D(700) and scores[2] < D(600)
    # one total, or all equal: everyone at 700; no totals: nothing
    assert medals.cis_scores([D(55)], [(1, D(55)), (2, D(90))]) == {1: D(700), 2: D(700)}
    assert medals.cis_scores([D(5), D(5)], [(1, D(5))]) == {1: D(700)}
    assert medals.cis_scores([], [(1, D(5))]) == {}
    assert medals.cis_scores([D(5), D(7)], [(1, None)]) == {}


def test_medallion_threshold_on_the_700_scale():
    rules = MedalRules(threshold_on_cis=True)
    ranked = medals.rank([(i, D(t)) for i, t in enumerate(
        ["95", "90", "85", "70", "60", "55", "50"], start=1)])
    scaled = medals.cis_scores([s.total for s in ranked], [(s.entry_id, s.total) for s in ranked])
    found = {s.entry_id: s.award for s in medals.awards("professionaly", ranked, D(700),
                                                        rules, scaled)}
    # 70 is the median (700): a medallion; 60 is below 700: none
    assert [found[i] for i in range(1, 8)] == [
        "gold", "silver", "bronze", "medallion", None, None, None]


# --- standings on the database -------------------------------------------------------------

def _give_marks(offered, entries_totals):
    oc = offered.offered_competency
    criteria = marking.scheme(oc.id) or factories.make_scheme(
        oc, {"A": [("Всё", "100", "measurement")]})
    aspect = criteria[0].aspects[0]
    sheet = ScoreSheet(offered_category_id=offered.id, criterion_id=criteria[0].id,
                       status="confirmed", locked=True)
    db.session.add(sheet)
    db.session.flush()
    for entry, total in entries_totals:
        db.session.add(Mark(sheet_id=sheet.id, entry_id=entry.id, aspect_id=aspect.id,
                            value=D(total)))
    db.session.commit()


def _category(standings, offered):
    return next(c for c in standings.categories if c.offered.id == offered.id)


def _rows(cat):
    return [(r.entry.id, r.rank, r.award, r.out_of_competition) for r in cat.rows]


def test_out_of_competition_with_the_top_score_takes_no_place_and_no_medal(app):
    competition = factories.make_competition()
    offered = factories.make_offered(competition)
    guest, *others = [factories.register_entry(offered) for _ in range(4)]
    set_out_of_competition(guest, True, actor=None)
    db.session.commit()
    _give_marks(offered, zip([guest, *others], ["99", "80", "70", "60"], strict=True))
    cat = _category(results.competition_standings(competition), offered)
    assert _rows(cat) == [
        (others[0].id, 1, "gold", False), (others[1].id, 2, "silver", False),
        (others[2].id, 3, "bronze", False), (guest.id, None, None, True)]
    assert cat.rows[-1].total == D("99.00")  # marked, and the points shown
    assert cat.live_details == {"out": [guest.id]}


def test_out_of_competition_is_not_counted_for_the_minimums(app):
    competition = factories.make_competition(gold_min=4, silver_min=5, bronze_min=6,
                                             min_entries=4)
    offered = factories.make_offered(competition)
    entries = [factories.register_entry(offered) for _ in range(5)]
    set_out_of_competition(entries[4], True, actor=None)
    db.session.commit()
    _give_marks(offered, zip(entries, ["90", "80", "70", "60", "95"], strict=True))
    cat = _category(results.competition_standings(competition), offered)
    # four in competition: gold only; the fifth, out of competition, would have made silver
    assert [r.award for r in cat.rows] == ["gold", None, None, None, None]
    assert cat.below_minimum is None
    set_out_of_competition(entries[3], True, actor=None)  # three left: not held
    db.session.commit()
    cat = _category(results.competition_standings(competition), offered)
    assert [r.award for r in cat.rows] == [None] * 5
    assert cat.below_minimum == 4 and [r.rank for r in cat.rows[:3]] == [1, 2, 3]


def test_a_team_competency_below_the_minimum_counts_teams_not_members(app):
    competition = factories.make_competition(min_entries=4)
    offered = factories.make_offered(competition, "Командная работа на производстве",
                                     team=True)
    teams = [factories.register_entry(
        offered, [factories.make_person(), factories.make_person()], team_name=f"Команда {i}")
        for i in range(3)]  # six people, three teams
    _give_marks(offered, zip(teams, ["90", "80", "70"], strict=True))
    cat = _category(results.competition_standings(competition), offered)
    assert cat.below_minimum == 4 and all(r.award is None for r in cat.rows)
    fourth = factories.register_entry(
        offered, [factories.make_person(), factories.make_person()], team_name="Команда 4")
    _give_marks_more(offered, fourth, "60")
    cat = _category(results.competition_standings(competition), offered)
    assert cat.below_minimum is None
    assert [r.award for r in cat.rows] == ["gold", "silver", "bronze", None]


def _give_marks_more(offered, entry, total):
    sheet = db.session.scalar(select(ScoreSheet).where(
        ScoreSheet.offered_category_id == offered.id))
    aspect = sheet.criterion.aspects[0]
    db.session.add(Mark(sheet_id=sheet.id, entry_id=entry.id, aspect_id=aspect.id,
                        value=D(total)))
    db.session.commit()


def test_an_unmarked_category_is_not_declared_not_held_by_the_minimum(app):
    competition = factories.make_competition(min_entries=4)
    offered = factories.make_offered(competition)
    factories.register_entry(offered)
    assert _category(results.competition_standings(competition), offered).below_minimum is None


def test_the_700_scale_in_standings_and_for_the_medallion(app):
    competition = factories.make_competition(cis_scale=True, medallion_threshold=D(700),
                                             medallion_scale="cis")
    offered = factories.make_offered(competition)
    entries = [factories.register_entry(offered) for _ in range(6)]
    set_out_of_competition(entries[5], True, actor=None)
    db.session.commit()
    _give_marks(offered, zip(entries, ["90", "80", "70", "60", "50", "65"], strict=True))
    cat = _category(results.competition_standings(competition), offered)
    scaled = {r.entry.id: r.scaled for r in cat.rows}
    assert scaled[entries[2].id] == D(700)  # the median of the five in competition
    assert scaled[entries[5].id] == D(665)  # out of competition, on the same scale
    awards = {r.entry.id: r.award for r in cat.rows}
    assert awards[entries[3].id] is None and awards[entries[5].id] is None
    assert cat.scaled


def test_publication_carries_what_was_decided_and_a_draft_does_not_change_it(app):
    competition = factories.make_competition(cis_scale=True)
    offered = factories.make_offered(competition)
    entries = [factories.register_entry(offered) for _ in range(3)]
    set_out_of_competition(entries[0], True, actor=None)
    db.session.commit()
    _give_marks(offered, zip(entries, ["95", "80", "70"], strict=True))
    organiser = factories.make_user(role="organiser")
    publication = results.publish(competition, actor=organiser)
    db.session.commit()
    details = publication.snapshot["details"][str(offered.id)]
    assert details["out"] == [entries[0].id] and set(details["scaled"]) == {
        str(e.id) for e in entries}
    # the flag changes and the rules change: a draft, the published results stay
    set_out_of_competition(entries[0], False, actor=organiser)
    competition.min_entries = 5
    competition.cis_scale = False
    db.session.commit()
    shown = _category(results.published_standings(competition), offered)
    assert _rows(shown) == [(entries[1].id, 1, "gold", False), (entries[2].id, 2, "silver", False),
                            (entries[0].id, None, None, True)]
    assert shown.scaled and shown.below_minimum is None and shown.changed
    assert [r.award for r in shown.draft_rows] == [None, None, None]
    results.publish(competition, actor=organiser)
    db.session.commit()
    shown = _category(results.published_standings(competition), offered)
    assert shown.below_minimum == 5 and not shown.scaled and not shown.changed
    assert all(r.award is None for r in shown.rows)
    audit = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.action == "entry.out_of_competition")).all()
    assert len(audit) == 2


def test_a_default_publication_stores_no_details(app):
    competition = factories.make_competition()
    offered = factories.make_offered(competition)
    entries = [factories.register_entry(offered) for _ in range(2)]
    _give_marks(offered, zip(entries, ["95", "80"], strict=True))
    publication = results.publish(competition, actor=factories.make_user(role="organiser"))
    assert "details" not in publication.snapshot  # as before issue 13
    assert list(publication.snapshot["standings"][str(offered.id)][0]) == [
        entries[0].id, "95.00", 1, "gold"]


# --- the competition's settings ------------------------------------------------------------

def test_medal_minimums_are_parsed_and_refused_clearly():
    assert competition_service.parse_medal_minimums("4,5,6") == (4, 5, 6)
    assert competition_service.parse_medal_minimums(" 1 , 1 ,1") == (1, 1, 1)
    for bad in ("4,5", "4,5,6,7", "0,1,1", "a,b,c", "", "4;5;6", "-1,2,3", "1,1,100000"):
        with pytest.raises(ServiceError):
            competition_service.parse_medal_minimums(bad)


def test_cli_creates_a_competition_with_the_moscow_rule(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["competitions", "create", "--kind", "professionaly",
                                 "--year", "2025", "--stage", "final",
                                 "--medal-minimums", "4,5,6", "--min-entries", "4",
                                 "--cis-scale", "--medallion-threshold", "700",
                                 "--medallion-scale", "cis"])
    assert result.exit_code == 0, result.output
    competition = db.session.get(Competition, int(result.output.strip().splitlines()[-1]))
    assert (competition.gold_min, competition.silver_min, competition.bronze_min,
            competition.min_entries) == (4, 5, 6, 4)
    assert competition.cis_scale and competition.medallion_scale == "cis"
    assert MedalRules.of(competition) == MedalRules(4, 5, 6, 4, True, True)
    result = runner.invoke(args=["competitions", "create", "--kind", "professionaly",
                                 "--year", "2025", "--stage", "selection"])
    assert result.exit_code == 0, result.output
    default = db.session.get(Competition, int(result.output.strip().splitlines()[-1]))
    assert MedalRules.of(default) == medals.DEFAULT_RULES


@pytest.mark.parametrize("args", [
    ["--medal-minimums", "4,5"], ["--medal-minimums", "0,1,1"], ["--min-entries", "0"],
    ["--min-entries", "много"], ["--medallion-threshold", "700"],  # 700 points: not on 100
])
def test_cli_refuses_bad_rules(app, args):
    result = app.test_cli_runner().invoke(args=[
        "competitions", "create", "--kind", "professionaly", "--year", "2025",
        "--stage", "final", *args])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert db.session.scalar(select(Competition.id)) is None


def _form(competition, **changes):
    data = {"kind": competition.kind_id, "year": competition.year, "stage": competition.stage,
            "host_region": competition.host_region_id or "", "title": competition.title,
            "starts_on": "", "ends_on": "", "status": competition.status,
            "medallion_threshold": "", "time_zone": "", "medallion_scale": "points"}
    data.update(changes)
    return data


def test_competition_form_sets_the_rules_and_refuses_hostile_values(app, client, login):
    login(client, "organiser")
    competition = factories.make_competition()
    response = client.post(f"/competitions/{competition.id}/edit", data=_form(
        competition, gold_min="4", silver_min="5", bronze_min="6", min_entries="4",
        cis_scale="y", medallion_scale="cis", medallion_threshold="720"))
    assert response.status_code == 302, response.text
    db.session.expire_all()
    assert MedalRules.of(db.session.get(Competition, competition.id)) == MedalRules(
        4, 5, 6, 4, True, True)
    page = client.get(f"/competitions/{competition.id}").text
    assert 'data-testid="medal-rules"' in page and "шкале 700" in page
    for bad in ({"gold_min": "0"}, {"min_entries": "-3"}, {"silver_min": "abc"},
                {"bronze_min": "99999999999999999999"}, {"medallion_scale": "kelvin"},
                {"medallion_scale": "cis", "medallion_threshold": "5000"}):
        response = client.post(f"/competitions/{competition.id}/edit",
                               data=_form(competition, **bad))
        assert response.status_code == 200 and "is-invalid" in response.text, bad
    db.session.expire_all()
    assert db.session.get(Competition, competition.id).gold_min == 4  # unchanged
    # the form without the minimums (an older page): they stay as they were
    response = client.post(f"/competitions/{competition.id}/edit", data=_form(competition))
    assert response.status_code == 302
    db.session.expire_all()
    assert MedalRules.of(db.session.get(Competition, competition.id)) == MedalRules(4, 5, 6, 4)
    # a new competition without them: the defaults
    response = client.post("/competitions/new", data=_form(
        competition, title="Профессионалы 2024, без правил"))
    assert response.status_code == 302, response.text
    created = db.session.scalar(select(Competition).where(
        Competition.title == "Профессионалы 2024, без правил"))
    assert MedalRules.of(created) == medals.DEFAULT_RULES


# --- the entry's flag: forms and page ------------------------------------------------------

def test_entry_page_marks_out_of_competition_for_organisers_only(app, client, login):
    entry = factories.register_entry(factories.make_offered())
    coordinator = app.test_client()
    login(coordinator, "coordinator")
    assert coordinator.post(f"/entries/{entry.id}/out-of-competition",
                            data={"out_of_competition": "1"}).status_code == 403
    login(client, "organiser")
    response = client.post(f"/entries/{entry.id}/out-of-competition",
                           data={"out_of_competition": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).out_of_competition
    assert "вне конкурса" in client.get(f"/entries/{entry.id}").text
    client.post(f"/entries/{entry.id}/out-of-competition", data={"out_of_competition": "0"})
    db.session.expire_all()
    assert not db.session.get(Entry, entry.id).out_of_competition
    assert client.post(f"/entries/{entry.id}/out-of-competition",
                       data={"out_of_competition": "maybe"}).status_code == 302
    assert client.post("/entries/999999/out-of-competition",
                       data={"out_of_competition": "1"}).status_code == 404


def test_entry_page_needs_the_csrf_token(app, client, login):
    entry = factories.register_entry(factories.make_offered())
    login(client, "organiser")
    app.config["WTF_CSRF_ENABLED"] = True  # after the login; the fixture resets it
    client.post(f"/entries/{entry.id}/out-of-competition", data={"out_of_competition": "1"})
    db.session.expire_all()
    assert not db.session.get(Entry, entry.id).out_of_competition


def test_register_form_takes_the_flag(app, client, login):
    login(client, "organiser")
    offered = factories.make_offered()
    person = factories.make_person()
    competition_id = offered.offered_competency.competition_id
    response = client.post(f"/competitions/{competition_id}/entries/new", data={
        "person_id": person.id, "offered_category_id": offered.id, "out_of_competition": "y"})
    assert response.status_code == 302, response.text
    entry = db.session.scalar(select(Entry).where(Entry.offered_category_id == offered.id))
    assert entry.out_of_competition


# --- import and export ---------------------------------------------------------------------

HEADER = ["Фамилия", "Имя", "Отчество", "Дата рождения", "Регион", "Организация",
          "Компетенция", "Категория", "Команда", "Вне конкурса"]


def _csv_file(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _row(last, flag, team="", competency="Сварочные технологии"):
    return [last, "Иван", "", "01.02.2004", "Оренбургская область", "Колледж №1", competency,
            "Основная", team, flag]


def test_import_reads_the_column_and_refuses_hostile_values(app):
    competition = factories.make_competition()
    plan = build_plan(competition, _csv_file([
        _row("Ааронов", "да"), _row("Бобров", "нет"), _row("Воронов", ""),
        _row("Гусев", "ДА"), _row("Данилов", "может быть")]))
    problems = [(p.row, p.column) for p in plan.problems]
    assert problems == [(6, "Вне конкурса")]
    assert "может быть" in plan.problems[0].message
    plan = build_plan(competition, _csv_file([
        _row("Ааронов", "да"), _row("Бобров", "нет"), _row("Воронов", ""), _row("Гусев", "yes")]))
    assert plan.ok, [p.message for p in plan.problems]
    apply(plan)
    db.session.commit()
    flags = dict(db.session.execute(
        select(Entry.id, Entry.out_of_competition).order_by(Entry.id)).all())
    assert list(flags.values()) == [True, False, False, True]


def test_a_team_is_out_of_competition_as_a_whole(app):
    competition = factories.make_competition()
    team = "Командная работа на производстве"
    plan = build_plan(competition, _csv_file([
        _row("Ааронов", "да", "Гости", team), _row("Бобров", "нет", "Гости", team)]))
    assert [(p.row, p.column) for p in plan.problems] == [(3, "Вне конкурса")]
    plan = build_plan(competition, _csv_file([
        _row("Ааронов", "да", "Гости", team), _row("Бобров", "да", "Гости", team)]))
    assert plan.ok, [p.message for p in plan.problems]
    apply(plan)
    db.session.commit()
    entry = db.session.scalar(select(Entry))
    assert entry.team_name == "Гости" and entry.out_of_competition


def test_an_existing_entrys_flag_is_not_changed_by_a_file(app):
    competition = factories.make_competition()
    plan = build_plan(competition, _csv_file([_row("Ааронов", "нет")]))
    apply(plan)
    db.session.commit()
    plan = build_plan(competition, _csv_file([_row("Ааронов", "да")]))
    assert [(p.row, p.column) for p in plan.problems] == [(2, "Вне конкурса")]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_participants_export_round_trips_the_flag(app, tmp_path, fmt):
    competition = factories.make_competition()
    offered = factories.make_offered(competition)
    org = factories.make_organisation()
    guest = factories.register_entry(offered, last_name="Гостев", organisation=org)
    factories.register_entry(offered, last_name="Местный", organisation=org)
    set_out_of_competition(guest, True, actor=None)
    db.session.commit()
    out = tmp_path / f"p.{fmt}"
    result = app.test_cli_runner().invoke(args=[
        "export", "participants", "--format", fmt, "--output", str(out),
        "--competition", str(competition.id)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    if fmt == "csv":
        lines = data.decode("utf-8-sig").splitlines()
        assert lines[0].split(";")[-2:] == ["Вне конкурса", "Номер участника"]
        assert sorted(line.split(";")[-2] for line in lines[1:]) == ["да", "нет"]
    target = factories.make_competition(title="Профессионалы 2025", year=2025)
    plan = build_plan(target, data, filename=out.name)
    assert plan.ok, [(p.column, p.message) for p in plan.problems]
    apply(plan)
    db.session.commit()
    flags = {e.members[0].person.last_name: e.out_of_competition for e in db.session.scalars(
        select(Entry).join(Entry.offered_category).where(Entry.id.notin_([guest.id])))
        if e.offered_category.offered_competency.competition_id == target.id}
    assert flags == {"Гостев": True, "Местный": False}
    plan = build_plan(competition, data, filename=out.name)  # and back into the same: nothing
    assert plan.ok and apply(plan).entries == 0


# --- standings page and results export -----------------------------------------------------

def test_standings_page_and_results_export_show_the_decisions(app, client, login, tmp_path):
    competition = factories.make_competition(min_entries=3, cis_scale=True)
    offered = factories.make_offered(competition)
    small = factories.make_offered(competition, "Поварское дело")
    entries = [factories.register_entry(offered) for _ in range(4)]
    set_out_of_competition(entries[0], True, actor=None)
    db.session.commit()
    _give_marks(offered, zip(entries, ["99", "80", "70", "60"], strict=True))
    lone = [factories.register_entry(small) for _ in range(2)]
    _give_marks(small, zip(lone, ["90", "80"], strict=True))
    login(client, "organiser")
    page = client.get(f"/results/{competition.id}").text
    assert f'data-testid="out-{entries[0].id}"' in page
    assert f'data-testid="below-minimum-{small.id}"' in page
    assert f'data-testid="scaled-{entries[2].id}">700<' in page
    out = tmp_path / "r.csv"
    result = app.test_cli_runner().invoke(args=[
        "export", "results", "--format", "csv", "--output", str(out),
        "--competition", str(competition.id)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    out_col, scale_col = header.index("Вне конкурса"), header.index("Шкала 700")
    state = header.index("Результаты")
    by_points = {r[header.index("Баллы")]: r for r in rows[1:]}
    assert by_points["99,00"][out_col] == "вне конкурса" and by_points["99,00"][6] == ""
    assert by_points["70,00"][scale_col] == "700"
    assert {r[state] for r in rows[1:] if r[4] == "Поварское дело"} == {"не состоялась"}
    assert all(r[8] == "" for r in rows[1:] if r[4] == "Поварское дело")  # no award


# --- medal table by points -----------------------------------------------------------------

def _award_medals(competition, region_name, kinds_):
    from registry.models import Award

    for kind in kinds_:
        person = factories.make_person(region=factories.region(region_name))
        entry = factories.make_entry(factories.make_offered(competition), [person])
        db.session.add(Award(competition_id=competition.id, entry_id=entry.id, kind=kind,
                             source="results", region_id=person.region_id))
    db.session.commit()


def test_medal_table_by_points_beside_gold_first(app, tmp_path, client, login):
    competition = factories.make_competition()
    _award_medals(competition, "Оренбургская область", ["gold"])              # 4 points
    _award_medals(competition, "Республика Татарстан", ["silver", "silver"])  # 6 points
    _award_medals(competition, "Самарская область", ["bronze", "medallion", "medallion"])  # 4

    def export(*args):
        out = tmp_path / "m.csv"
        result = app.test_cli_runner().invoke(args=[
            "export", "medals", "--format", "csv", "--output", str(out), *args])
        assert result.exit_code == 0, result.output
        return list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig")),
                               delimiter=";"))

    gold_first = export()
    assert [r[0] for r in gold_first[1:]] == [
        "Оренбургская область", "Республика Татарстан", "Самарская область"]
    assert len(gold_first[0]) == 6  # unchanged without the option
    by_points = export("--order", "points")
    assert by_points[0][-1] == "Баллы"
    assert [(r[0], r[-1]) for r in by_points[1:]] == [
        ("Республика Татарстан", "6"), ("Оренбургская область", "4"), ("Самарская область", "4")]
    result = app.test_cli_runner().invoke(args=[
        "export", "medals", "--format", "csv", "--output", str(tmp_path / "x.csv"),
        "--order", "silver-first"])
    assert result.exit_code != 0 and not (tmp_path / "x.csv").exists()
    login(client, "coordinator")
    page = client.get("/medals?order=points").text
    assert page.index('data-region="Республика Татарстан"') < page.index(
        'data-region="Оренбургская область"')
    assert 'data-testid="sort-points"' in page
    assert 'data-testid="sort-points"' not in client.get("/medals").text
    assert client.get("/medals?order=nonsense").status_code == 400


def test_publish_confirmation_shows_a_category_below_the_minimum(app, client, login):
    competition = factories.make_competition(min_entries=3)
    offered = factories.make_offered(competition)
    entries = [factories.register_entry(offered) for _ in range(2)]
    _give_marks(offered, zip(entries, ["90", "80"], strict=True))
    login(client, "organiser")
    page = client.get(f"/results/{competition.id}/publish/confirm").text
    assert f'data-testid="below-minimum-{offered.id}"' in page
