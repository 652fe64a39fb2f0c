"""Flask commands: ``flask --app wsgi refdata load``, ``flask --app wsgi users create …``."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from .services import ServiceError
from .services import refdata as refdata_service
from .services import users as user_service

refdata_cli = AppGroup("refdata", help="Reference data: regions, kinds, categories, competencies.")
users_cli = AppGroup("users", help="User accounts.")


@refdata_cli.command("load")
def refdata_load():
    """Load the shipped reference data; running it again changes nothing."""
    report = refdata_service.load_all()
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


def init_app(app) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(refdata_cli)
    app.cli.add_command(users_cli)
