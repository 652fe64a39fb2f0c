"""``flask --app wsgi export NAME --format csv|xlsx --output FILE [--lang] [--delimiter] [filters]``."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..services import ServiceError
from ..transaction import transactional
from .base import EXPORTERS
from .service import run_export


@click.command("export")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="xlsx", show_default=True)
@click.option("--output", required=True, type=click.Path(dir_okay=False))
@click.option("--lang", type=click.Choice(["ru", "en"]), default="ru", show_default=True)
@click.option("--delimiter", type=click.Choice([";", ","]), default=";", show_default=True)
@click.option("--kind")
@click.option("--year")
@click.option("--stage")
@click.option("--competition")
@click.option("--region")
@click.option("--competency")
@click.option("--category")
@click.option("--award")
@with_appcontext
@transactional
def export_command(name, fmt, output, lang, delimiter, **filters):
    """Write export NAME (winners, medals, participants, results, internships) to a file."""
    if name not in EXPORTERS:
        raise click.ClickException(
            f"Unknown export {name!r}; known: {', '.join(sorted(EXPORTERS))}")
    try:
        export = run_export(name, filters, fmt, actor=None, lang=lang, delimiter=delimiter)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    target = Path(output)
    partial = target.with_name(target.name + ".partial")
    size = 0
    with open(partial, "wb") as fh:
        for chunk in export.chunks:
            fh.write(chunk)
            size += len(chunk)
    partial.replace(target)
    click.echo(f"{name}: {size} bytes written to {target}")
