"""Running an export: resolve the filters, record who exported what, render in a language.

Exports carry personal data, so every run is in the audit log (who, which exporter, which
filters) before the first byte is sent.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from flask import current_app
from flask_babel import force_locale

from ..extensions import db
from ..i18n import gettext as _
from ..security import has_permission
from ..services import ServiceError
from ..services.audit import record
from ..text import slug
from .base import EXPORTERS, OUTPUT_FORMATS, Exporter, RenderOptions
from .render import render

DELIMITERS = {";": ";", ",": ","}


@dataclass
class ExportFile:
    filename: str
    mimetype: str
    chunks: Iterator[bytes]


def resolve_filters(exporter: Exporter, raw: dict[str, str | None]) -> dict:
    """Turn filter values as typed (form or CLI) into what the exporter's rows expect, by its
    declared filters (``registry.exporters.filters``). A filter it does not declare, and a value
    that matches nothing, are errors, never silently ignored."""
    raw = clean(raw)
    undeclared = [name for name in raw if exporter.filter(name) is None]
    if undeclared:
        raise ServiceError(_("The export «%(export)s» has no filter %(name)s.",
                             export=exporter.label, name=", ".join(undeclared)), undeclared[0])
    resolved: dict = {}
    for declared in exporter.filters:
        if declared.name not in raw:
            continue
        value = declared.resolve(raw[declared.name])
        if value is None:
            raise ServiceError(declared.error_message(raw[declared.name]), declared.name)
        resolved[declared.name] = value
    return resolved


# Words of a region's name that say what kind of subject it is, not which: left out of file
# names («Республика Татарстан» is ``tatarstan``).
REGION_WORDS = ("республика", "область", "край", "автономный округ", "автономная область",
                "народная")


def region_slug(name: str) -> str:
    words = name.split("—")[0].lower()
    for word in REGION_WORDS:
        words = words.replace(word, " ")
    return slug(words) or slug(name)


def file_name(identifier: str, filters: dict, extension: str) -> str:
    """The name of an export's file, saying what it holds: the exporter, then the filters
    given (kind, year, stage, host region of the competition, region, competency, category,
    award), in Latin letters (``registry.text.slug``); the date of the day when no filter
    narrows it: winners, kind «Профессионалы», 2025, regional stage, Tatarstan is
    ``winners-<kind slug>-2025-regional-tatarstan.xlsx``."""
    competition = filters.get("competition")
    kind = filters.get("kind") or getattr(competition, "kind", None)
    year = filters.get("year") or getattr(competition, "year", None)
    stage = filters.get("stage") or getattr(competition, "stage", None)
    host = getattr(competition, "host_region", None)
    region = filters.get("region")
    categories = filters.get("category") or []
    parts = [
        slug(kind.slug) if kind is not None else None,
        str(year) if year else None,
        slug(stage) if stage else None,
        region_slug(host.name) if host is not None and host != region else None,
        region_slug(region.name) if region is not None else None,
        slug(filters["competency"].name) if "competency" in filters else None,
        slug(categories[0].name) if categories else None,
        slug(filters["award"]) if "award" in filters else None,
    ]
    parts = [part for part in parts if part]
    if not parts:
        parts = [date.today().isoformat()]
    return f"{'-'.join([slug(identifier), *parts])}.{extension}"


def content_disposition(filename: str) -> str:
    """An attachment header with the name twice: ``filename`` in ASCII for old clients and
    ``filename*`` in UTF-8 (RFC 6266, RFC 5987), which clients that know it prefer."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_")
    fallback = fallback.replace("\\", "_").replace('"', "_")
    return (f'attachment; filename="{fallback}"; '
            f"filename*=UTF-8''{quote(filename, safe='')}")


@dataclass(frozen=True)
class Ref:
    """A model object reduced to its id, safe to use after its session is gone."""

    id: int


def _ids(value):
    if isinstance(value, list):
        return [_ids(v) for v in value]
    if hasattr(value, "__table__"):
        return Ref(value.id)
    return value


def clean(raw: dict) -> dict:
    """The filters that were given: stripped, without the empty ones."""
    raw = {k: (v.strip() if isinstance(v, str) else v) for k, v in raw.items()}
    return {k: v for k, v in raw.items() if v not in (None, "")}


def describe(raw: dict) -> dict:
    return {k: v for k, v in raw.items() if v not in (None, "")}


def _exporter(identifier: str, actor) -> Exporter:
    exporter = EXPORTERS.get(identifier)
    if exporter is None:
        raise ServiceError(_("Unknown export: %(name)s.", name=identifier))
    if actor is not None and not has_permission(actor, exporter.permission):
        raise ServiceError(_("Your role may not run this export."))
    return exporter


def run_table(identifier: str, raw_filters: dict, *, actor) -> tuple[Exporter, dict]:
    """An export as a table for the JSON API: the same checks, filters and audit entry as a
    file (``format`` "json"); ``(exporter, filters)`` for its ``columns()`` and ``rows()``."""
    exporter = _exporter(identifier, actor)
    filters = resolve_filters(exporter, raw_filters)
    record("export.run", object_type="export", user=actor,
           competition_id=filters["competition"].id if "competition" in filters else None,
           exporter=identifier, format="json", filters=describe(raw_filters))
    db.session.flush()
    return exporter, {name: _ids(value) for name, value in filters.items()}


def run_export(identifier: str, raw_filters: dict, fmt: str, *, actor, lang: str | None = None,
               delimiter: str = ";") -> ExportFile:
    exporter = _exporter(identifier, actor)
    if fmt not in exporter.formats:
        raise ServiceError(_("Unknown format: %(fmt)s.", fmt=fmt), "format")
    if delimiter not in DELIMITERS:
        raise ServiceError(_("The CSV delimiter must be ; or ,."), "delimiter")
    lang = lang or current_app.config["BABEL_DEFAULT_LOCALE"]
    if lang not in current_app.config["LANGUAGES"]:
        raise ServiceError(_("Unknown language: %(lang)s.", lang=lang), "lang")
    resolved = filters = resolve_filters(exporter, raw_filters)
    # The file is written after this function returns (it streams), in a session of its own:
    # keep only the ids of the filter objects, not the objects of this one.
    filters = {name: _ids(value) for name, value in filters.items()}
    record("export.run", object_type="export", user=actor,
           competition_id=filters["competition"].id if "competition" in filters else None,
           exporter=identifier, format=fmt, lang=lang, filters=describe(raw_filters))
    db.session.flush()  # the boundary (request or command) commits

    def chunks() -> Iterator[bytes]:
        with force_locale(lang):
            yield from render(exporter, filters, fmt, RenderOptions(delimiter=delimiter))

    output = OUTPUT_FORMATS[fmt]
    name = file_name(identifier, resolved, output.extension)
    return ExportFile(filename=name, mimetype=output.mimetype, chunks=chunks())
