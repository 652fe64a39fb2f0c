"""``flask --app wsgi export NAME [--output FILE|DIR] [--format] [--lang] [--delimiter] [filters]``.

``export`` is a group with one command per registered exporter, built when it is called:
its ``--format`` offers the exporter's formats and its other options are the exporter's
declared filters, so an option the exporter does not declare is refused by name. Each
command runs in one transaction (the audit entry of the export is committed with it).
"""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from ..progress import progress
from ..services import ServiceError
from ..transaction import Commands, transactional
from .base import EXPORTERS, Exporter
from .service import run_export

LANGUAGES = ("ru", "en")
DELIMITERS = (";", ",")


def _write(name: str, fmt: str, output: str | None, lang: str, delimiter: str,
           **filters) -> None:
    try:
        export = run_export(name, filters, fmt, actor=None, lang=lang, delimiter=delimiter)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    # Without --output, or with a directory, the file gets the name the page's download has.
    target = Path(output) if output else Path(export.filename)
    if target.is_dir():
        target = target / export.filename
    partial = target.with_name(target.name + ".partial")
    size = 0
    with open(partial, "wb") as fh, progress(f"{name}: writing") as bar:
        for chunk in export.chunks:
            fh.write(chunk)
            size += len(chunk)
            bar.update(1)
    partial.replace(target)
    click.echo(f"{name}: {size} bytes written to {target}")


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


class ExportCommand(click.Command):
    """The command of one exporter; an option it does not have is named in the error."""

    def __init__(self, exporter: Exporter):
        self.exporter = exporter
        formats = ", ".join(exporter.formats)
        with force_locale("en"):  # the command line speaks English
            description = str(exporter.description or exporter.label)
        params = [
            click.Option(["--format", "fmt"], type=click.Choice(exporter.formats),
                         default=exporter.formats[0], show_default=True,
                         help=f"Output format: {formats}."),
            click.Option(["--output"], type=click.Path(),
                         help="File or directory to write; default: the export's own name, "
                              "the one the page downloads, in this directory."),
            click.Option(["--lang"], type=click.Choice(LANGUAGES), default="ru",
                         show_default=True),
            click.Option(["--delimiter"], type=click.Choice(DELIMITERS), default=";",
                         show_default=True, help="CSV delimiter."),
            *(click.Option([_option(f.name), f.name], help=f.help or None)
              for f in exporter.filters),
        ]

        def callback(**values):
            _write(exporter.identifier, **values)

        super().__init__(exporter.identifier, params=params, help=description,
                         short_help=description,
                         callback=with_appcontext(transactional(callback)))

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as error:
            declared = ", ".join(_option(f.name) for f in self.exporter.filters) or "none"
            raise click.UsageError(
                f"The {self.exporter.identifier} export has no option {error.option_name}; "
                f"its filters: {declared}.", ctx) from error


class ExportCommands(Commands):
    """``flask export``: one command per exporter of the registry, as registered now."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(EXPORTERS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        exporter = EXPORTERS.get(name)
        return ExportCommand(exporter) if exporter is not None else None

    def resolve_command(self, ctx: click.Context, args: list[str]):
        if args and not args[0].startswith("-") and args[0] not in EXPORTERS:
            ctx.fail(f"Unknown export {args[0]!r}; known: {', '.join(sorted(EXPORTERS))}")
        return super().resolve_command(ctx, args)


export_cli = ExportCommands(
    "export", help="Write export NAME to a file; `export NAME --help` lists its formats "
                   "and filters.")
