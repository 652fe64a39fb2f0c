"""``flask --app wsgi diplomas --competition ID --output FILE``: every diploma of a
competition as one PDF, or as a ZIP of one PDF per diploma when FILE ends in ``.zip``."""
from __future__ import annotations

from pathlib import Path

import click

from ..extensions import db
from ..models import Competition
from ..progress import progress
from ..services import diplomas as service
from ..transaction import transactional


@click.command("diplomas")
@click.option("--competition", "competition_id", required=True, type=int,
              help="The competition's id (flask competitions list).")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="FILE.pdf (one PDF, a page per diploma) or FILE.zip (a PDF per diploma).")
@click.option("--participation", is_flag=True,
              help="Also a participation certificate for every entry.")
@transactional
def diplomas_command(competition_id: int, output: str, participation: bool):
    """Issue and draw the diplomas of a competition's awards."""
    competition = db.session.get(Competition, competition_id)
    if competition is None:
        raise click.ClickException(f"No competition with id {competition_id}.")
    path = Path(output)
    fmt = "zip" if path.suffix.lower() == ".zip" else "pdf"
    from flask import current_app

    if not current_app.config.get("REGISTRY_PUBLIC_URL"):
        click.echo(f"Warning: REGISTRY_PUBLIC_URL is not set; the diplomas print "
                   f"{service.public_base()}{service.VERIFY_PATH}… under their QR codes.",
                   err=True)
    with progress("Drawing diplomas") as bar:
        bundle = service.generate_bulk(competition, fmt, bar.to, participation=participation)
    if not bundle.count:
        raise click.ClickException("This competition has no awards to give diplomas for.")
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(bundle.data)
    tmp.replace(path)
    click.echo(f"{bundle.count} diplomas written to {path}")
