"""``flask --app wsgi demo load``: fill a demo database with a made-up season."""
from __future__ import annotations

import secrets

import click
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from ..extensions import db
from ..models import Competition
from ..progress import progress
from ..transaction import Commands


def _counts() -> dict[str, int]:
    from ..models import Award, Entry, InternshipOffer, Mark, Organisation, Person, User

    models = {"competitions": Competition, "entries": Entry, "persons": Person,
              "organisations": Organisation, "users": User, "marks": Mark, "awards": Award,
              "internship_offers": InternshipOffer}
    return {name: db.session.scalar(select(func.count()).select_from(model))
            for name, model in models.items()}


demo_cli = Commands("demo", help="Demo data, for demo databases only (never production).")


@demo_cli.command("load")
@click.option("--scale", default=200, show_default=True, type=click.IntRange(50, 2_000_000),
              help="About how many entries to make.")
@click.option("--seed", default=2024, show_default=True, type=int,
              help="The same seed makes the same data.")
@click.option("--if-empty", is_flag=True,
              help="Do nothing when the database has competitions already.")
@click.option("--append", is_flag=True,
              help="Add a season to a database that has competitions already (persons, "
                   "organisations and accounts that exist are reused; titles that exist get "
                   "a suffix). Use another --seed.")
@click.option("--show-password", is_flag=True,
              help="Give the demo accounts one random password and print it once. Without "
                   "it they have no usable password: an administrator sets one.")
@click.option("--quiet", is_flag=True, help="Print only the summary.")
def demo_load(scale: int, seed: int, if_empty: bool, append: bool, show_password: bool,
              quiet: bool):
    """FOR DEMO DATABASES ONLY: fill the database with a made-up but realistic season.

    Competitions of «Профессионалы», «Абилимпикс» and «Мастер года» (regional stages, a
    selection stage, finals) with about SCALE entries: persons, organisations, teams, experts
    and their assignments, marking schemes, marks, confirmed sheets, published results and
    awards, special awards and internship offers. Needs the reference data
    (`flask refdata load`). On a database that has competitions it refuses unless --if-empty
    (then it does nothing) or --append is given.
    """
    from .generate import DemoRefused, Generator

    if if_empty and append:
        raise click.UsageError("--if-empty and --append exclude each other.")
    existing = db.session.scalar(select(func.count()).select_from(Competition))
    before = _counts()
    if existing:
        if if_empty:
            click.echo(f"The database has {existing} competitions; demo data not loaded.")
            return
        if not append:
            raise click.ClickException(
                f"The database has {existing} competitions already. Demo data is for an empty "
                "demo database: use --if-empty to skip, or --append (with another --seed) to "
                "add to it.")
    password = password_hash = None
    if show_password:
        password = secrets.token_urlsafe(16)
        password_hash = generate_password_hash(password, method="scrypt")
    bar = progress("Stages")
    # on a terminal the bar stands for the step lines; without one they are printed
    log = (lambda message: None) if quiet or bar.shown \
        else (lambda message: click.echo(f"  {message}"))
    click.echo(f"Loading demo data: scale {scale}, seed {seed} …")
    try:
        with bar:
            report = Generator(scale, seed, password_hash=password_hash,
                               log=log, on_stage=bar.to).run()
    except DemoRefused as error:
        raise click.ClickException(str(error)) from error
    created = {name: n - before[name] for name, n in _counts().items()}
    click.echo(
        f"Done in {report.seconds:.1f} s: {created['competitions']} competitions, "
        f"{created['entries']} entries, {created['persons']} persons, "
        f"{created['organisations']} organisations, {created['users']} accounts, "
        f"{created['marks']} marks, {created['awards']} awards, "
        f"{created['internship_offers']} internship offers.")
    click.echo("Demo accounts:")
    for email, role in report.accounts:
        click.echo(f"  {email} ({role})")
    if password:
        click.echo("=" * 60)
        click.echo(f"Password of the demo accounts (shown once, write it down): {password}")
        click.echo("=" * 60)
    else:
        click.echo("They have no usable password: an administrator sets one (Administration → "
                   "Users), or run again on an empty database with --show-password.")
