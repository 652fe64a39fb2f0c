"""Accounts and roles."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from .base import Model, utcnow

ROLES = ("admin", "organiser", "expert", "coordinator")


class User(UserMixin, Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'organiser', 'expert', 'coordinator')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Part of the id in the session and the remember cookie (Flask-Login's alternative id):
    # raising it ends every session of the user at once (``services.users.end_sessions``).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def set_password(self, password: str) -> None:
        # scrypt: werkzeug's current default, memory-hard.
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class LoginThrottle(Model):
    """A login counter: for one account at one address (``a:<e-mail>|<address>``) or for one
    address (``i:<address>``). In the database, so that every worker and instance shares it;
    claimed with one conditional UPDATE, so that parallel guesses cannot overrun it. Times are
    seconds since the epoch (compared in SQL on both databases)."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_at: Mapped[float] = mapped_column(default=0.0)
    blocked_until: Mapped[float] = mapped_column(default=0.0)
