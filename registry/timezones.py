"""Times for people: stored as naive UTC (``models.base.utcnow``), shown in one zone.

The zone is the competition's (``Competition.time_zone``, e.g. a regional stage in
Новосибирск: Asia/Novosibirsk) where a time belongs to a competition, else the registry's
(``REGISTRY_TIMEZONE``, default Europe/Moscow). Every page shows times through one template
filter, ``local_datetime``, which names the zone: «12.03.2025 14:05 (МСК)», «… (UTC+7)».
"""
from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import current_app, has_app_context

from .i18n import lazy_gettext as _l

DEFAULT_ZONE = "Europe/Moscow"
DATETIME_FORMAT = "%d.%m.%Y %H:%M"
SECONDS_FORMAT = "%d.%m.%Y %H:%M:%S"

# Abbreviations people read in Russia; any other zone is named by its offset from UTC.
ABBREVIATIONS = {"MSK": _l("MSK"), "UTC": _l("UTC")}


def is_zone_name(name: str | None) -> bool:
    """A name zoneinfo knows (``Europe/Moscow``, ``Asia/Novosibirsk``, ``UTC``)."""
    if not name or not isinstance(name, str) or name != name.strip() or "\x00" in name:
        return False
    if name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def zone_names() -> list[str]:
    return sorted(available_timezones())


def registry_zone_name() -> str:
    name = current_app.config.get("REGISTRY_TIMEZONE") if has_app_context() else None
    return name if is_zone_name(name) else DEFAULT_ZONE


def zone_of(where=None) -> tzinfo:
    """The zone for ``where``: a zone name, a ``Competition`` (or anything with a
    ``time_zone`` or ``competition``), or None for the registry's zone."""
    name = None
    if isinstance(where, str):
        name = where
    elif where is not None:
        name = getattr(where, "time_zone", None)
        if name is None and getattr(where, "competition", None) is not None:
            name = getattr(where.competition, "time_zone", None)
    return ZoneInfo(name if is_zone_name(name) else registry_zone_name())


def to_local(value: datetime, where=None) -> datetime:
    """A stored time (naive means UTC) in the zone of ``where``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone_of(where))


def zone_label(local: datetime) -> str:
    """«МСК» / «UTC+7» / «UTC+5:30» for an aware local time."""
    abbreviation = local.tzname() or ""
    if abbreviation in ABBREVIATIONS:
        return str(ABBREVIATIONS[abbreviation])
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    if minutes == 0:
        return str(ABBREVIATIONS["UTC"])
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def local_datetime(value: datetime | None, where=None, seconds: bool = False,
                   zone: bool = True, format: str | None = None) -> str:
    """The template filter: ``{{ sheet.updated_at|local_datetime(competition) }}``."""
    if value is None:
        return ""
    local = to_local(value, where)
    text = local.strftime(format or (SECONDS_FORMAT if seconds else DATETIME_FORMAT))
    return f"{text} ({zone_label(local)})" if zone else text


def init_app(app) -> None:
    name = app.config.get("REGISTRY_TIMEZONE")
    if not is_zone_name(name):
        raise RuntimeError(f"REGISTRY_TIMEZONE is not a time zone name: {name!r}")
    app.add_template_filter(local_datetime, "local_datetime")
