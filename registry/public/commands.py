"""``flask --app wsgi competitions release --competition ID [--withdraw]``: release a
published competition to the public pages, or withdraw it (``services.release``)."""
from __future__ import annotations

import click

from ..cli import competitions_cli
from ..extensions import db
from ..models import Competition
from ..services import ServiceError
from ..services import release as release_service


@competitions_cli.command("release")
@click.option("--competition", "competition_id", required=True, type=int,
              help="The competition's id.")
@click.option("--withdraw", is_flag=True, help="Take its results off the public pages.")
@click.option("--show-points/--hide-points", "show_points", default=None,
              help="Show the points of each result publicly (default: as set).")
def competitions_release(competition_id: int, withdraw: bool, show_points: bool | None):
    """Release the published results of a competition to the public pages (/public), or
    withdraw them."""
    competition = db.session.get(Competition, competition_id)
    if competition is None:
        raise click.ClickException(f"No competition with id {competition_id}.")
    try:
        if show_points is not None:
            release_service.set_show_points(competition, show_points)
        if withdraw:
            release_service.withdraw(competition)
            click.echo(f"Withdrawn from the public pages: «{competition.title}».")
        elif competition.released_at is None:
            release_service.release(competition)
            click.echo(f"Released to the public pages: «{competition.title}» "
                       f"(/public/competitions/{competition.id}).")
        elif show_points is None:
            raise ServiceError("The results of this competition are already public.")
    except ServiceError as error:
        raise click.ClickException(error.message) from error
