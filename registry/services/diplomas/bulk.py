"""Diplomas in bulk: every diploma of a competition as one PDF with a page each, or as a ZIP
of one PDF per diploma named by the person's surname.

``generate_bulk(competition, fmt, progress=None)`` is a plain function (no request), so that
a background job can run it; ``progress(done, total)`` is called as pages are drawn.

The ZIP is cut from the one PDF (pypdf): fpdf2 parses and subsets the font anew for every
document, about 0.1 s each, while cutting a drawn page out costs a few milliseconds.
"""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, has_request_context, request

from ...models import Competition, Diploma
from ...text import slug
from .issue import Subject, competition_subjects, issue
from .render import Sheet
from .templates import templates

FORMATS = ("pdf", "zip")
VERIFY_PATH = "/verify/"
DEFAULT_BASE = "http://127.0.0.1:5000"


def public_base() -> str:
    """The address the registry is reached at: ``REGISTRY_PUBLIC_URL`` when set (CLI and
    background jobs need it), else the address of the current request."""
    configured = current_app.config.get("REGISTRY_PUBLIC_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return DEFAULT_BASE


def verify_url(code: str, base: str | None = None) -> str:
    return f"{base or public_base()}{VERIFY_PATH}{code}"


@dataclass
class Bundle:
    data: bytes
    count: int
    filename: str
    mimetype: str


def render(diplomas: list[Diploma], progress: Callable[[int, int], None] | None = None,
           *, base: str | None = None) -> bytes:
    """One PDF, a page per diploma."""
    base = base or public_base()
    wordings = templates()
    sheet = Sheet()
    total = len(diplomas)
    for number, diploma in enumerate(diplomas, 1):
        sheet.add(diploma, wordings[diploma.kind], verify_url(diploma.code, base))
        if progress is not None and (number % 25 == 0 or number == total):
            progress(number, total)
    return sheet.output()


_UNSAFE = re.compile(r"[^\w-]+")


def file_stem(diploma: Diploma) -> str:
    """A file name for a diploma: the surname and initials as written where they are
    letters (Cyrillic kept), else transliterated; and the kind."""
    name = unicodedata.normalize("NFC", diploma.name_printed)
    stem = "_".join(w for w in _UNSAFE.sub(" ", name).split())[:60]
    if not stem or not stem.replace("_", "").isalnum():
        stem = slug(name) or "diploma"
    return f"{stem}_{diploma.kind}"


def split_pages(pdf: bytes) -> list[bytes]:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(pdf))
    pages = []
    for page in reader.pages:
        writer = PdfWriter()
        writer.add_page(page)
        out = io.BytesIO()
        writer.write(out)
        pages.append(out.getvalue())
    return pages


def zip_of(diplomas: list[Diploma], pdf: bytes) -> bytes:
    out = io.BytesIO()
    used: dict[str, int] = {}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for diploma, page in zip(diplomas, split_pages(pdf), strict=True):
            stem = file_stem(diploma)
            used[stem] = used.get(stem, 0) + 1
            name = stem if used[stem] == 1 else f"{stem}_{used[stem]}"
            archive.writestr(f"{name}.pdf", page)
    return out.getvalue()


def bundle(diplomas: list[Diploma], fmt: str, stem: str,
           progress: Callable[[int, int], None] | None = None) -> Bundle:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    pdf = render(diplomas, progress)
    if fmt == "zip":
        return Bundle(zip_of(diplomas, pdf), len(diplomas), f"{stem}.zip", "application/zip")
    return Bundle(pdf, len(diplomas), f"{stem}.pdf", "application/pdf")


def generate_bulk(competition: Competition, fmt: str,
                  progress: Callable[[int, int], None] | None = None, *,
                  participation: bool = False, actor=None) -> Bundle:
    """Every diploma of ``competition`` (awards; with ``participation`` the certificates of
    every entry too), issued where not yet, drawn as ``fmt`` (``pdf`` or ``zip``)."""
    subjects: list[Subject] = competition_subjects(competition, participation=participation)
    diplomas = issue(subjects, actor=actor)
    return bundle(diplomas, fmt, bulk_stem(competition), progress)


def bulk_stem(competition: Competition) -> str:
    """The file name (without its extension) of a competition's diplomas."""
    return f"diplomas-{slug(competition.title) or competition.id}"
