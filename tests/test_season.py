"""A season of three stages of one kind, from import to the history export (issue 13, tests).

``three_stage_season`` runs a «Профессионалы» season the way organisers do: participants and
results protocols imported into the regional stage, results published, the gold winners (an
individual and a team) advanced into the selection stage, its protocol imported and published,
the gold winners advanced into the final, its protocol imported and published.

The advancement half is checked here. The history export (issue 13, point 2) is another
engineer's: extend ``test_a_season_of_three_stages_from_import_to_the_history_export`` with
``export history`` of the season's persons (the returned ``season`` has every competition and
person it needs).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from registry.extensions import db
from registry.importers import participants as participants_import
from registry.importers import results as protocol
from registry.models import Entry, EntryMember, OfferedCategory, OfferedCompetency, Person
from registry.services import advancement, results
from registry.services.awards import award_label

from . import factories
from .test_import_participants import HEADER, csv_bytes, person_row

WELDING, TEAMWORK = "Сварочные технологии", "Командная работа на производстве"
RESULTS_HEADER = ("Компетенция;Категория;Фамилия;Имя;Отчество;Дата рождения;Команда;Баллы;"
                  "Место;Награда\n")

# (surname, team or None, points at the regional stage, at the selection, in the final)
PEOPLE = [
    ("Орлов", None, 91, 88, 79),
    ("Соколов", None, 85, None, None),
    ("Воронов", None, 70, None, None),
    ("Лебедев", "Звезда", 95, 90, 93),
    ("Журавлёв", "Звезда", 95, 90, 93),
    ("Гусев", "Комета", 60, None, None),
    ("Чайкин", "Комета", 60, None, None),
]
STAGE_DAYS = {"regional": date(2024, 2, 10), "selection": date(2024, 4, 15),
              "final": date(2024, 7, 1)}


def _protocol(competition, stage_index: int) -> None:
    lines = []
    for last, team, *points in PEOPLE:
        value = points[stage_index]
        if value is None:
            continue
        competency = TEAMWORK if team else WELDING
        lines.append(f"{competency};Основная;{last};Иван;Петрович;02.01.2005;{team or ''};"
                     f"{value};;")
    plan = protocol.build_plan(competition, (RESULTS_HEADER + "\n".join(lines) + "\n")
                               .encode("utf-8"))
    assert plan.ok, [str(p) for p in plan.problems]
    protocol.apply(plan)


def three_stage_season(organiser) -> dict:
    """Run the season; returns its competitions and persons by surname."""
    competitions = {}
    for stage, day in STAGE_DAYS.items():
        competitions[stage] = factories.make_competition(
            stage=stage, title=f"Профессионалы 2024, {stage}", starts_on=day, ends_on=day)
        for name in (WELDING, TEAMWORK):  # later stages offer what the regional one did
            if stage != "regional":
                factories.make_offered(competitions[stage], name)
    regional, selection, final = (competitions[s] for s in ("regional", "selection", "final"))

    data = csv_bytes([person_row(last=last, first="Иван", middle="Петрович", born="02.01.2005",
                                 competency=TEAMWORK if team else WELDING, team=team)
                      for last, team, *_points in PEOPLE], header=HEADER)
    plan = participants_import.build_plan(regional, data)
    assert plan.ok, [str(p) for p in plan.problems]
    participants_import.apply(plan)
    db.session.commit()

    for index, (stage, later) in enumerate((("regional", "selection"), ("selection", "final"),
                                            ("final", None))):
        _protocol(competitions[stage], index)
        results.publish(competitions[stage], actor=organiser)
        db.session.commit()
        if later is not None:
            step = advancement.plan(competitions[stage], competitions[later])
            assert step.ok and not step.refused
            advancement.apply(step, actor=organiser)
            db.session.commit()
    persons = {p.last_name: p for p in db.session.scalars(select(Person))}
    return {"regional": regional, "selection": selection, "final": final, "persons": persons}


def _who(competition) -> dict[str, str | None]:
    rows = db.session.execute(
        select(Person.last_name, Entry.team_name)
        .join(EntryMember, EntryMember.person_id == Person.id)
        .join(Entry, Entry.id == EntryMember.entry_id)
        .join(OfferedCategory, OfferedCategory.id == Entry.offered_category_id)
        .join(OfferedCompetency, OfferedCompetency.id == OfferedCategory.offered_competency_id)
        .where(OfferedCompetency.competition_id == competition.id))
    return dict(rows.all())


def test_a_season_of_three_stages_from_import_to_the_history_export(app, client, login):
    organiser = factories.make_user("organiser")
    season = three_stage_season(organiser)

    # only the gold winners moved on: Орлов alone, and the team «Звезда» as a team
    assert _who(season["regional"]).keys() == {p[0] for p in PEOPLE}
    winners = {"Орлов": None, "Лебедев": "Звезда", "Журавлёв": "Звезда"}
    assert _who(season["selection"]) == winners
    assert _who(season["final"]) == winners
    for stage in ("regional", "selection", "final"):
        assert season[stage].status == "results_published"

    # the person's page: the path stage by stage, with the place and award of each
    login(client, "coordinator")
    page = client.get(f"/persons/{season['persons']['Лебедев'].id}").text
    path = page[page.index('id="path"'):]
    path = path[:path.index("</section>")]
    assert path.count("data-step=") == 3
    positions = [path.index(season[s].title) for s in ("regional", "selection", "final")]
    assert positions == sorted(positions)
    assert path.count("Звезда") == 3
    assert path.count(str(award_label("gold"))) == 3 and path.count("place") + path.count(
        "место") == 3

    # (history export: to be added here with point 2 — one row per person per entry)
