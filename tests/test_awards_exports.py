"""Awards from published results, special awards, internship offers, and the coordinators'
exports (winners, medals, results, internships) checked against a hand-made competition
with ties and a team."""
import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import inspect, select

from registry.extensions import db
from registry.models import (
    Aspect,
    AuditEntry,
    Award,
    Criterion,
    InternshipOffer,
    Mark,
    ScoreSheet,
)
from registry.services import ServiceError
from registry.services import awards as award_service
from registry.services import offers as offer_service
from registry.services.results import publish

from . import factories

ORENBURG, TATARSTAN, MOSCOW = "Оренбургская область", "Республика Татарстан", "Москва"


def _set_totals(offered, totals: dict):
    """Give each entry a total on a one-aspect scheme, on a confirmed sheet."""
    oc = offered.offered_competency
    criterion = db.session.scalar(select(Criterion).where(Criterion.offered_competency_id == oc.id))
    if criterion is None:
        criterion = Criterion(offered_competency=oc, code="A", title="Всё", position=0)
        criterion.aspects.append(Aspect(title="Итог", max_marks=Decimal(100), kind="measurement"))
        db.session.add(criterion)
        db.session.flush()
    sheet = db.session.scalar(select(ScoreSheet).where(
        ScoreSheet.offered_category_id == offered.id, ScoreSheet.criterion_id == criterion.id))
    if sheet is None:
        sheet = ScoreSheet(offered_category_id=offered.id, criterion_id=criterion.id,
                           status="confirmed", locked=True)
        db.session.add(sheet)
        db.session.flush()
    aspect = criterion.aspects[0]
    for entry, total in totals.items():
        # by the identity: an export expunges the session (memory flat), so the caller's
        # entries may be detached and expired by then
        entry_id = inspect(entry).identity[0]
        mark = db.session.scalar(select(Mark).where(Mark.entry_id == entry_id, Mark.aspect_id == aspect.id))
        if mark is None:
            db.session.add(Mark(sheet_id=sheet.id, entry_id=entry_id, aspect_id=aspect.id,
                                value=Decimal(total)))
        else:
            mark.value = Decimal(total)
    db.session.commit()


def _person(last, region):
    """A person of ``region``, studying at that region's one college."""
    if region not in _person.orgs:
        _person.orgs[region] = factories.make_organisation(name=f"Колледж {region}",
                                                           region=factories.region(region))
    return factories.make_person(last_name=last, first_name="Иван", region=factories.region(region),
                                 organisation=_person.orgs[region])


_person.orgs = {}


@pytest.fixture
def season():
    _person.orgs = {}
    competition = factories.make_competition(title="Профессионалы 2024, региональный этап",
                                             medallion_threshold=Decimal(70))
    welding = factories.make_offered(competition, "Сварочные технологии", "Основная")
    entries = {}
    totals = {}
    for last, region, total in (("Алексеев", ORENBURG, 90), ("Борисов", TATARSTAN, 90),
                                ("Васильев", ORENBURG, 85), ("Григорьев", ORENBURG, 80),
                                ("Дмитриев", TATARSTAN, 72), ("Егоров", MOSCOW, 60)):
        entries[last] = factories.register_entry(welding, [_person(last, region)])
        totals[entries[last]] = total
    _set_totals(welding, totals)
    teamwork = factories.make_offered(competition, "Командная работа на производстве", "Основная")
    t1 = factories.register_entry(teamwork, [_person("Жуков", ORENBURG), _person("Зайцев", ORENBURG),
                                             _person("Ильин", TATARSTAN)], team_name="Оренбург-1")
    t2 = factories.register_entry(teamwork, [_person("Козлов", TATARSTAN), _person("Лебедев", TATARSTAN)],
                                  team_name="Казань")
    _set_totals(teamwork, {t1: 95, t2: 88})
    entries["Оренбург-1"], entries["Казань"] = t1, t2
    return competition, welding, entries


def _awards(competition):
    return {a.entry_id: a.kind for a in db.session.scalars(
        select(Award).where(Award.competition_id == competition.id, Award.source == "results"))}


def test_no_awards_before_publication(season):
    competition, _, _ = season
    assert _awards(competition) == {}


def test_publication_makes_award_records(season):
    competition, _, e = season
    publish(competition)
    assert _awards(competition) == {
        e["Алексеев"].id: "gold", e["Борисов"].id: "gold", e["Васильев"].id: "bronze",
        e["Григорьев"].id: "medallion", e["Дмитриев"].id: "medallion",
        e["Оренбург-1"].id: "gold", e["Казань"].id: "silver",
    }


def test_awards_follow_a_correction_and_republication(season):
    competition, welding, e = season
    publish(competition)
    _set_totals(welding, {e["Егоров"]: 95})
    assert _awards(competition)[e["Алексеев"].id] == "gold"  # not until republished
    publish(competition)
    awards = _awards(competition)
    assert awards[e["Егоров"].id] == "gold"
    assert awards[e["Алексеев"].id] == awards[e["Борисов"].id] == "silver"
    assert awards[e["Васильев"].id] == "medallion"  # 4th now: no bronze, over the threshold
    changes = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "award.change")).all()
    # Алексеев, Борисов, Васильев change medal; Григорьев and Дмитриев keep a medallion
    # one place lower
    assert len(changes) == 5
    assert awards[e["Григорьев"].id] == awards[e["Дмитриев"].id] == "medallion"
    places = dict(db.session.execute(select(Award.entry_id, Award.place)).all())
    assert (places[e["Григорьев"].id], places[e["Дмитриев"].id]) == (5, 6)


def _csv(app, tmp_path, name, *args):
    out = tmp_path / f"{name}.csv"
    result = app.test_cli_runner().invoke(args=["export", name, "--format", "csv", "--output", str(out), *args])
    assert result.exit_code == 0, result.output
    return list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig")), delimiter=";"))


def test_winners_export_rows_columns_and_order(app, tmp_path, season):
    competition, _, _ = season
    publish(competition)
    rows = _csv(app, tmp_path, "winners")
    assert rows[0] == ["Конкурс", "Год", "Этап", "Регион проведения", "Компетенция", "Категория",
                       "Место", "Награда", "Фамилия", "Имя", "Отчество", "Регион", "Организация",
                       "Баллы", "Команда", "Номер участника"]
    body = [(r[4], r[6], r[7], r[8], r[13], r[14]) for r in rows[1:]]
    assert all(r[15].startswith("П-") for r in rows[1:])
    assert body == [
        ("Командная работа на производстве", "1", "золото", "Жуков", "95,00", "Оренбург-1"),
        ("Командная работа на производстве", "1", "золото", "Зайцев", "95,00", "Оренбург-1"),
        ("Командная работа на производстве", "1", "золото", "Ильин", "95,00", "Оренбург-1"),
        ("Командная работа на производстве", "2", "серебро", "Козлов", "88,00", "Казань"),
        ("Командная работа на производстве", "2", "серебро", "Лебедев", "88,00", "Казань"),
        ("Сварочные технологии", "1", "золото", "Алексеев", "90,00", ""),
        ("Сварочные технологии", "1", "золото", "Борисов", "90,00", ""),
        ("Сварочные технологии", "3", "бронза", "Васильев", "85,00", ""),
        ("Сварочные технологии", "4", "медальон", "Григорьев", "80,00", ""),
        ("Сварочные технологии", "5", "медальон", "Дмитриев", "72,00", ""),
    ]
    assert rows[1][:4] == ["Профессионалы", "2024", "региональный этап", ORENBURG]
    assert rows[6][11] == ORENBURG and rows[7][11] == TATARSTAN


def test_winners_in_english(app, tmp_path, season):
    competition, _, _ = season
    publish(competition)
    rows = _csv(app, tmp_path, "winners", "--lang", "en")
    assert rows[0][:8] == ["Contest", "Year", "Stage", "Host region", "Competency", "Category",
                           "Place", "Award"]
    assert {r[7] for r in rows[1:]} == {"gold", "silver", "bronze", "medallion"}


def test_winners_filter_by_award_and_region(app, tmp_path, season):
    competition, _, _ = season
    publish(competition)
    rows = _csv(app, tmp_path, "winners", "--award", "Золото", "--region", "Татарстан")
    assert [r[8] for r in rows[1:]] == ["Ильин", "Борисов"]


def test_medal_table_counts_a_team_once(app, tmp_path, season):
    competition, _, _ = season
    publish(competition)
    rows = _csv(app, tmp_path, "medals")
    assert rows == [
        ["Регион", "Золото", "Серебро", "Бронза", "Медальоны", "Всего"],
        [ORENBURG, "2", "0", "1", "1", "4"],
        [TATARSTAN, "1", "1", "0", "1", "3"],
    ]


def test_medal_table_xlsx_is_typed(app, tmp_path, season):
    competition, _, _ = season
    publish(competition)
    out = tmp_path / "m.xlsx"
    app.test_cli_runner().invoke(args=["export", "medals", "--format", "xlsx", "--output", str(out)])
    sheet = openpyxl.load_workbook(out).active
    assert [c.value for c in sheet[2]] == [ORENBURG, 2, 0, 1, 1, 4]


@pytest.mark.parametrize("name", ["winners", "medals", "results", "internships", "participants"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_exporter_renders_both_formats(app, tmp_path, season, name, fmt):
    competition, _, e = season
    publish(competition)
    person = e["Алексеев"].members[0].person
    offer_service.create_offer(person, offer_service.OfferData(
        partner_name="=cmd|' /C calc'!A0", partner_kind="foreign_partner", kind="internship",
        description="-стажировка", country="Китай"), actor=None)
    out = tmp_path / f"x.{fmt}"
    result = app.test_cli_runner().invoke(args=["export", name, "--format", fmt, "--output", str(out)])
    assert result.exit_code == 0, result.output
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(out).active
        assert sheet.max_row >= 2 and sheet["A1"].font.b and sheet.freeze_panes == "A2"
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                assert cell.data_type != "f"
    else:
        text = out.read_bytes().decode("utf-8-sig")
        assert len(text.splitlines()) >= 2
        for row in csv.reader(io.StringIO(text), delimiter=";"):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@")), cell


def test_the_results_export_forgets_what_it_loaded_and_keeps_the_callers_objects(season):
    """Memory stays flat across a season (each competition's objects leave the session),
    but what the caller held before the export (the current user of a request, say) stays
    in the session, loaded: before, the export emptied the whole session."""
    from registry.exporters import EXPORTERS

    competition, _welding, e = season
    publish(competition)
    held = e["Егоров"]
    assert held.team_name is None and held in db.session  # loaded, in the session
    before = set(db.session.identity_map.keys())
    rows = list(EXPORTERS["results"].rows({}))
    assert any("Егоров" in (row[9] or "") for row in rows)
    assert held in db.session and inspect(held).persistent
    assert set(db.session.identity_map.keys()) <= before  # all the export loaded is gone


def test_results_export_marks_provisional_and_published(app, tmp_path, season):
    competition, welding, e = season
    rows = _csv(app, tmp_path, "results")
    assert {r[-1] for r in rows[1:]} == {"предварительные"}
    publish(competition)
    rows = _csv(app, tmp_path, "results")
    assert {r[-1] for r in rows[1:]} == {"опубликованы"}
    егоров = next(r for r in rows if "Егоров" in r[9])
    assert (егоров[6], егоров[7], егоров[8]) == ("6", "60,00", "")
    _set_totals(welding, {e["Егоров"]: 61})
    # one truth after publication: the export keeps the published result, not the live marks
    rows = _csv(app, tmp_path, "results")
    assert {r[-1] for r in rows[1:]} == {"опубликованы"}
    егоров = next(r for r in rows if "Егоров" in r[9])
    assert (егоров[6], егоров[7], егоров[8]) == ("6", "60,00", "")
    publish(competition)
    rows = _csv(app, tmp_path, "results")
    assert next(r for r in rows if "Егоров" in r[9])[7] == "61,00"


# --- special awards and offers ---------------------------------------------------------------

def test_special_award_to_entry_and_person_appear_in_winners(app, tmp_path, season, client, login):
    competition, _, e = season
    publish(competition)
    login(client, "organiser")
    response = client.post(f"/entries/{e['Егоров'].id}/awards/new", data={
        "title": "Лучший результат региона", "reason": "Лучший в Москве", "granted_by": "Оргкомитет"})
    assert response.status_code == 302
    person = e["Васильев"].members[0].person
    client.post(f"/persons/{person.id}/awards/new", data={"title": "Приз спонсора"})
    rows = _csv(app, tmp_path, "winners")
    assert ["Егоров", "Лучший результат региона"] in [[r[8], r[7]] for r in rows]
    assert ["Васильев", "Приз спонсора"] in [[r[8], r[7]] for r in rows]
    # special awards are not medals
    assert _csv(app, tmp_path, "medals")[1] == [ORENBURG, "2", "0", "1", "1", "4"]


def test_special_award_needs_title_and_results_awards_cannot_be_revoked(season):
    competition, _, e = season
    with pytest.raises(ServiceError):
        award_service.grant_special(title="  ", reason=None, granted_by=None, entry=e["Егоров"], actor=None)
    publish(competition)
    gold = db.session.scalar(select(Award).where(Award.entry_id == e["Алексеев"].id))
    with pytest.raises(ServiceError):
        award_service.revoke_special(gold, reason="x", actor=None)


def test_coordinator_cannot_grant_special_awards(client, login, season):
    _, _, e = season
    login(client, "coordinator")
    assert client.get(f"/entries/{e['Егоров'].id}/awards/new").status_code == 403


def test_the_seed_articles_three_offers(client, login):
    """The examples of the news article: training at the Federal technopark in Kaluga for a
    teacher, practice at federal TV channels for an ambassador, an internship in China for a
    prize-winner of «Профессионалы»."""
    login(client, "coordinator")
    master = factories.make_competition(kind_slug="master_of_the_year", title="Мастер года 2024",
                                        stage="final", host_region=None)
    teacher = factories.make_person(last_name="Шмаль", first_name="Александр", middle_name="Владимирович",
                                    birth_date=date(1980, 5, 1))
    factories.register_entry(factories.make_offered(master, _any_master_competency()), [teacher])
    ambassador = factories.make_person(last_name="Чувашова", first_name="Дарья", middle_name=None)
    student = factories.make_person(last_name="Инявин", first_name="Никита", middle_name=None)
    pros = factories.make_competition(medallion_threshold=Decimal(70))
    moulds = factories.make_offered(pros, "Проектирование и изготовление пресс-форм", "Основная")
    entry = factories.register_entry(moulds, [student])
    others = [factories.register_entry(moulds) for _ in range(2)]
    _set_totals(moulds, {others[0]: 95, entry: 90, others[1]: 80})
    publish(pros)
    silver = db.session.scalar(select(Award).where(Award.entry_id == entry.id))
    assert silver.kind == "silver"

    def post(person, **data):
        response = client.post(f"/persons/{person.id}/offers/new", data=data)
        assert response.status_code == 302, response.text
        return db.session.scalar(select(InternshipOffer).where(InternshipOffer.person_id == person.id))

    training = post(teacher, partner_name="Федеральный технопарк профессионального образования",
                    partner_kind="technopark", kind="training", country="Россия", city="Калуга",
                    description="Обучение в Федеральном технопарке профессионального образования")
    practice = post(ambassador, partner_name="Федеральные телеканалы", partner_kind="tv_channel",
                    kind="practice", country="Россия", city="Москва",
                    description="Практика на федеральных телеканалах")
    internship = post(student, partner_name="Партнёр в Китае", partner_kind="foreign_partner",
                      kind="internship", country="Китай", description="Стажировка в Китае",
                      award=str(silver.id), starts_on="2025-07-01", ends_on="2025-08-15")
    assert (training.kind, training.city, training.partner.kind) == ("training", "Калуга", "technopark")
    assert (practice.kind, practice.partner.kind) == ("practice", "tv_channel")
    assert (internship.country, internship.award_id, internship.state) == ("Китай", silver.id, "offered")
    page = client.get("/offers/").text
    for name in ("Шмаль", "Чувашова", "Инявин", "Китай", "Калуга"):
        assert name in page


def _any_master_competency():
    from registry.models import Competency, CompetitionKind

    competency = db.session.scalar(select(Competency).join(Competency.kinds).where(
        CompetitionKind.slug == "master_of_the_year").limit(1))
    if competency is None:
        competency = factories.competency("Сварочные технологии")
        competency.kinds.append(factories.kind("master_of_the_year"))
        db.session.commit()
    return competency


def test_offer_states_move_forward_only_and_record_who(client, login):
    user = login(client, "organiser")
    person = factories.make_person()
    offer = offer_service.create_offer(person, offer_service.OfferData(
        partner_name="Завод", partner_kind="employer", kind="practice", description="", country="Россия"),
        actor=user)
    assert client.post(f"/offers/{offer.id}/state", data={"state": "completed"}).status_code == 302
    db.session.refresh(offer)
    assert offer.state == "offered"  # offered → completed is not a step
    client.post(f"/offers/{offer.id}/state", data={"state": "accepted"})
    db.session.refresh(offer)
    assert offer.state == "accepted" and offer.state_changed_by_id == user.id
    assert offer.state_changed_at is not None
    client.post(f"/offers/{offer.id}/state", data={"state": "completed"})
    db.session.refresh(offer)
    assert offer.state == "completed"
    with pytest.raises(ServiceError):
        offer_service.change_state(offer, "declined", actor=user)
    states = [a.details for a in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "offer.state").order_by(AuditEntry.id))]
    assert [(s["old"], s["new"]) for s in states] == [("offered", "accepted"), ("accepted", "completed")]


def test_offer_form_validation(client, login):
    login(client, "organiser")
    person = factories.make_person()
    response = client.post(f"/persons/{person.id}/offers/new", data={
        "partner_name": "Завод", "partner_kind": "employer", "kind": "practice", "country": "Россия",
        "starts_on": "2025-08-01", "ends_on": "2025-07-01"})
    assert response.status_code == 200
    assert db.session.scalar(select(InternshipOffer.id)) is None
    other = factories.make_person()
    award = award_service.grant_special(title="Приз", reason=None, granted_by=None, person=other, actor=None)
    response = client.post(f"/persons/{person.id}/offers/new", data={
        "partner_name": "Завод", "partner_kind": "employer", "kind": "practice", "country": "Россия",
        "award": str(award.id)})
    assert response.status_code == 200  # someone else's award
    assert db.session.scalar(select(InternshipOffer.id)) is None


def test_offers_list_filters(client, login):
    user = login(client, "coordinator")
    a, b = factories.make_person(last_name="Яковлев"), factories.make_person(last_name="Юдин")
    for person, kind in ((a, "internship"), (b, "practice")):
        offer_service.create_offer(person, offer_service.OfferData(
            partner_name="Завод", partner_kind="employer", kind=kind, description="", country="Россия"),
            actor=user)
    page = client.get("/offers/?kind=internship").text
    assert "Яковлев" in page and "Юдин" not in page
    page = client.get("/offers/?q=юдин").text
    assert "Юдин" in page and "Яковлев" not in page


def test_experts_see_no_offers(client, login):
    login(client, "expert")
    assert client.get("/offers/").status_code == 403


def test_person_page_shows_results_awards_and_offers(client, login, season):
    competition, _, e = season
    publish(competition)
    person = e["Алексеев"].members[0].person
    factories.make_offer(person, partner_name="Партнёр в Китае", kind="internship", country="Китай")
    login(client, "coordinator")
    page = client.get(f"/persons/{person.id}").text
    results = page.split('data-section="results"')[1].split("</section>")[0]
    assert "90,00" in results and "золото" in results
    awards = page.split('data-section="awards"')[1].split("</section>")[0]
    assert 'data-award="gold"' in awards
    offers = page.split('data-section="offers"')[1].split("</section>")[0]
    assert "Партнёр в Китае" in offers and "Китай" in offers


def test_person_page_hides_provisional_results(client, login, season):
    _, _, e = season
    person = e["Алексеев"].members[0].person
    login(client, "coordinator")
    page = client.get(f"/persons/{person.id}").text
    results = page.split('data-section="results"')[1].split("</section>")[0]
    assert "90,00" not in results


def test_a_split_team_counts_for_its_first_members_region(app, tmp_path, season):
    competition, _, e = season
    teamwork = e["Казань"].offered_category
    split = factories.register_entry(teamwork, [_person("Мишин", MOSCOW), _person("Носов", TATARSTAN)],
                                     team_name="Сборная")
    _set_totals(teamwork, {split: 99})  # gold; Оренбург-1 silver, Казань bronze
    publish(competition)
    award = db.session.scalar(select(Award).where(Award.entry_id == split.id))
    assert (award.kind, award.region_id) == ("gold", factories.region(MOSCOW).id)
    rows = {r[0]: r[1:] for r in _csv(app, tmp_path, "medals")[1:]}
    assert rows[MOSCOW] == ["1", "0", "0", "0", "1"]
    assert rows[ORENBURG] == ["1", "1", "1", "1", "4"]  # Оренбург-1 is silver now


def test_medal_table_filtered_by_competition(app, tmp_path, season):
    competition, _, _ = season
    publish(competition)
    other = factories.make_competition(title="Другой чемпионат")
    offered = factories.make_offered(other, "Сварочные технологии", "Основная")
    _set_totals(offered, {factories.register_entry(offered, [_person("Орлов", MOSCOW)]): 90})
    publish(other)
    assert [r[0] for r in _csv(app, tmp_path, "medals")[1:]] == [ORENBURG, TATARSTAN, MOSCOW]
    rows = _csv(app, tmp_path, "medals", "--competition", str(other.id))
    assert rows[1:] == [[MOSCOW, "1", "0", "0", "0", "1"]]


def test_standings_of_one_competency(client, login, season):
    from registry.services.results import competition_standings

    competition, welding, e = season
    publish(competition)
    one = competition_standings(competition, welding.offered_competency_id)
    assert [c.offered.id for c in one.categories] == [welding.id]
    assert one.published and not one.changed_since_publication
    _set_totals(e["Казань"].offered_category, {e["Казань"]: 10})  # another competency changes
    assert not competition_standings(competition, welding.offered_competency_id).changed_since_publication
    assert competition_standings(competition).changed_since_publication
    login(client, "coordinator")
    page = client.get(f"/results/{competition.id}?competency={welding.offered_competency_id}").text
    assert f'data-testid="standings-{welding.id}"' in page
    assert f'data-testid="standings-{e["Казань"].offered_category_id}"' not in page
    page = client.get(f"/results/{competition.id}").text  # two competencies: all at once
    assert f'data-testid="standings-{e["Казань"].offered_category_id}"' in page


def test_offers_list_is_paged_and_a_page_past_the_end_is_the_last(app, client, login):
    login(client, "coordinator")
    names = ["Агеев", "Борисов", "Васильев"]
    for name in names:
        factories.make_offer(factories.make_person(last_name=name))
    app.config["PAGE_SIZE"] = 2
    try:
        def shown(query):
            page = client.get("/offers/" + query).text
            return {name for name in names if name in page}

        first, second = shown(""), shown("?page=2")
        assert len(first) == 2 and len(second) == 1 and first | second == set(names)
        assert shown("?page=0") == first
        assert shown("?page=99") == second
        assert shown(f"?page={10**30}") == second
        assert 'class="pagination"' in client.get("/offers/").text
    finally:
        app.config["PAGE_SIZE"] = 50


def test_an_absurd_award_id_on_an_offer_is_no_award_not_a_500(app, client, login):
    person = factories.make_person()
    login(client, "coordinator")
    response = client.post(f"/persons/{person.id}/offers/new", data={
        "partner_name": "Завод", "partner_kind": "employer", "kind": "practice",
        "country": "Россия", "award": "99999999999999999999999"})
    assert response.status_code in (200, 302)  # saved without an award, or refused on the form
