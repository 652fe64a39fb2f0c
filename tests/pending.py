"""The uploads that wait for confirmation (in the database, ``models.PendingUpload``)."""
import hashlib

from sqlalchemy import select

from registry.extensions import db
from registry.models import PendingUpload


def pending_uploads() -> list[str]:
    """The SHA-256 of the token of each waiting upload."""
    db.session.expire_all()
    return list(db.session.scalars(select(PendingUpload.token_hash)))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
