"""``flask competitions create`` and ``flask competitions list``."""
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from registry.extensions import db
from registry.models import AuditEntry, Competition

from . import factories


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["competitions", *args])


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Competition))


def test_create_prints_the_id_alone_on_the_last_line(app):
    result = _run(app, "create", "--kind", "professionaly", "--year", "2024",
                  "--stage", "regional", "--region", "Оренбургская область",
                  "--starts", "2024-03-01", "--ends", "2024-03-05",
                  "--medallion-threshold", "70,5")
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.isdigit()
    competition = db.session.get(Competition, int(last))
    assert competition.title == "Профессионалы 2024, региональный этап, Оренбургская область"
    assert competition.host_region.name == "Оренбургская область"
    assert (competition.starts_on, competition.ends_on) == (date(2024, 3, 1), date(2024, 3, 5))
    assert competition.medallion_threshold == Decimal("70.50")
    assert competition.status == "draft"
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.competition_id == competition.id)) == "competition.create"


def test_create_accepts_names_as_people_write_them(app):
    result = _run(app, "create", "--kind", "Абилимпикс", "--year", "2025", "--stage", "regional",
                  "--region", "  оренбургская   ОБЛАСТЬ", "--title", "Абилимпикс-2025 в Оренбурге",
                  "--status", "registration")
    assert result.exit_code == 0, result.output
    competition = db.session.get(Competition, int(result.output.split()[-1]))
    assert competition.kind.slug == "abilympics" and competition.status == "registration"
    assert competition.host_region == factories.region("Оренбургская область")
    assert competition.title == "Абилимпикс-2025 в Оренбурге"


def test_create_matches_the_region_as_written_in_documents(app):
    result = _run(app, "create", "--kind", "professionaly", "--year", "2024",
                  "--stage", "regional", "--region", "Татарстан")
    assert result.exit_code == 0, result.output
    competition = db.session.get(Competition, int(result.output.split()[-1]))
    assert competition.host_region.name == "Республика Татарстан"
    assert competition.title == "Профессионалы 2024, региональный этап, Республика Татарстан"


def test_create_a_final_without_region(app):
    result = _run(app, "create", "--kind", "master_of_the_year", "--year", "2024",
                  "--stage", "final")
    assert result.exit_code == 0, result.output
    competition = db.session.get(Competition, int(result.output.split()[-1]))
    assert competition.title == "Мастер года 2024, финал" and competition.host_region is None


def test_invalid_input_exits_non_zero_and_creates_nothing(app):
    cases = [
        (["--kind", "olympiad", "--year", "2024", "--stage", "final"], "--kind"),
        (["--kind", "professionaly", "--year", "2024", "--stage", "regional"], "регион проведения"),
        (["--kind", "professionaly", "--year", "2024", "--stage", "regional",
          "--region", "Атлантида"], "--region"),
        (["--kind", "professionaly", "--year", "1990", "--stage", "final"], "2000"),
        (["--kind", "professionaly", "--year", "2024", "--stage", "semi"], "--stage"),
        (["--kind", "professionaly", "--year", "2024", "--stage", "final",
          "--starts", "2024-03-05", "--ends", "2024-03-01"], "раньше"),
        (["--kind", "professionaly", "--year", "2024", "--stage", "final",
          "--starts", "05.03.2024"], "--starts"),
        (["--kind", "professionaly", "--year", "2024", "--stage", "final",
          "--medallion-threshold", "много"], "--medallion-threshold"),
        (["--kind", "abilympics", "--year", "2024", "--stage", "final",
          "--medallion-threshold", "60"], "Профессионалы"),
    ]
    for args, hint in cases:
        result = _run(app, "create", *args)
        assert result.exit_code != 0, args
        assert hint in result.output, (args, result.output)
    assert _count() == 0


def test_list_shows_every_competition(app):
    factories.make_competition(title="Профессионалы 2024, Оренбург")
    factories.make_competition(title="Абилимпикс 2023, финал", kind_slug="abilympics",
                               stage="final", year=2023, status="archived",
                               starts_on=None, ends_on=None)
    result = _run(app, "list")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].split("\t") == ["id", "kind", "year", "stage", "region", "status", "title"]
    rows = [line.split("\t") for line in lines[1:]]
    assert [row[1:] for row in rows] == [
        ["professionaly", "2024", "regional", "Оренбургская область", "registration",
         "Профессионалы 2024, Оренбург"],
        ["abilympics", "2023", "final", "-", "archived", "Абилимпикс 2023, финал"],
    ]
