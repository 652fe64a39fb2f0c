"""Reading the audit log: filtered, newest first, a page at a time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import AuditEntry, Competition, User


@dataclass
class AuditPage:
    entries: list[AuditEntry]
    total: int
    page: int
    pages: int
    competitions: dict[int, str]


def search(*, competition_id: int | None = None, action: str | None = None,
           user_id: int | None = None, date_from: date | None = None,
           date_to: date | None = None, page: int = 1, per_page: int = 50) -> AuditPage:
    conditions = []
    if competition_id:
        conditions.append(AuditEntry.competition_id == competition_id)
    if action:
        conditions.append(AuditEntry.action == action)
    if user_id:
        conditions.append(AuditEntry.user_id == user_id)
    if date_from:
        conditions.append(AuditEntry.at >= datetime.combine(date_from, time.min))
    if date_to and date_to < date.max:  # 31.12.9999 has no next day: no bound at all
        conditions.append(AuditEntry.at < datetime.combine(date_to + timedelta(days=1), time.min))
    total = db.session.scalar(select(func.count(AuditEntry.id)).where(*conditions))
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    entries = list(db.session.scalars(
        select(AuditEntry).where(*conditions).options(joinedload(AuditEntry.user))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * per_page).limit(per_page)))
    ids = {e.competition_id for e in entries if e.competition_id}
    competitions = dict(db.session.execute(
        select(Competition.id, Competition.title).where(Competition.id.in_(ids))).all()) if ids else {}
    return AuditPage(entries, total, page, pages, competitions)


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).distinct()
                                   .order_by(AuditEntry.action)))


def users() -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.id.in_(select(AuditEntry.user_id).distinct()))
        .order_by(User.email)))


def competitions() -> list[Competition]:
    return list(db.session.scalars(select(Competition).order_by(Competition.year.desc(),
                                                                Competition.title)))
