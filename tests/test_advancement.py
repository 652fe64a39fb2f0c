"""Advancement between stages (issue 13, point 3): award holders of a published competition
registered into a later one of the same kind, with a preview, all or nothing, audited; the
page, ``flask competitions advance`` and the person's path stage by stage."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import AuditEntry, Award, Entry, EntryMember, OfferedCompetency
from registry.services import ServiceError, advancement

from . import factories

WELDING, COOKING, ROBOTICS = "Сварочные технологии", "Поварское дело", "Мобильная робототехника"


def _published(**overrides):
    overrides.setdefault("status", "results_published")
    return factories.make_competition(**overrides)


def _award(entry: Entry, kind: str = "gold", place: int | None = 1) -> Award:
    award = Award(competition_id=entry.offered_category.offered_competency.competition_id,
                  entry_id=entry.id, kind=kind, source="results", place=place,
                  points=D(90) - (place or 0))
    db.session.add(award)
    db.session.commit()
    return award


def _holder(offered, kind="gold", place=1, **person):
    entry = factories.make_entry(offered, [factories.make_person(**person)])
    _award(entry, kind, place)
    return entry


def _entries_in(competition) -> int:
    return db.session.scalar(
        select(func.count(Entry.id)).join(Entry.offered_category)
        .join(OfferedCompetency).where(OfferedCompetency.competition_id == competition.id))


def _members_in(competition) -> set[int]:
    return set(db.session.scalars(
        select(EntryMember.person_id).join(EntryMember.entry).join(Entry.offered_category)
        .join(OfferedCompetency).where(OfferedCompetency.competition_id == competition.id)))


@pytest.fixture
def season(app):
    """A published regional stage offering welding (Основная, Юниоры) and cooking, and an
    open selection stage of the same season offering the same."""
    regional = _published(stage="regional")
    selection = factories.make_competition(stage="selection", title="Профессионалы 2024, отбор",
                                           starts_on=date(2024, 5, 1), ends_on=date(2024, 5, 3))
    offered = {}
    for competition in (regional, selection):
        for competency, category in ((WELDING, "Основная"), (WELDING, "Юниоры"),
                                     (COOKING, "Основная")):
            offered[(competition.id, competency, category)] = factories.make_offered(
                competition, competency, category)
    return regional, selection, lambda c, comp=WELDING, cat="Основная": offered[(c.id, comp, cat)]


# --- the plan and its application ------------------------------------------------------------

def test_gold_winners_advance_by_default_and_silver_on_request(season):
    regional, selection, offered = season
    gold = _holder(offered(regional), "gold", 1)
    silver = _holder(offered(regional), "silver", 2)
    cook = _holder(offered(regional, COOKING), "gold", 1)

    plan = advancement.plan(regional, selection)
    assert plan.selection.awards == ("gold",)
    assert {line.entry.id for line in plan.to_add} == {gold.id, cook.id}
    assert plan.ok and not plan.refused and not plan.already
    assert _entries_in(selection) == 0  # a plan writes nothing

    entries = advancement.apply(plan, actor=factories.make_user("organiser"))
    db.session.commit()
    assert len(entries) == 2
    assert _members_in(selection) == {gold.members[0].person_id, cook.members[0].person_id}
    new = {e.offered_category_id for e in entries}
    assert new == {offered(selection).id, offered(selection, COOKING).id}

    both = advancement.plan(regional, selection, advancement.Selection(("gold", "silver")))
    assert [line.entry.id for line in both.to_add] == [silver.id]
    assert {line.entry.id for line in both.already} == {gold.id, cook.id}


def test_the_advancement_is_audited_with_its_source_and_entries(season):
    regional, selection, offered = season
    gold = _holder(offered(regional))
    organiser = factories.make_user("organiser")
    entries = advancement.apply(advancement.plan(regional, selection), actor=organiser)
    db.session.commit()
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "competition.advance"))
    assert audit.competition_id == selection.id and audit.user_id == organiser.id
    assert audit.details["source"] == regional.id
    assert audit.details["from_entries"] == [gold.id]
    assert audit.details["added"] == [entries[0].id]
    # every new entry is registered like one entered by hand, with its own audit entry
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "entry.create", AuditEntry.competition_id == selection.id)) == 1


def test_filters_by_competency_category_and_award(season):
    regional, selection, offered = season
    senior = _holder(offered(regional))
    junior = _holder(offered(regional, WELDING, "Юниоры"), birth_date=date(2009, 1, 1))
    cook = _holder(offered(regional, COOKING), "silver", 2)
    welding = factories.competency(WELDING)
    juniors = factories.category("professionaly", "Юниоры")

    only_welding = advancement.plan(regional, selection,
                                    advancement.Selection(("gold",), welding.id))
    assert {line.entry.id for line in only_welding.lines} == {senior.id, junior.id}
    only_juniors = advancement.plan(regional, selection,
                                    advancement.Selection(("gold",), welding.id, juniors.id))
    assert [line.entry.id for line in only_juniors.lines] == [junior.id]
    silver_cooks = advancement.plan(regional, selection, advancement.Selection(("silver",)))
    assert [line.entry.id for line in silver_cooks.lines] == [cook.id]
    with pytest.raises(ServiceError, match="winner"):
        advancement.plan(regional, selection, advancement.Selection(("winner",)))


def test_a_team_advances_as_a_team_with_its_members(app):
    regional = _published()
    final = factories.make_competition(stage="final", title="Профессионалы 2024, финал",
                                       starts_on=date(2024, 7, 1), ends_on=date(2024, 7, 5))
    source = factories.make_offered(regional, ROBOTICS, team=True)
    target = factories.make_offered(final, ROBOTICS, team=True)
    members = [factories.make_person() for _ in range(3)]
    team = factories.make_entry(source, members, team_name="Роботы-56")
    _award(team)

    plan = advancement.plan(regional, final)
    [line] = plan.to_add
    assert line.team_name == "Роботы-56" and len(line.persons) == 3
    [entry] = advancement.apply(plan)
    db.session.commit()
    assert entry.team_name == "Роботы-56" and entry.offered_category_id == target.id
    assert {m.person_id for m in entry.members} == {p.id for p in members}
    # run again: the whole team is there already, nothing is added
    again = advancement.plan(regional, final)
    assert [line.status for line in again.lines] == [advancement.ALREADY]
    with pytest.raises(ServiceError):
        advancement.apply(again)


def test_a_team_with_a_member_already_in_another_team_there_is_refused(app):
    regional = _published()
    final = factories.make_competition(stage="final", title="Финал")
    source = factories.make_offered(regional, ROBOTICS, team=True)
    target = factories.make_offered(final, ROBOTICS, team=True)
    members = [factories.make_person() for _ in range(2)]
    _award(factories.make_entry(source, members, team_name="Альфа"))
    factories.make_entry(target, [members[0], factories.make_person()], team_name="Бета")

    [line] = advancement.plan(regional, final).lines
    assert line.status == advancement.REFUSED
    assert any(members[0].full_name in p for p in line.problems)


def test_already_there_is_listed_and_skipped(season):
    regional, selection, offered = season
    there = _holder(offered(regional))
    new = _holder(offered(regional), place=1)
    factories.make_entry(offered(selection), [there.members[0].person])

    plan = advancement.plan(regional, selection)
    assert [line.entry.id for line in plan.already] == [there.id]
    assert [line.entry.id for line in plan.to_add] == [new.id]
    advancement.apply(plan)
    db.session.commit()
    assert _entries_in(selection) == 2  # the one there before and the one added; no duplicate


def test_not_eligible_there_refuses_everything(season):
    """All or nothing: one award holder too young on the target's day (its first of January,
    as it has no start date) and nobody is registered."""
    regional, selection, offered = season
    selection.starts_on = selection.ends_on = None
    db.session.commit()
    fine = _holder(offered(regional, WELDING, "Юниоры"), birth_date=date(2008, 1, 1))
    young = _holder(offered(regional, WELDING, "Юниоры"), birth_date=date(2010, 2, 1))

    plan = advancement.plan(regional, selection)
    assert [line.entry.id for line in plan.to_add] == [fine.id]
    [refused] = plan.refused
    assert refused.entry.id == young.id and "14" in refused.problems[0]
    assert not plan.ok
    with pytest.raises(ServiceError, match="Никто не зарегистрирован"):
        advancement.apply(plan)
    db.session.rollback()
    assert _entries_in(selection) == 0


def test_a_competency_not_offered_there_is_said_and_refuses(season):
    regional, selection, offered = season
    other = factories.make_offered(regional, "Электромонтаж")
    _holder(offered(regional))
    _holder(other)
    plan = advancement.plan(regional, selection)
    [refused] = plan.refused
    assert "Электромонтаж" in refused.problems[0] and selection.title in refused.problems[0]
    with pytest.raises(ServiceError):
        advancement.apply(plan)
    assert _entries_in(selection) == 0


def test_an_individual_holder_into_a_team_competency_is_refused(app):
    regional = _published()
    final = factories.make_competition(stage="final", title="Финал")
    _holder(factories.make_offered(regional, WELDING))
    factories.make_offered(final, WELDING, team=True)
    [line] = advancement.plan(regional, final).lines
    assert line.status == advancement.REFUSED and "командный зачёт" in line.problems[0]


@pytest.mark.parametrize("case", ["unpublished", "same", "earlier", "same_stage", "other_kind",
                                  "closed"])
def test_competitions_that_do_not_allow_an_advancement(app, case):
    source = _published(stage="selection", title="Отбор")
    target = {
        "unpublished": None,
        "same": source,
        "earlier": factories.make_competition(stage="regional"),
        "same_stage": factories.make_competition(stage="selection", title="Другой отбор"),
        "other_kind": factories.make_competition(kind_slug="abilympics", stage="final",
                                                 title="Абилимпикс, финал"),
        "closed": factories.make_competition(stage="final", title="Финал",
                                             status="results_published"),
    }[case]
    if case == "unpublished":
        source.status = "marking"
        db.session.commit()
        target = factories.make_competition(stage="final", title="Финал")
    with pytest.raises(ServiceError) as refused:
        advancement.plan(source, target)
    assert refused.value.message
    assert target not in advancement.targets(source) or case == "unpublished"


def test_next_season_is_a_later_competition(app):
    final = _published(stage="final", title="Финал 2024")
    next_regional = factories.make_competition(year=2025, stage="regional",
                                               title="Профессионалы 2025",
                                               starts_on=date(2025, 3, 1),
                                               ends_on=date(2025, 3, 3))
    _holder(factories.make_offered(final))
    factories.make_offered(next_regional)
    assert next_regional in advancement.targets(final)
    assert len(advancement.plan(final, next_regional).to_add) == 1


def test_a_plan_that_changed_has_another_fingerprint(season):
    regional, selection, offered = season
    first = _holder(offered(regional))
    before = advancement.plan(regional, selection).fingerprint
    factories.make_entry(offered(selection), [first.members[0].person])
    assert advancement.plan(regional, selection).fingerprint != before


# --- the page ---------------------------------------------------------------------------------

def _form(selection, **extra):
    return {"target": str(selection.id), "awards": ["gold"], "competency": "", "category": "",
            **extra}


def test_organiser_previews_then_confirms(season, client, login):
    regional, selection, offered = season
    gold = _holder(offered(regional), last_name="Золотов")
    login(client, "organiser")
    page = client.get(f"/competitions/{regional.id}/advance")
    assert page.status_code == 200 and selection.title in page.text

    preview = client.post(f"/competitions/{regional.id}/advance",
                          data=_form(selection, preview="1"))
    assert preview.status_code == 200
    assert "Золотов" in preview.text and 'data-status="add"' in preview.text
    assert _entries_in(selection) == 0
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]+)"',
                            preview.text).group(1)

    done = client.post(f"/competitions/{regional.id}/advance",
                       data=_form(selection, confirm="1", fingerprint=fingerprint))
    assert done.status_code == 302
    assert _members_in(selection) == {gold.members[0].person_id}


def test_a_confirmation_of_another_preview_writes_nothing(season, client, login):
    regional, selection, offered = season
    _holder(offered(regional))
    login(client, "organiser")
    page = client.post(f"/competitions/{regional.id}/advance",
                       data=_form(selection, confirm="1", fingerprint="0" * 16))
    assert page.status_code == 200 and 'data-status="add"' in page.text
    assert _entries_in(selection) == 0


def test_a_refused_line_is_shown_and_the_confirmation_writes_nothing(season, client, login):
    regional, selection, offered = season
    _holder(offered(regional))
    _holder(factories.make_offered(regional, "Электромонтаж"))
    login(client, "organiser")
    preview = client.post(f"/competitions/{regional.id}/advance",
                          data=_form(selection, preview="1"))
    assert 'data-status="refused"' in preview.text and 'name="confirm"' not in preview.text
    fingerprint = advancement.plan(regional, selection).fingerprint
    page = client.post(f"/competitions/{regional.id}/advance",
                       data=_form(selection, confirm="1", fingerprint=fingerprint))
    assert page.status_code == 200 and _entries_in(selection) == 0


def test_a_refused_target_is_said_on_the_form(season, client, login):
    regional, _selection, offered = season
    _holder(offered(regional))
    earlier = factories.make_competition(stage="regional", title="Ещё один регион")
    login(client, "organiser")
    page = client.post(f"/competitions/{regional.id}/advance",
                       data=_form(earlier, preview="1"))
    assert page.status_code == 200  # not a choice of the form: refused there, not a 500
    assert 'data-testid="advance-preview"' not in page.text


@pytest.mark.parametrize("changes", [
    {"target": "abc"}, {"target": "-1"}, {"target": "99999999999999999999"},
    {"awards": ["platinum"]}, {"awards": []}, {"competency": "x"}, {"category": "1 OR 1=1"},
    {"fingerprint": "\u202e" * 50},
])
def test_hostile_advance_forms_get_a_message_never_a_500(season, client, login, changes):
    regional, selection, offered = season
    _holder(offered(regional))
    login(client, "organiser")
    fingerprint = advancement.plan(regional, selection).fingerprint
    data = {**_form(selection, confirm="1", fingerprint=fingerprint), **changes}
    response = client.post(f"/competitions/{regional.id}/advance", data=data)
    assert response.status_code == 200
    assert _entries_in(selection) == 0


@pytest.mark.parametrize("role", ["expert", "coordinator"])
def test_only_organisers_advance(season, client, login, role):
    regional, selection, offered = season
    _holder(offered(regional))
    login(client, role)
    assert client.get(f"/competitions/{regional.id}/advance").status_code == 403
    fingerprint = advancement.plan(regional, selection).fingerprint
    response = client.post(f"/competitions/{regional.id}/advance",
                           data=_form(selection, confirm="1", fingerprint=fingerprint))
    assert response.status_code == 403
    assert _entries_in(selection) == 0


def test_the_page_of_an_unpublished_competition_says_so(client, login):
    draft = factories.make_competition(status="marking")
    login(client, "organiser")
    page = client.get(f"/competitions/{draft.id}/advance")
    assert page.status_code == 200 and 'data-testid="advance-unpublished"' in page.text


def test_an_unknown_competition_is_404(client, login):
    login(client, "organiser")
    assert client.get("/competitions/999999/advance").status_code == 404


def test_the_confirmation_needs_the_csrf_token(season, app, client, login):
    regional, selection, offered = season
    _holder(offered(regional))
    login(client, "organiser")
    app.config["WTF_CSRF_ENABLED"] = True  # reset after the test by conftest
    fingerprint = advancement.plan(regional, selection).fingerprint
    response = client.post(f"/competitions/{regional.id}/advance",
                           data=_form(selection, confirm="1", fingerprint=fingerprint))
    assert response.status_code in (200, 400)
    assert _entries_in(selection) == 0


def test_the_competition_page_offers_the_advancement_to_organisers_only(season, app, client,
                                                                        login):
    regional, _selection, _offered = season
    login(client, "organiser")
    assert f"/competitions/{regional.id}/advance" in client.get(
        f"/competitions/{regional.id}").text
    coordinator = app.test_client()
    login(coordinator, "coordinator")
    assert f"/competitions/{regional.id}/advance" not in coordinator.get(
        f"/competitions/{regional.id}").text


# --- the command ------------------------------------------------------------------------------

def _advance(app, *args):
    return app.test_cli_runner().invoke(args=["competitions", "advance", *args])


def test_cli_dry_run_prints_the_preview_and_writes_nothing(season, app):
    regional, selection, offered = season
    _holder(offered(regional), last_name="Золотов")
    _holder(offered(regional), "silver", 2, last_name="Серебров")
    result = _advance(app, "--from", str(regional.id), "--to", str(selection.id),
                      "--awards", "gold,silver", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Золотов" in result.output and "Серебров" in result.output
    assert "2 to add, 0 already there, 0 refused" in result.output
    assert "Dry run" in result.output
    db.session.expire_all()
    assert _entries_in(selection) == 0

    result = _advance(app, "--from", str(regional.id), "--to", str(selection.id))
    assert result.exit_code == 0, result.output
    assert "Registered 1 entries" in result.output
    db.session.expire_all()
    assert _entries_in(selection) == 1


def test_cli_refuses_with_the_reasons_and_exit_code(season, app):
    regional, selection, offered = season
    _holder(offered(regional))
    _holder(factories.make_offered(regional, "Электромонтаж"))
    result = _advance(app, "--from", str(regional.id), "--to", str(selection.id))
    assert result.exit_code == 1
    assert "REFUSED" in result.output and "Электромонтаж" in result.output
    db.session.expire_all()
    assert _entries_in(selection) == 0
    wrong_way = _advance(app, "--from", str(selection.id), "--to", str(regional.id))
    assert wrong_way.exit_code != 0 and "опубликованных" in wrong_way.output
    unknown = _advance(app, "--from", "999999", "--to", str(selection.id))
    assert unknown.exit_code == 2
    bad_award = _advance(app, "--from", str(regional.id), "--to", str(selection.id),
                         "--awards", "platinum")
    assert bad_award.exit_code == 1 and "platinum" in bad_award.output


def test_cli_filters_by_competency_code_and_category(season, app):
    regional, selection, offered = season
    welding = factories.competency(WELDING)
    welding.code = "10"
    db.session.commit()
    _holder(offered(regional), last_name="Сварщиков")
    _holder(offered(regional, COOKING), last_name="Поваров")
    result = _advance(app, "--from", str(regional.id), "--to", str(selection.id),
                      "--competency", "10", "--category", "основная", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Сварщиков" in result.output and "Поваров" not in result.output


# --- the person's path ------------------------------------------------------------------------

def test_the_person_page_shows_the_path_stage_by_stage(season, client, login):
    regional, selection, offered = season
    gold = _holder(offered(regional))
    person = gold.members[0].person
    advancement.apply(advancement.plan(regional, selection))
    db.session.commit()
    login(client, "coordinator")
    page = client.get(f"/persons/{person.id}").text
    section = page[page.index('id="path"'):]
    section = section[:section.index("</section>")]
    assert section.index(regional.title) < section.index(selection.title)
    assert section.count("data-step=") == 2
