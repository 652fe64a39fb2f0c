"""The published snapshots as the public pages read them: the content a publication stored
(``services.results``), parsed once and kept (a snapshot never changes once written), the
latest publication holding each category winning, and the rows the public sees of it; and
what a public page prepared from them, kept under the page's ETag (``prepared``)."""
from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime

from flask import current_app
from sqlalchemy import or_, select

from ..extensions import db
from ..models import Publication


class Kept:
    """A bounded store of values that never go stale because their key says everything they
    were made from (least recently used out first); shared by the threads of one process.
    Another instance keeps its own copy under the same key: nothing to invalidate, nothing
    that one instance can know and another not."""

    def __init__(self, size: int):
        self.size = size
        self._values: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, default=None):
        with self._lock:
            if key not in self._values:
                return default
            self._values.move_to_end(key)
            return self._values[key]

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def put(self, key, value) -> None:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)


# A publication's snapshot never changes once written (a correction is a new publication), so
# its parsed content may be kept, keyed by the row's id *and* time (an id reused after a
# restored or emptied database is another key): the JSON of a whole final is most of what its
# public page would otherwise spend.
SNAPSHOT_CACHE_SIZE = 16

# What a public page shows, prepared (rows, names, the chart), kept under the page's ETag
# (``public_results.*_validators``: the day, the release, the publications, the last change
# of a person shown, the language and the filters), so it is what the page would read again
# until one of them changes; a client holding that ETag is answered 304 for the same reason.
# Plain values only (never an ORM object, which would outlive its session).
PREPARED_CACHE_SIZE = 64


def _kept(name: str, size: int) -> Kept:
    """The application's store ``name`` (one per app: a test's app never sees another's)."""
    stores = current_app.extensions.setdefault("public_kept", {})
    store = stores.get(name)
    if store is None:
        store = stores.setdefault(name, Kept(size))  # another thread's, if it was first
    return store


def forget_prepared() -> None:
    """Empty this application's prepared pages (``make bench`` times the first visitor)."""
    _kept("prepared", PREPARED_CACHE_SIZE).clear()


def prepared(etag: str, build):
    """``build()``, or what it gave for this ETag before (in this process)."""
    store = _kept("prepared", PREPARED_CACHE_SIZE)
    missing = object()
    value = store.get(etag, missing)
    if value is missing:
        value = build()
        store.put(etag, value)
    return value


def contents(query) -> list[tuple[int, datetime, dict]]:
    """``[(competition_id, published_at, content)]`` of the publications ``query`` selects
    (``Publication.id``, ``competition_id``, ``published_at``): one query, and one more for
    the snapshots not kept yet."""
    rows = db.session.execute(query).all()
    kept = _kept("snapshots", SNAPSHOT_CACHE_SIZE)
    found: dict[tuple, dict] = {}
    missing = []
    for publication_id, _competition, published_at in rows:
        content = kept.get((publication_id, published_at))
        if content is None:
            missing.append(publication_id)
        else:
            found[(publication_id, published_at)] = content
    if missing:
        for publication_id, published_at, content in db.session.execute(
                select(Publication.id, Publication.published_at, Publication.snapshot)
                .where(Publication.id.in_(missing))):
            found[(publication_id, published_at)] = content or {}
            kept.put((publication_id, published_at), content or {})
    return [(competition, at, found[(pid, at)]) for pid, competition, at in rows]


def published(competition_id: int, offered_competency_id: int | None = None):
    """``({offered_category_id: (published_at, rows)}, {offered_competency_id: reason})`` from
    the competition's publications, the latest holding each category winning."""
    query = (select(Publication.id, Publication.competition_id, Publication.published_at)
             .where(Publication.competition_id == competition_id)
             .order_by(Publication.number))
    if offered_competency_id is not None:  # whole-competition ones hold it too
        query = query.where(or_(Publication.offered_competency_id.is_(None),
                                Publication.offered_competency_id == offered_competency_id))
    categories: dict[int, tuple[datetime, list]] = {}
    not_held: dict[int, str] = {}
    for _competition, published_at, content in contents(query):
        for key, rows in content.get("standings", {}).items():
            categories[int(key)] = (published_at, rows)
        for key, reason in content.get("not_held", {}).items():
            not_held[int(key)] = reason
    return categories, not_held


def shown(rows: list) -> list:
    """The snapshot rows the public sees: placed or awarded (not withdrawn, not unmarked)."""
    return [r for r in rows if r[2] is not None or r[3] is not None]


def published_rows(competition_ids) -> dict[int, dict[int, tuple]]:
    """``{offered_category_id: {entry_id: (place, award)}}`` of the shown rows of the latest
    publication of each category of these competitions."""
    if not competition_ids:
        return {}
    found: dict[int, dict[int, tuple]] = {}
    for _competition, _at, content in contents(
            select(Publication.id, Publication.competition_id, Publication.published_at)
            .where(Publication.competition_id.in_(competition_ids))
            .order_by(Publication.competition_id, Publication.number)):
        for key, rows in content.get("standings", {}).items():
            found[int(key)] = {r[0]: (r[2], r[3]) for r in shown(rows)}
    return found
