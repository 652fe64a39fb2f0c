"""Flask commands: ``flask --app wsgi refdata load``, ``flask --app wsgi users create …``."""
from __future__ import annotations

import sys
from decimal import Decimal, InvalidOperation

import click

from .extensions import db
from .importers.commands import import_cli
from .models import STAGES, STATUSES
from .services import ServiceError
from .services import competitions as competition_service
from .services import reference as reference_service
from .services import users as user_service
from .services.regions import match_region
from .transaction import Commands

refdata_cli = Commands("refdata", help="Reference data: regions, kinds, categories, competencies.")
users_cli = Commands("users", help="User accounts.")
competitions_cli = Commands("competitions", help="Competitions: create and list.")


@refdata_cli.command("load")
def refdata_load():
    """Load the shipped reference data; running it again changes nothing."""
    report = reference_service.load_all()
    click.echo(f"Reference data loaded: {report}")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["admin", "organiser", "expert",
                                                          "coordinator"]))
@click.option("--name", default="", help="Full name shown in the interface.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(email: str, role: str, name: str, password_stdin: bool):
    """Create a user account."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = user_service.create_user(email, role, password, name)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Created {user.email} ({user.role}), id {user.id}")


@users_cli.command("ensure-admin")
def users_ensure_admin():
    """Create the first administrator unless an active one exists."""
    result = user_service.ensure_admin()
    if result is None:
        click.echo("An administrator exists; nothing to do.")
        return
    user, generated = result
    if generated:
        click.echo("=" * 60)
        click.echo(f"Administrator created: {user.email}")
        click.echo(f"Password (shown once, write it down): {generated}")
        click.echo("=" * 60)
    else:
        click.echo(f"Administrator created: {user.email} (password from REGISTRY_ADMIN_PASSWORD)")


@competitions_cli.command("create")
@click.option("--kind", "kind_text", required=True,
              help="professionaly, abilympics or master_of_the_year.")
@click.option("--year", required=True, type=int)
@click.option("--stage", required=True, type=click.Choice(STAGES))
@click.option("--region", "region_text", help="Host region (required for a regional stage).")
@click.option("--title", help="Default: kind, year, stage and region.")
@click.option("--starts", type=click.DateTime(formats=["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--ends", type=click.DateTime(formats=["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--status", default="draft", show_default=True,
              type=click.Choice(STATUSES))
@click.option("--medallion-threshold", help="Points for the medallion (Профессионалы only).")
def competitions_create(kind_text, year, stage, region_text, title, starts, ends, status,
                        medallion_threshold):
    """Create a competition; its id is printed alone on the last line."""
    kind = reference_service.find_kind(kind_text)
    if kind is None:
        raise click.BadParameter(f"unknown competition kind {kind_text!r}", param_hint="--kind")
    region = None
    if region_text:
        region = match_region(region_text)
        if region is None:
            raise click.BadParameter(f"unknown region {region_text!r}", param_hint="--region")
    threshold = None
    if medallion_threshold is not None:
        try:
            threshold = Decimal(medallion_threshold.replace(",", "."))
        except InvalidOperation as error:
            raise click.BadParameter(f"not a number: {medallion_threshold!r}",
                                     param_hint="--medallion-threshold") from error
    data = competition_service.CompetitionData(
        kind=kind, year=year, stage=stage, host_region=region, title=title,
        starts_on=starts.date() if starts else None, ends_on=ends.date() if ends else None,
        status=status, medallion_threshold=threshold,
    )
    try:
        competition = competition_service.create_competition(data)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Created: {competition.title}")
    click.echo(competition.id)


@competitions_cli.command("list")
def competitions_list():
    """List competitions: id, kind, year, stage, region, status, title (tab-separated)."""
    rows = competition_service.list_competitions()
    click.echo("\t".join(("id", "kind", "year", "stage", "region", "status", "title")))
    for row in rows:
        c = row.competition
        click.echo("\t".join((str(c.id), c.kind.slug, str(c.year), c.stage,
                              c.host_region.name if c.host_region else "-", c.status, c.title)))


@click.command("backup")
@click.option("--output", required=True, type=click.Path(dir_okay=False),
              help="Where to write the copy of the SQLite database.")
def backup_command(output: str):
    """Make a consistent copy of the SQLite database while the application runs."""
    from flask import current_app

    from .services.backup import backup_sqlite

    try:
        path = backup_sqlite(current_app.config["SQLALCHEMY_DATABASE_URI"], output)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Backup written to {path} ({path.stat().st_size} bytes)")


# --- results (marking) -----------------------------------------------------------------------

results_cli = Commands("results", help="Results: standings and their publication.")


@results_cli.command("publish")
@click.option("--competition", "competition_id", required=True, type=int,
              help="The competition's id.")
@click.option("--competency", "competency", default=None,
              help="Only this competency: its name, code or offered-competency id.")
def results_publish(competition_id: int, competency: str | None):
    """Publish (or republish after corrections) the results of a competition, or of one of
    its competencies."""
    from .models import Competition, name_key
    from .services import marking as marking_service
    from .services import results as results_service

    competition = db.session.get(Competition, competition_id)
    if competition is None:
        raise click.ClickException(f"No competition with id {competition_id}.")
    offered = None
    if competency is not None:
        key = name_key(competency)
        offered = next((oc for oc in marking_service.offered_competencies(competition.id)
                        if competency.strip() == str(oc.id)
                        or key in (name_key(oc.competency.name),
                                   name_key(oc.competency.code or "") or None)), None)
        if offered is None:
            raise click.ClickException(
                f"«{competition.title}» offers no competency «{competency}».")
    try:
        publication = results_service.publish(competition, offered)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    what = f"«{offered.competency.name}» of " if offered is not None else ""
    click.echo(f"Published the results of {what}«{competition.title}» (publication "
               f"{publication.number}).")


def init_app(app) -> None:
    from .exporters.cli import export_cli

    app.cli.add_command(export_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(refdata_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(competitions_cli)
    app.cli.add_command(results_cli)
    from .demo.cli import demo_cli

    app.cli.add_command(demo_cli)
    from .diplomas.cli import diplomas_command

    app.cli.add_command(diplomas_command)
