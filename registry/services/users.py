"""Accounts: creation, roles, deactivation, passwords, the first administrator."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import and_, bindparam, false, func, or_, select, true
from werkzeug.security import check_password_hash, generate_password_hash

from .. import text
from ..extensions import db
from ..i18n import gettext as _
from ..i18n import ngettext
from ..models import ROLES, User, utcnow
from ..queries import prepared
from ..security import ADMIN
from . import ServiceError, throttle
from .audit import record

MIN_PASSWORD_LENGTH = 12


@prepared
def _by_id():
    return select(User).where(User.id == bindparam("user_id"))


def by_id(user_id: int) -> User | None:
    """The user of a session: every logged-in request asks, so the statement is built once."""
    return db.session.scalar(_by_id(), {"user_id": user_id})


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


_COMMON_FILE = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _folded(password: str) -> str:
    return "".join(password.lower().split())


def _too_simple(folded: str) -> bool:
    """One short piece repeated («abcabcabcabc», «aaaaaaaaaaaa») or a run of consecutive
    characters («1234567890ab» counts as such when most of it is one run)."""
    for size in range(1, len(folded) // 2 + 1):
        if len(folded) % size == 0 and folded[:size] * (len(folded) // size) == folded:
            return True
    run = longest = 1
    for previous, current in zip(folded, folded[1:], strict=False):
        run = run + 1 if abs(ord(current) - ord(previous)) == 1 else 1
        longest = max(longest, run)
    return longest * 4 >= len(folded) * 3


def password_problem(password: str) -> str | None:
    """Why ``password`` may not be used, or None: the one rule for every path that sets one."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return ngettext("The password must be at least %(n)d character long.",
                        "The password must be at least %(n)d characters long.",
                        MIN_PASSWORD_LENGTH, n=MIN_PASSWORD_LENGTH)
    folded = _folded(password)
    if folded in _common_passwords() or _too_simple(folded):
        return _("This password is among the most common or too simple ones; choose another "
                 "(a few unrelated words work well).")
    return None


def _check_password(password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise ServiceError(problem, field="password")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ServiceError(_("Unknown role: %(role)s.", role=role), field="role")


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, role: str, password: str, name: str = "", *, actor=None) -> User:
    try:
        email = text.email(email) or ""
    except text.UncleanText as error:
        raise ServiceError(error.message, field="email") from error
    if not email or len(email) > 254:
        raise ServiceError(_("Enter a valid e-mail address."), field="email")
    _check_role(role)
    _check_password(password)
    if find_by_email(email) is not None:
        raise ServiceError(_("A user with this e-mail already exists."), field="email")
    user = User(email=email, role=role, name=(name or "").strip())
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record("user.create", user, user=actor, email=email, role=role)
    db.session.flush()
    return user


def update_user(user: User, *, name: str, role: str, active: bool, actor) -> User:
    _check_role(role)
    if user.id == getattr(actor, "id", None) and (role != user.role or not active):
        raise ServiceError(_("You cannot change your own role or deactivate yourself."))
    changes = {}
    if user.role != role:
        changes["role"] = [user.role, role]
    if user.active != active:
        changes["active"] = [user.active, active]
    if (user.name or "") != (name or "").strip():
        changes["name"] = [user.name, (name or "").strip()]
    user.name, user.role, user.active = (name or "").strip(), role, active
    if "role" in changes or "active" in changes:
        end_sessions(user)
    if changes:
        record("user.update", user, user=actor, changes=changes)
    db.session.flush()
    return user


def end_sessions(user: User) -> None:
    """Every session and remember cookie of ``user`` stops working (the next request of
    each is anonymous)."""
    user.session_version = (user.session_version or 0) + 1


def reset_password(user: User, password: str, *, actor=None) -> None:
    _check_password(password)
    user.set_password(password)
    end_sessions(user)
    record("user.password_reset", user, user=actor)
    db.session.flush()


def change_password(user: User, old: str, new: str) -> None:
    """The user's own change: the old password is required; other sessions end."""
    if not user.check_password(old or ""):
        raise ServiceError(_("The current password is wrong."), field="old_password")
    if old == new:
        raise ServiceError(_("The new password must differ from the current one."),
                           field="password")
    _check_password(new)
    user.set_password(new)
    end_sessions(user)
    record("user.password_change", user, user=user)
    db.session.flush()


def log_out(user: User) -> None:
    """Logging out ends the user's sessions everywhere, the remember cookie included."""
    end_sessions(user)
    record("user.logout", user, user=user)
    db.session.flush()


class LoginThrottled(ServiceError):
    pass


def authenticate(email: str, password: str, ip: str = "") -> User | None:
    """The user if the credentials are right and the account is active, else None.

    Raises LoginThrottled while this account at this address, or this address, must wait
    (``services/throttle.py``); the password is then not checked at all."""
    email = normalise_email(email)[:254]
    ip = (ip or "")[:64]
    wait = max(throttle.claim(throttle.address_key(ip), throttle.ADDRESS_FREE),
               throttle.claim(throttle.pair_key(email, ip), throttle.PAIR_FREE))
    if wait:
        raise LoginThrottled(_("Too many failed attempts. Wait %(seconds)d seconds and try "
                               "again.", seconds=int(wait + 0.999)))
    user = find_by_email(email)
    if user is None:
        # Spend the same time as a real check, so that timing does not reveal accounts.
        _spend_hash_time(password or "")
    if user is None or not user.check_password(password or "") or not user.active:
        db.session.flush()
        return None
    throttle.succeeded(email, ip)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


_dummy_hash: list[str] = []


def _spend_hash_time(password: str) -> None:
    if not _dummy_hash:
        _dummy_hash.append(generate_password_hash(secrets.token_hex(8), method="scrypt"))
    check_password_hash(_dummy_hash[0], password)


def ensure_admin() -> tuple[User, str | None] | None:
    """Make sure an active administrator exists.

    Returns None when one exists already. Otherwise creates one from REGISTRY_ADMIN_EMAIL /
    REGISTRY_ADMIN_PASSWORD, or ``admin@localhost`` with a random password, and returns the
    user and the generated password (None when it came from the environment).
    """
    exists = db.session.scalar(
        select(func.count()).select_from(User).where(User.role == ADMIN, User.active.is_(True))
    )
    if exists:
        return None
    email = os.environ.get("REGISTRY_ADMIN_EMAIL") or "admin@localhost"
    password = os.environ.get("REGISTRY_ADMIN_PASSWORD")
    generated = None
    if not password:
        password = generated = secrets.token_urlsafe(16)
    existing = find_by_email(email)
    if existing is not None:
        existing.role, existing.active = ADMIN, True
        existing.set_password(password)
        record("user.update", existing, changes={"role": ADMIN, "active": True})
        db.session.flush()
        return existing, generated
    return create_user(email, ADMIN, password, name="Administrator"), generated


USER_STATES = ("active", "inactive")


@dataclass(frozen=True)
class UserFilters:
    """The users list's filters, as the query string gives them (kept in its links)."""

    q: str | None = None
    role: str | None = None
    state: str | None = None  # "active" / "inactive"


def _spellings(text_: str) -> set[str]:
    """The case forms a name may be written in: SQLite's LIKE folds ASCII only, so a
    Cyrillic search matches «иванов», «Иванов» and «ИВАНОВ» by trying each."""
    return {text_, text_.lower(), text_.upper(), text_.capitalize(), text_.title()}


def user_condition(filters: UserFilters):
    conditions = []
    if filters.q:
        words = filters.q.split()
        if any(len(word) > User.email.type.length for word in words):
            # longer than any stored name or e-mail (and too long a pattern for SQLite)
            return false()
        conditions.extend(or_(User.email.contains(word.lower(), autoescape=True),
                              *(User.name.contains(form, autoescape=True)
                                for form in _spellings(word)))
                          for word in words)
    if filters.role in ROLES:
        conditions.append(User.role == filters.role)
    if filters.state == "active":
        conditions.append(User.active.is_(True))
    elif filters.state == "inactive":
        conditions.append(User.active.is_(False))
    return and_(true(), *conditions)


def find_users(filters: UserFilters, *, page: int, per_page: int):
    """One page of the accounts matching ``filters``, by e-mail (two queries)."""
    from ..queries import paginate

    stmt = select(User).where(user_condition(filters)).order_by(User.email, User.id)
    return paginate(stmt, page, per_page, rows=False)


def account_counts() -> dict:
    """For the administrator's home: accounts per role, inactive ones, all (one query)."""
    found = {"roles": dict.fromkeys(ROLES, 0), "inactive": 0, "total": 0}
    for role, active, number in db.session.execute(
            select(User.role, User.active, func.count(User.id)).group_by(User.role, User.active)):
        found["roles"][role] = found["roles"].get(role, 0) + number
        found["total"] += number
        if not active:
            found["inactive"] += number
    return found


def all_users() -> list[User]:
    """For the accounts page: every account, by e-mail."""
    return list(db.session.scalars(select(User).order_by(User.email)))
