"""The public pages (``/public``): release and withdrawal, the published snapshot only,
points only when chosen, caching (ETag / Last-Modified / 304), a fixed number of queries,
filters, the medal tables and the search."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from registry.access import NotAllowed
from registry.extensions import db
from registry.models import AuditEntry, Competition
from registry.services import ServiceError, marking, public_results, public_search, release, results

from . import factories
from .public_fixtures import marked, released_competition
from .test_results import count_queries


def _competency_url(competition, offered):
    return f"/public/competitions/{competition.id}/competencies/{offered.offered_competency_id}"


# --- release ---------------------------------------------------------------------------------

def test_only_a_published_competition_is_released_and_withdrawal_hides_it(app, client):
    organiser = factories.make_user(role="organiser")
    competition = factories.make_competition(status="marking")
    offered, entries = marked(competition, "Сварочные технологии",
                              [factories.make_person() for _ in range(2)], ["80", "70"])
    with pytest.raises(ServiceError):  # nothing published yet
        release.release(competition, actor=organiser)
    results.publish(competition, actor=organiser)
    assert competition.status == "results_published"
    with pytest.raises(NotAllowed):  # an expert publishes only their competency
        release.release(competition, actor=factories.make_user(role="expert"))
    with pytest.raises(NotAllowed):
        release.release(competition, actor=factories.make_user(role="coordinator"))
    release.release(competition, actor=organiser)
    with pytest.raises(ServiceError):
        release.release(competition, actor=organiser)
    db.session.commit()
    assert client.get(f"/public/competitions/{competition.id}").status_code == 200
    assert competition.title in client.get("/public/").text
    release.withdraw(competition, actor=organiser)
    db.session.commit()
    assert client.get(f"/public/competitions/{competition.id}").status_code == 404
    assert client.get(_competency_url(competition, offered)).status_code == 404
    assert competition.title not in client.get("/public/").text
    actions = db.session.scalars(select(AuditEntry.action)
                                 .where(AuditEntry.competition_id == competition.id)).all()
    assert "competition.release" in actions and "competition.withdraw_release" in actions


def test_release_button_for_organisers_with_csrf(app, client, login, csrf_enabled):
    competition, offered, _entries, _organiser = released_competition()
    release.withdraw(competition)
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = False
    login(client, "coordinator")
    assert client.post(f"/competitions/{competition.id}/release").status_code == 403
    client.post("/logout")
    login(client, "organiser")
    page = client.get(f"/competitions/{competition.id}")
    assert 'data-testid="release"' in page.text
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/competitions/{competition.id}/release").status_code == 400
    app.config["WTF_CSRF_ENABLED"] = False
    response = client.post(f"/competitions/{competition.id}/release")
    assert response.status_code == 302
    assert db.session.get(Competition, competition.id).released_at is not None
    assert 'data-testid="withdraw-release"' in client.get(f"/competitions/{competition.id}").text
    client.post(f"/competitions/{competition.id}/public-points", data={"show": "1"})
    assert db.session.get(Competition, competition.id).show_points is True
    client.post(f"/competitions/{competition.id}/release", data={"withdraw": "1"})
    assert db.session.get(Competition, competition.id).released_at is None


def test_release_refused_on_the_page_for_an_unpublished_competition(app, client, login):
    competition = factories.make_competition(status="registration")
    login(client, "organiser")
    response = client.post(f"/competitions/{competition.id}/release", follow_redirects=True)
    assert response.status_code == 200
    assert "опубликованы" in response.text  # the refusal, flashed
    assert db.session.get(Competition, competition.id).released_at is None


def test_cli_release_and_withdraw(app):
    competition, _offered, _entries, _organiser = released_competition()
    release.withdraw(competition)
    db.session.commit()
    runner = CliRunner()
    cli = app.cli
    result = runner.invoke(cli, ["competitions", "release", "--competition", str(competition.id),
                                 "--show-points"], obj=_script_info(app))
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    competition = db.session.get(Competition, competition.id)
    assert competition.released_at is not None and competition.show_points
    result = runner.invoke(cli, ["competitions", "release", "--competition", str(competition.id),
                                 "--withdraw"], obj=_script_info(app))
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Competition, competition.id).released_at is None
    unpublished = factories.make_competition()
    result = runner.invoke(cli, ["competitions", "release", "--competition",
                                 str(unpublished.id)], obj=_script_info(app))
    assert result.exit_code != 0 and "опубликованы" in result.output
    db.session.expire_all()
    assert db.session.get(Competition, unpublished.id).released_at is None
    result = runner.invoke(cli, ["competitions", "release", "--competition", "999999"],
                           obj=_script_info(app))
    assert result.exit_code != 0


def _script_info(app):
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)


# --- what the pages show ---------------------------------------------------------------------

def test_pages_show_the_published_snapshot_never_a_draft(app, client):
    people = [factories.make_person(last_name=name) for name in ("Алексеев", "Борисов")]
    competition, offered, entries, organiser = released_competition(people, ["80", "70"],
                                                                    show_points=True)
    oc = offered.offered_competency
    chief = next(a.user for a in oc_assignments(oc) if a.is_chief)
    criterion = marking.scheme(oc.id)[0]
    sheet = marking.unlock_sheet(offered, criterion, "Апелляция", actor=chief)
    expert = factories.make_assignment(oc).user
    sheet = marking.save_marks(offered, criterion,
                               {(entries[1].id, criterion.aspects[0].id): "95"},
                               sheet.version, actor=expert)
    db.session.commit()
    page = client.get(_competency_url(competition, offered)).text
    assert page.index("Алексеев") < page.index("Борисов")  # as published
    assert "95,00" not in page and "80,00" in page
    marking.submit_sheet(offered, criterion, sheet.version, actor=expert)
    marking.confirm_sheet(offered, criterion, actor=chief)
    results.publish(competition, actor=organiser)
    db.session.commit()
    page = client.get(_competency_url(competition, offered)).text
    assert page.index("Борисов") < page.index("Алексеев") and "95,00" in page


def oc_assignments(oc):
    from registry.models import ExpertAssignment

    return db.session.scalars(select(ExpertAssignment)
                              .where(ExpertAssignment.offered_competency_id == oc.id)).all()


def test_points_only_when_the_organiser_chose_so(app, client):
    competition, offered, _entries, organiser = released_competition(totals=["81.5", "70", "60"])
    page = client.get(_competency_url(competition, offered)).text
    assert "81,50" not in page and "Баллы" not in page
    release.set_show_points(competition, True, actor=organiser)
    db.session.commit()
    page = client.get(_competency_url(competition, offered)).text
    assert "81,50" in page and "Баллы" in page


def test_unreleased_and_unknown_objects_are_404(app, client):
    competition, offered, _entries, _organiser = released_competition()
    other = factories.make_competition(status="results_published")
    other_offered = factories.make_offered(other, "Поварское дело")
    assert client.get(f"/public/competitions/{other.id}").status_code == 404
    assert client.get(f"/public/competitions/{other.id}/medals").status_code == 404
    # a competency of another competition, and one offered but never published
    assert client.get(f"/public/competitions/{competition.id}/competencies/"
                      f"{other_offered.offered_competency_id}").status_code == 404
    unpublished = factories.make_offered(competition, "Поварское дело")
    assert client.get(_competency_url(competition, unpublished)).status_code == 404
    assert client.get("/public/competitions/99999999999").status_code == 404


def test_team_rows_and_not_held_competency(app, client):
    competition = factories.make_competition(status="marking")
    team = [factories.make_person(last_name="Командный"), factories.make_person(last_name="Второй")]
    offered, _entries = marked(competition, "Сварочные технологии",
                               [team, [factories.make_person(), factories.make_person()]],
                               ["90", "80"])
    empty = factories.make_offered(competition, "Поварское дело")
    organiser = factories.make_user(role="organiser")
    results.declare_not_held(empty.offered_competency, "Менее трёх участников",
                             actor=organiser)
    results.publish(competition, actor=organiser)
    release.release(competition, actor=organiser)
    db.session.commit()
    page = client.get(_competency_url(competition, offered)).text
    assert "Команда 1" in page and "Командный П. С." in page and "Второй П. С." in page
    page = client.get(_competency_url(competition, empty)).text
    assert "Менее трёх участников" in page
    overview = client.get(f"/public/competitions/{competition.id}").text
    assert "Поварское дело" in overview and "не состоялась" in overview


def test_english_by_the_lang_parameter(app, client):
    competition, offered, _entries, _organiser = released_competition()
    page = client.get(_competency_url(competition, offered) + "?lang=en").text
    assert "Place" in page and "gold" in page and 'lang="en"' in page
    page = client.get(_competency_url(competition, offered)).text
    assert "Место" in page and "золото" in page
    assert client.get("/public/?lang=xx").status_code == 200  # unknown: the default


# --- caching ---------------------------------------------------------------------------------

def test_etag_last_modified_and_304(app, client):
    competition, offered, _entries, organiser = released_competition()
    url = _competency_url(competition, offered)
    first = client.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert "public" in first.headers["Cache-Control"] and "max-age=300" in first.headers[
        "Cache-Control"]
    assert "Set-Cookie" not in first.headers
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(url + "?lang=en", headers={"If-None-Match": etag}).status_code == 200
    # a change of the points choice, or of a person (consent), changes the page's validators
    release.set_show_points(competition, True, actor=organiser)
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200
    etag = client.get(url).headers["ETag"]
    person = _entries[0].members[0].person
    person.publication_consent = True
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_list_pages_change_validators_on_release(app, client):
    competition, _offered, _entries, organiser = released_competition()
    for url in ("/public/", "/public/medals"):
        etag = client.get(url).headers["ETag"]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    etags = {url: client.get(url).headers["ETag"] for url in ("/public/", "/public/medals")}
    release.withdraw(competition, actor=organiser)
    db.session.commit()
    for url, etag in etags.items():
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_a_logged_in_user_gets_the_same_cacheable_page(app, client, login):
    competition, offered, _entries, _organiser = released_competition()
    anonymous = client.get(_competency_url(competition, offered))
    login(client, "organiser")
    staff = client.get(_competency_url(competition, offered))
    assert staff.headers["ETag"] == anonymous.headers["ETag"]
    assert staff.data == anonymous.data
    assert "Set-Cookie" not in staff.headers


# --- a fixed number of queries ---------------------------------------------------------------

def _queries(client, url):
    client.get(url)  # warm
    with count_queries() as counted:
        assert client.get(url).status_code == 200
    return len(counted)


def test_query_count_does_not_grow_with_the_data(app, client):
    small, small_offered, _e, _o = released_competition()
    people = [factories.make_person(organisation=factories.make_organisation()) for _ in range(12)]
    big = factories.make_competition(status="marking")
    offered, _entries = marked(big, "Сварочные технологии", people[:9],
                               [str(90 - i) for i in range(9)])
    marked(big, "Поварское дело", [people[9:11], [people[11], factories.make_person()]],
           ["50", "40"])
    marked(big, "Сварочные технологии", [factories.make_person() for _ in range(3)],
           ["70", "60", "50"], category="Юниоры")
    organiser = factories.make_user(role="organiser")
    results.publish(big, actor=organiser)
    release.release(big, actor=organiser)
    db.session.commit()
    for template in ("/public/competitions/{id}", "/public/competitions/{id}/medals"):
        assert (_queries(client, template.format(id=small.id))
                == _queries(client, template.format(id=big.id)))
    assert (_queries(client, _competency_url(small, small_offered))
            == _queries(client, _competency_url(big, offered)))
    assert _queries(client, "/public/search?q=Иванов") <= 6
    assert _queries(client, "/public/") <= 6


def test_a_page_is_prepared_once_for_its_etag_and_again_when_it_changes(app, client):
    """What a page prepared is kept under its ETag: a second request reads only the
    competition with its validators, in one query; a correction published, another language or another
    competency is another ETag, prepared anew (never the kept one)."""
    regions = [factories.region(name) for name in ("Амурская область", "Республика Саха (Якутия)")]
    people = [factories.make_person(region=region) for region in regions]
    competition, offered, entries, organiser = released_competition(people, ["90", "80"])
    url = f"/public/competitions/{competition.id}/medals"
    with count_queries() as first:
        page = client.get(url).text
    with count_queries() as second:
        assert client.get(url).text == page
    assert len(second) == 1 < len(first)
    assert page.index("Амурская область") < page.index("Республика Саха")
    assert "Medals by region" in client.get(url + "?lang=en").text
    chief = next(a.user for a in oc_assignments(offered.offered_competency) if a.is_chief)
    factories.corrected(offered, chief, {entries[1]: "95"})
    results.publish(competition, actor=organiser)
    db.session.commit()
    page = client.get(url).text
    assert page.index("Республика Саха") < page.index("Амурская область")
    competency = client.get(_competency_url(competition, offered)).text
    assert competency.index(people[1].last_name) < competency.index(people[0].last_name)


# --- filters, medals, search -----------------------------------------------------------------

def test_list_filters_and_hostile_values(app, client):
    regional, _o, _e, _org = released_competition(title="Региональный этап 2024")
    final, _o2, _e2, _org2 = released_competition(title="Финал 2025", stage="final", year=2025)
    page = client.get("/public/?stage=final").text
    assert "Финал 2025" in page and "Региональный этап 2024" not in page
    page = client.get("/public/?year=2024").text
    assert "Финал 2025" not in page and "Региональный этап 2024" in page
    page = client.get(f"/public/?region={regional.host_region_id}").text
    assert "Финал 2025" not in page and "Региональный этап 2024" in page
    page = client.get(f"/public/?kind={regional.kind_id}").text
    assert "Финал 2025" in page and "Региональный этап 2024" in page
    for hostile in ("stage=x", "year=20245", "kind=abc", "region=99999999999", "year=%D9%A2"):
        response = client.get(f"/public/?{hostile}")
        assert response.status_code == 400, hostile
        assert 'data-testid="public-error"' in response.text
    assert client.get("/public/?page=abc").status_code == 200
    assert client.get("/public/?page=99999999").status_code == 200


def test_medal_tables_count_released_competitions_only(app, client):
    region = factories.region("Республика Татарстан")
    people = [factories.make_person(region=region) for _ in range(3)]
    competition, _offered, _entries, _organiser = released_competition(people)
    hidden = factories.make_competition(status="marking", title="Скрытый")
    marked(hidden, "Сварочные технологии", [factories.make_person(region=region)], ["99"])
    results.publish(hidden, actor=factories.make_user(role="organiser"))
    db.session.commit()
    assert public_results.medal_table(competition_id=competition.id) == [
        ("Республика Татарстан", 1, 1, 1, 0, 3)]
    assert public_results.medal_table() == [("Республика Татарстан", 1, 1, 1, 0, 3)]
    page = client.get(f"/public/competitions/{competition.id}/medals").text
    assert 'data-testid="medal-chart"' in page and "<svg" in page
    assert 'data-region="Республика Татарстан"' in page
    page = client.get(f"/public/medals?year={competition.year}").text
    assert 'data-region="Республика Татарстан"' in page
    assert client.get("/public/medals?stage=nope").status_code == 400


def test_search_by_surname_limited_and_only_what_is_shown(app, client):
    hidden = factories.make_person(last_name="Соколова", first_name="Мария",
                                   middle_name="Игоревна")
    shown = factories.make_person(last_name="Соколов", first_name="Андрей",
                                  middle_name="Петрович", publication_consent=True,
                                  birth_date=date(1990, 1, 1))
    competition, _offered, _entries, _organiser = released_competition(
        [hidden, shown, factories.make_person()])
    page = client.get("/public/search?q=Соколов").text
    assert "Соколова М. И." in page and "Соколов Андрей Петрович" in page
    # a given name the pages do not show is not a way to confirm it
    assert "Соколова" not in _hits(client.get("/public/search?q=Соколова Мария"))
    assert "Соколов Андрей" in _hits(client.get("/public/search?q=соколов андрей"))
    assert "Соколова М. И." in _hits(client.get("/public/search?q=Соколова М"))
    for short in ("Со", "а", "   "):
        assert "Соколов" not in _hits(client.get(f"/public/search?q={short}"))
    assert client.get("/public/search?q=Со").status_code == 400
    assert client.get("/public/search?q=" + "Я" * 300).status_code == 400
    assert client.get("/public/search?q=%E2%80%AEabc").status_code == 400  # bidi override
    assert client.get("/public/search?q=%25%25%25").status_code in (200, 400)
    # an unreleased competition's participants are not found
    release.withdraw(competition)
    db.session.commit()
    assert "Соколов" not in _hits(client.get("/public/search?q=Соколов"))


def _hits(response) -> str:
    """The page after the search form: what was found."""
    return response.text.split("</form>", 1)[1]


def test_search_is_bounded_and_paged(app, client, monkeypatch):
    monkeypatch.setattr(public_search, "SEARCH_MAX_RESULTS", 5)
    monkeypatch.setattr(public_search, "SEARCH_PAGE_SIZE", 2)
    people = [factories.make_person(last_name=f"Петров{i}") for i in range(8)]
    released_competition(people)
    found = public_search.search("Петров")
    assert found.total == 5 and found.truncated and found.pages == 3 and len(found.hits) == 2
    assert public_search.search("Петров", page=99).page == 3
    page = client.get("/public/search?q=Петров&page=2").text
    assert page.count("Петров") >= 2


def test_validators_of_an_empty_registry(app, client):
    response = client.get("/public/")
    assert response.status_code == 200 and response.headers["ETag"]
    etag, last = public_results.list_validators()
    assert last is None and etag


def test_release_time_is_last_modified(app, client):
    competition, offered, _entries, _organiser = released_competition()
    response = client.get(f"/public/competitions/{competition.id}")
    modified = response.last_modified
    assert modified is not None
    before = (modified - timedelta(days=1)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert client.get(f"/public/competitions/{competition.id}",
                      headers={"If-Modified-Since": before}).status_code == 200
