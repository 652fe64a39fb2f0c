"""The published snapshots as the public pages read them: the content a publication stored
(``services.results``), parsed once and kept (a snapshot never changes once written), the
latest publication holding each category winning, and the rows the public sees of it."""
from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime

from sqlalchemy import or_, select

from ..extensions import db
from ..models import Publication

# A publication's snapshot never changes once written (a correction is a new publication), so
# its parsed content may be kept, keyed by the row's id *and* time (an id reused after a
# restored or emptied database is another key): the JSON of a whole final is most of what its
# public page would otherwise spend. Bounded; shared by the threads of one process.
SNAPSHOT_CACHE_SIZE = 16
_snapshots: OrderedDict[tuple, dict] = OrderedDict()
_snapshots_lock = threading.Lock()


def contents(query) -> list[tuple[int, datetime, dict]]:
    """``[(competition_id, published_at, content)]`` of the publications ``query`` selects
    (``Publication.id``, ``competition_id``, ``published_at``): one query, and one more for
    the snapshots not kept yet."""
    rows = db.session.execute(query).all()
    found: dict[tuple, dict] = {}
    with _snapshots_lock:
        for publication_id, _competition, published_at in rows:
            key = (publication_id, published_at)
            if key in _snapshots:
                _snapshots.move_to_end(key)
                found[key] = _snapshots[key]
    missing = [r[0] for r in rows if (r[0], r[2]) not in found]
    if missing:
        for publication_id, published_at, content in db.session.execute(
                select(Publication.id, Publication.published_at, Publication.snapshot)
                .where(Publication.id.in_(missing))):
            found[(publication_id, published_at)] = content or {}
        with _snapshots_lock:
            for key in ((m, at) for m, _c, at in rows if m in set(missing)):
                _snapshots[key] = found[key]
                _snapshots.move_to_end(key)
            while len(_snapshots) > SNAPSHOT_CACHE_SIZE:
                _snapshots.popitem(last=False)
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
