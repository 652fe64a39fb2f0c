"""Running an export: resolve the filters, record who exported what, render in a language.

Exports carry personal data, so every run is in the audit log (who, which exporter, which
filters) before the first byte is sent.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..fields import parse_id
from ..models import AWARD_KINDS, STAGES, Category, Competency, Competition, CompetitionKind, name_key
from ..security import has_permission
from ..services import ServiceError
from ..services.audit import record
from .base import EXPORTERS
from .render import FORMATS, mimetype, render

DELIMITERS = {";": ";", ",": ","}


@dataclass
class ExportFile:
    filename: str
    mimetype: str
    chunks: Iterator[bytes]


def resolve_filters(raw: dict[str, str | None]) -> dict:
    """Turn filter values as typed (form or CLI) into model objects and numbers.

    Unknown or unmatched values are errors, never silently ignored: an export filtered by a
    misspelt region must not quietly become an export of every region."""
    from ..services.regions import match_region

    raw = {k: (v.strip() if isinstance(v, str) else v) for k, v in raw.items() if v not in (None, "")}
    resolved: dict = {}
    if "kind" in raw:
        kind = next((k for k in db.session.scalars(select(CompetitionKind))
                     if name_key(raw["kind"]) in (name_key(k.slug), name_key(k.short_name))), None)
        if kind is None:
            raise ServiceError(_("Unknown competition kind: %(value)s.", value=raw["kind"]), "kind")
        resolved["kind"] = kind
    if "year" in raw:
        try:
            resolved["year"] = int(raw["year"])
        except ValueError:
            raise ServiceError(_("The year must be a number."), "year") from None
        if not 1 <= resolved["year"] <= 9999:
            raise ServiceError(_("The year must be a number."), "year")
    if "stage" in raw:
        if raw["stage"] not in STAGES:
            raise ServiceError(_("Unknown stage: %(value)s.", value=raw["stage"]), "stage")
        resolved["stage"] = raw["stage"]
    if "competition" in raw:
        competition_id = parse_id(raw["competition"])
        competition = db.session.get(Competition, competition_id) if competition_id else None
        if competition is None:
            raise ServiceError(_("No competition with id %(value)s.", value=raw["competition"]),
                               "competition")
        resolved["competition"] = competition
    if "region" in raw:
        region = match_region(raw["region"])
        if region is None:
            raise ServiceError(_("Unknown region: %(value)s.", value=raw["region"]), "region")
        resolved["region"] = region
    if "competency" in raw:
        key = name_key(raw["competency"])
        competency = next((c for c in db.session.scalars(select(Competency))
                           if key in (name_key(c.name), name_key(c.code or "") or None)), None)
        if competency is None:
            raise ServiceError(_("Unknown competency: %(value)s.", value=raw["competency"]),
                               "competency")
        resolved["competency"] = competency
    if "category" in raw:
        key = name_key(raw["category"])
        categories = [c for c in db.session.scalars(select(Category)) if name_key(c.name) == key]
        if not categories:
            raise ServiceError(_("Unknown category: %(value)s.", value=raw["category"]), "category")
        resolved["category"] = categories
    if "award" in raw:
        from ..services.awards import AWARD_WORDS

        kind = AWARD_WORDS.get(name_key(raw["award"]), raw["award"])
        if kind not in AWARD_KINDS:
            raise ServiceError(_("Unknown award: %(value)s.", value=raw["award"]), "award")
        resolved["award"] = kind
    return resolved


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


def describe(raw: dict) -> dict:
    return {k: v for k, v in raw.items() if v not in (None, "")}


def run_export(identifier: str, raw_filters: dict, fmt: str, *, actor, lang: str | None = None,
               delimiter: str = ";") -> ExportFile:
    exporter = EXPORTERS.get(identifier)
    if exporter is None:
        raise ServiceError(_("Unknown export: %(name)s.", name=identifier))
    if actor is not None and not has_permission(actor, exporter.permission):
        raise ServiceError(_("Your role may not run this export."))
    if fmt not in FORMATS:
        raise ServiceError(_("Unknown format: %(fmt)s.", fmt=fmt), "format")
    if delimiter not in DELIMITERS:
        raise ServiceError(_("The CSV delimiter must be ; or ,."), "delimiter")
    lang = lang or current_app.config["BABEL_DEFAULT_LOCALE"]
    if lang not in current_app.config["LANGUAGES"]:
        raise ServiceError(_("Unknown language: %(lang)s.", lang=lang), "lang")
    allowed = {k: v for k, v in raw_filters.items() if k in exporter.filters}
    filters = resolve_filters(allowed)
    # The file is written after this function returns (it streams), in a session of its own:
    # keep only the ids of the filter objects, not the objects of this one.
    filters = {name: _ids(value) for name, value in filters.items()}
    record("export.run", object_type="export", user=actor,
           competition_id=filters["competition"].id if "competition" in filters else None,
           exporter=identifier, format=fmt, lang=lang, filters=describe(allowed))
    db.session.flush()  # the boundary (request or command) commits

    def chunks() -> Iterator[bytes]:
        with force_locale(lang):
            yield from render(exporter, filters, fmt, delimiter=delimiter)

    filename = f"{identifier}-{date.today().isoformat()}.{fmt}"
    return ExportFile(filename=filename, mimetype=mimetype(fmt), chunks=chunks())
