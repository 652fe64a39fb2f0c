"""``flask --app wsgi tokens create EMAIL --name NAME --scopes read,register [--days N]``:
issue an API token; the token is printed once, on the last line (only its hash is kept)."""
from __future__ import annotations

import click

from ..extensions import db
from ..models import ApiToken
from ..services import ServiceError
from ..services import users as user_service
from ..transaction import Commands
from . import tokens

tokens_cli = Commands("tokens", help="API tokens: create, list, revoke.")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for (shown in the audit log).")
@click.option("--scopes", required=True, help="Comma-separated: read, register, results.")
@click.option("--days", type=int, default=tokens.DEFAULT_DAYS, show_default=True,
              help="Days until it expires.")
def tokens_create(email: str, name: str, scopes: str, days: int):
    """Issue a token acting as the user EMAIL; prints it on the last line, once."""
    user = user_service.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No user {email}.")
    try:
        token, secret = tokens.issue_token(user, name, scopes, days=days)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Token «{token.name}» for {user.email} ({user.role}), scopes "
               f"{token.scopes}, expires {token.expires_at:%Y-%m-%d}. It is shown only now:")
    click.echo(secret)


@tokens_cli.command("list")
def tokens_list():
    """Every token: id, prefix, name, user, scopes, state."""
    for token in tokens.list_tokens():
        click.echo(f"{token.id}\t{token.prefix}…\t{token.name}\t{token.user.email}\t"
                   f"{token.scopes}\t{tokens.state(token)}")


@tokens_cli.command("revoke")
@click.argument("token_id", type=int)
def tokens_revoke(token_id: int):
    """Revoke the token TOKEN_ID (it is refused from the next request on)."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"No token {token_id}.")
    tokens.revoke_token(token)
    click.echo(f"Revoked «{token.name}».")
