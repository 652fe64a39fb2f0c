"""Helpers of the API tests: a token for a user of a role, and the bearer header."""
from __future__ import annotations

from registry.api import tokens
from registry.extensions import db

from . import factories


def token_for(role: str = "organiser", scopes=("read", "register", "results"), *, user=None,
              days: int | None = 30, name: str | None = None) -> tuple[str, object]:
    user = user or factories.make_user(role=role)
    token, secret = tokens.issue_token(user, name or f"test {role}", list(scopes), days=days)
    db.session.commit()
    return secret, token


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def is_problem(response) -> bool:
    return (response.mimetype == "application/problem+json"
            and isinstance(response.get_json(force=True), dict)
            and response.get_json(force=True).get("status") == response.status_code)
