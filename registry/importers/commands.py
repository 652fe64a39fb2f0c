"""``flask --app wsgi import participants FILE --competition ID [--dry-run]`` and
``flask --app wsgi import results FILE --competition ID [--dry-run]``: the same plans as the
upload pages; a plan with problems prints them all and exits 1; ``--dry-run`` writes
nothing. Each command is one transaction (``transaction.Commands``)."""
from __future__ import annotations

from pathlib import Path

import click

from ..extensions import db
from ..formatting import decimal
from ..i18n import gettext as _
from ..models import Competition
from ..progress import progress
from ..transaction import Commands
from . import results as protocol
from .base import ImportRefused
from .participants import apply, build_plan

import_cli = Commands("import", help="Import data from spreadsheets (XLSX or CSV).")


def _echo_counts(counts, dry_run: bool) -> None:
    click.echo(_("Dry run: nothing was written. The import would give:") if dry_run
               else _("Imported:"))
    for label, value in (
        (_("rows"), counts.rows),
        (_("persons created"), counts.persons_created),
        (_("persons reused"), counts.persons_reused),
        (_("organisations created"), counts.organisations_created),
        (_("entries"), counts.entries),
        (_("teams"), counts.teams),
        (_("already registered"), counts.already_registered),
        (_("competencies or categories added to the competition"), counts.offers_added),
    ):
        click.echo(f"  {label}: {value}")


@import_cli.command("participants")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--competition", "competition_id", required=True, type=int,
              help="The id of the competition (see `competitions list`).")
@click.option("--dry-run", is_flag=True, help="Check the file and print the counts; write nothing.")
def import_participants(file: Path, competition_id: int, dry_run: bool):
    """Import participants from FILE (XLSX, or CSV in UTF-8 or Windows-1251, ; or ,)."""
    competition = db.session.get(Competition, competition_id)
    if competition is None:
        raise click.ClickException(_("There is no competition with id %(id)d.", id=competition_id))
    data = file.read_bytes()
    # the bar's length: the lines of the file at most (exact for a CSV without line breaks
    # in its cells); it ends full either way
    with progress(_("Checking rows"), length=max(1, data.count(b"\n"))) as bar:
        plan = build_plan(competition, data, filename=file.name, on_row=bar.update)
        bar.finish()
    if not plan.ok:
        _fail(plan.problems, plan.invalid_rows)
    if dry_run:
        _echo_counts(plan.counts, dry_run=True)
        return
    try:
        with progress(_("Writing"), length=1) as bar:
            counts = apply(plan)
            bar.update(1)
    except ImportRefused as error:
        _fail(error.problems, 0)
    _echo_counts(counts, dry_run=False)


def _fail(problems, invalid_rows: int):
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(_("Nothing was imported: %(n)d problems in %(rows)d rows.",
                 n=len(problems), rows=invalid_rows), err=True)
    raise SystemExit(1)


@import_cli.command("results")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--competition", "competition_id", required=True, type=int,
              help="The competition's id.")
@click.option("--dry-run", is_flag=True, help="Check the file and print the results; write "
                                              "nothing.")
def import_results(file: Path, competition_id: int, dry_run: bool):
    """Import results from a paper protocol FILE (XLSX or CSV); all or nothing."""
    competition = db.session.get(Competition, competition_id)
    if competition is None:
        raise click.ClickException(_("There is no competition with id %(id)d.", id=competition_id))
    data = file.read_bytes()
    with progress(_("Checking rows"), length=max(1, data.count(b"\n"))) as bar:
        plan = protocol.build_plan(competition, data, filename=file.name, on_row=bar.update)
        bar.finish()
    if not plan.ok:
        _fail(plan.problems, plan.invalid_rows)
    for result in plan.results:
        click.echo("  " + _(
            "%(entry)s: points %(points)s, place %(place)s, award %(award)s",
            entry=result.entry.team_name or result.entry.members[0].person.full_name,
            points=decimal(result.points) if result.points is not None else "—",
            place=result.place if result.place is not None else "—",
            award=result.award or _("(by the rules)")))
    if dry_run:
        click.echo(_("Dry run: nothing was written; %(n)d results are valid.",
                     n=len(plan.results)))
        return
    try:
        with progress(_("Writing"), length=1) as bar:
            count = protocol.apply(plan)
            bar.update(1)
    except ImportRefused as error:
        _fail(error.problems, 0)
    click.echo(_("Imported %(n)d results.", n=count))
