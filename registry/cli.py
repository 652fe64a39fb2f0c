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


@refdata_cli.command("add-competency")
@click.argument("name")
@click.option("--code", help="Its code, e.g. R11J.")
@click.option("--kind", "kind_texts", multiple=True,
              help="A competition kind that has it (repeat for several); needed for a new "
                   "competency.")
@click.option("--team", is_flag=True, help="A team competency.")
@click.option("--alias-of", "alias_of",
              help="Add NAME (and --code) as another name of this existing competency "
                   "(its name, code or alias) instead of a new competency.")
def refdata_add_competency(name, code, kind_texts, team, alias_of):
    """Add a competency, or a historic name or code of one (--alias-of)."""
    try:
        if alias_of is not None:
            if kind_texts or team:
                raise click.UsageError("--kind and --team describe a new competency; an alias "
                                       "takes only NAME and --code.")
            competency = reference_service.find_competency(alias_of)
            if competency is None:
                raise click.BadParameter(f"no competency is named {alias_of!r}",
                                         param_hint="--alias-of")
            for alias in (name, code):
                if alias:
                    reference_service.add_alias(competency, alias)
                    click.echo(f"Alias «{alias}» added to «{competency.name}».")
            return
        if not kind_texts:
            raise click.UsageError("Name the competition kind of a new competency with --kind.")
        kinds = []
        for text in kind_texts:
            kind = reference_service.find_kind(text)
            if kind is None:
                raise click.BadParameter(f"unknown competition kind {text!r}",
                                         param_hint="--kind")
            kinds.append(kind)
        competency = reference_service.create_competency(name, kinds=kinds, code=code,
                                                         is_team=team)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Competency «{competency}» added.")


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
@click.option("--medallion-scale", type=click.Choice(("points", "cis")), default="points",
              show_default=True, help="The scale of --medallion-threshold: points or the 700 "
                                      "scale.")
@click.option("--medal-minimums", default="1,1,1", show_default=True,
              help="G,S,B: the least ranked in-competition entries of a competency and "
                   "category for gold, silver and bronze (Moscow: 4,5,6).")
@click.option("--min-entries", default="1", show_default=True,
              help="The least ranked in-competition entries for it to be held (Moscow: 4).")
@click.option("--cis-scale", is_flag=True, help="Show the WorldSkills 700 scale too.")
def competitions_create(kind_text, year, stage, region_text, title, starts, ends, status,
                        medallion_threshold, medallion_scale, medal_minimums, min_entries,
                        cis_scale):
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
    try:
        gold, silver, bronze = competition_service.parse_medal_minimums(medal_minimums)
    except ServiceError as error:
        raise click.BadParameter(error.message, param_hint="--medal-minimums") from error
    try:
        least = int(min_entries.strip())
    except ValueError:
        least = 0
    if not 1 <= least <= competition_service.MAX_MINIMUM:
        raise click.BadParameter(
            f"a whole number from 1 to {competition_service.MAX_MINIMUM}, not {min_entries!r}",
            param_hint="--min-entries")
    data = competition_service.CompetitionData(
        kind=kind, year=year, stage=stage, host_region=region, title=title,
        starts_on=starts.date() if starts else None, ends_on=ends.date() if ends else None,
        status=status, medallion_threshold=threshold, medallion_scale=medallion_scale,
        gold_min=gold, silver_min=silver, bronze_min=bronze, min_entries=least,
        cis_scale=cis_scale,
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


@competitions_cli.command("advance")
@click.option("--from", "source_id", required=True, type=int,
              help="The published competition whose award holders advance.")
@click.option("--to", "target_id", required=True, type=int,
              help="The later competition of the same kind they are registered into.")
@click.option("--awards", default=None,
              help="Comma-separated awards (gold,silver,bronze,medallion,winner,prize_winner); "
                   "default: the first award of the kind (gold).")
@click.option("--competency", default=None, help="Only this competency: name, code or alias.")
@click.option("--category", default=None, help="Only this category (its name).")
@click.option("--dry-run", is_flag=True, help="Print the preview; write nothing.")
def competitions_advance(source_id, target_id, awards, competency, category, dry_run):
    """Register the award holders of one competition into a later one: all or nothing."""
    from .models import Competition, name_key
    from .services import advancement

    source = db.session.get(Competition, source_id)
    target = db.session.get(Competition, target_id)
    for competition, given, option in ((source, source_id, "--from"),
                                       (target, target_id, "--to")):
        if competition is None:
            raise click.BadParameter(f"no competition with id {given}", param_hint=option)
    competency_id = category_id = None
    if competency is not None:
        found = reference_service.find_competency(competency)
        if found is None:
            raise click.BadParameter(f"unknown competency {competency!r}",
                                     param_hint="--competency")
        competency_id = found.id
    if category is not None:
        found = next((c for c in source.kind.categories
                      if name_key(c.name) == name_key(category)), None)
        if found is None:
            raise click.BadParameter(f"{source.kind.short_name} has no category {category!r}",
                                     param_hint="--category")
        category_id = found.id
    chosen = tuple(a.strip() for a in (awards or "").split(",") if a.strip())
    try:
        plan = advancement.plan(source, target,
                                advancement.Selection(chosen, competency_id, category_id))
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    labels = {advancement.ADD: "add", advancement.ALREADY: "already there",
              advancement.REFUSED: "REFUSED"}
    for line in plan.lines:
        who = f"team «{line.team_name}»: {line.names}" if line.team_name else line.names
        click.echo(f"{labels[line.status]}\t{line.competency.name} / {line.category.name}\t"
                   f"{line.award}\t{who}")
        for problem in line.problems:
            click.echo(f"\t  {problem}")
    click.echo(f"{len(plan.to_add)} to add, {len(plan.already)} already there, "
               f"{len(plan.refused)} refused.")
    if plan.refused:
        click.echo("Nothing was registered: every line must be accepted (all or nothing).",
                   err=True)
        raise SystemExit(1)
    if dry_run or not plan.to_add:
        click.echo("Dry run: nothing was written." if dry_run else "Nothing to register.")
        return
    try:
        entries = advancement.apply(plan)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Registered {len(entries)} entries in «{target.title}».")


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
    from .models import Competition
    from .services import marking as marking_service
    from .services import results as results_service

    competition = db.session.get(Competition, competition_id)
    if competition is None:
        raise click.ClickException(f"No competition with id {competition_id}.")
    offered = None
    if competency is not None:
        named = reference_service.find_competency(competency)  # name, code or alias
        offered = next((oc for oc in marking_service.offered_competencies(competition.id)
                        if competency.strip() == str(oc.id)
                        or (named is not None and oc.competency_id == named.id)), None)
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
    from .public import commands as _public_commands  # noqa: F401 (competitions release)

    app.cli.add_command(competitions_cli)
    app.cli.add_command(results_cli)
    from .demo.cli import demo_cli

    app.cli.add_command(demo_cli)
    from .api.cli import tokens_cli

    app.cli.add_command(tokens_cli)
    from .diplomas.cli import diplomas_command

    app.cli.add_command(diplomas_command)
