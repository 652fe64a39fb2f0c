"""API tokens: issued by an administrator (or ``flask tokens create``) to a user, shown once,
stored as a SHA-256 hash, revoked by setting ``revoked_at``. Operations flush and audit; the
request or command commits."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from ..extensions import db
from ..i18n import gettext as _
from ..models import API_SCOPES, ApiToken, User, utcnow
from ..services import ServiceError
from ..services.audit import record
from ..text import UncleanText, clean

PREFIX = "rgt_"
MAX_DAYS = 3650
DEFAULT_DAYS = 365


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def parse_scopes(scopes) -> list[str]:
    """``"read,register"`` or a list; unknown scopes are refused, none is refused."""
    if isinstance(scopes, str):
        scopes = scopes.split(",")
    chosen = [s.strip() for s in scopes or () if s and s.strip()]
    unknown = [s for s in chosen if s not in API_SCOPES]
    if unknown:
        raise ServiceError(_("Unknown scope: %(scope)s (known: %(known)s).",
                             scope=", ".join(unknown), known=", ".join(API_SCOPES)),
                           field="scopes")
    if not chosen:
        raise ServiceError(_("Choose at least one scope."), field="scopes")
    return [s for s in API_SCOPES if s in chosen]


def issue_token(user: User, name: str, scopes, *, days: int | None = DEFAULT_DAYS,
                actor=None) -> tuple[ApiToken, str]:
    """A new token for ``user``: ``(token, secret)``; the secret exists only in this answer."""
    try:
        name = clean(name) or ""
    except UncleanText as error:
        raise ServiceError(error.message, field="name") from error
    if not name:
        raise ServiceError(_("The token needs a name."), field="name")
    if len(name) > 100:
        raise ServiceError(_("The name is too long (at most %(n)d characters).", n=100),
                           field="name")
    if not user.active:
        raise ServiceError(_("The user is deactivated."), field="user")
    chosen = parse_scopes(scopes)
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise ServiceError(_("The validity must be between 1 and %(n)d days.", n=MAX_DAYS),
                           field="days")
    secret = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(user=user, name=name, prefix=secret[:12], token_hash=hash_secret(secret),
                     scopes=",".join(chosen), created_at=now,
                     created_by_id=getattr(actor, "id", None),
                     expires_at=now + timedelta(days=days) if days is not None else None)
    db.session.add(token)
    db.session.flush()
    record("api_token.create", token, user=actor, token_name=name, owner=user.email,
           scopes=chosen, expires_at=token.expires_at.isoformat() if token.expires_at else None)
    return token, secret


def revoke_token(token: ApiToken, *, actor=None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        record("api_token.revoke", token, user=actor, token_name=token.name,
               owner=token.user.email)
    return token


def find_by_secret(secret: str) -> ApiToken | None:
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    return db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))


def state(token: ApiToken) -> str:
    """``active``, ``expired`` or ``revoked``."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= utcnow():
        return "expired"
    return "active"


def list_tokens() -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc(),
                                                             ApiToken.id.desc())))
