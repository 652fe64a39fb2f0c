"""What publications hold, read back: a competition's publications and its latest, each
category as the latest publication holding it published it (from the snapshots of one
competition, or by index from the rows each publication keeps per category,
``PublishedCategory``), what a publication decided of a category beyond its rows, and the
competencies declared not held. ``results.publish`` writes them."""
from __future__ import annotations

from sqlalchemy import bindparam, select

from ..extensions import db
from ..models import CompetencyNotHeld, OfferedCompetency, Publication, PublishedCategory
from ..queries import prepared


def latest_publication(competition_id: int) -> Publication | None:
    return db.session.scalar(
        select(Publication).where(Publication.competition_id == competition_id)
        .order_by(Publication.number.desc()).limit(1)
    )


def publications(competition_id: int) -> list[Publication]:
    """The publications of a competition, first to latest."""
    return list(db.session.scalars(_publications(), {"competition_id": competition_id}))


@prepared
def _publications():
    return (select(Publication).where(Publication.competition_id == bindparam("competition_id"))
            .order_by(Publication.number))


def published_categories(competition_id: int, found: list[Publication] | None = None
                         ) -> dict[int, tuple[Publication, list]]:
    """``{offered_category_id: (publication, snapshot rows)}``: each category as the latest
    publication holding it published it (one query over the competition's publications)."""
    published: dict[int, tuple[Publication, list]] = {}
    for publication in (found if found is not None else publications(competition_id)):
        for key, rows in (publication.snapshot or {}).get("standings", {}).items():
            published[int(key)] = (publication, rows)
    return published


def published_details(publication: Publication, offered_category_id: int) -> dict:
    """What ``publication`` decided of a category beyond its rows (``category_details``)."""
    return ((publication.snapshot or {}).get("details") or {}).get(str(offered_category_id), {})


def not_held(competition_id: int) -> dict[int, CompetencyNotHeld]:
    """``{offered_competency_id: declaration}`` of the competition's competencies not held."""
    return {d.offered_competency_id: d for d in db.session.scalars(
        select(CompetencyNotHeld)
        .join(OfferedCompetency, OfferedCompetency.id == CompetencyNotHeld.offered_competency_id)
        .where(OfferedCompetency.competition_id == competition_id))}


def category_rows(publication_id: int, content: dict) -> list[dict]:
    """The ``PublishedCategory`` rows of a publication whose content is ``content`` (as
    ``publication_content`` makes it): one per category of its standings."""
    return [{"publication_id": publication_id, "offered_category_id": int(key), "rows": rows}
            for key, rows in content.get("standings", {}).items()]


def latest_published_rows(*where, joins=()) -> dict[int, list]:
    """``{offered_category_id: rows}`` of the categories chosen by ``where`` (conditions on
    ``PublishedCategory``, ``Publication`` and the models ``joins`` adds), each as the latest
    publication holding it published it: one query, by index (``PublishedCategory``)."""
    query = _published_rows()
    for target, on in joins:
        query = query.join(target, on)
    return _latest(db.session.execute(query.where(*where).order_by(*_PUBLICATION_ORDER)))


def latest_rows_of_categories(offered_category_ids) -> dict[int, list]:
    """``latest_published_rows`` of these offered categories (the person page's): the same
    query, built once."""
    return _latest(db.session.execute(_of_categories(), {"ids": list(offered_category_ids)}))


_PUBLICATION_ORDER = (Publication.competition_id, Publication.number)


def _published_rows():
    return (select(PublishedCategory.offered_category_id, PublishedCategory.rows)
            .join(Publication, Publication.id == PublishedCategory.publication_id))


@prepared
def _of_categories():
    return (_published_rows()
            .where(PublishedCategory.offered_category_id.in_(bindparam("ids", expanding=True)))
            .order_by(*_PUBLICATION_ORDER))


def _latest(found) -> dict[int, list]:
    latest: dict[int, list] = {}
    for category_id, rows in found:
        latest[category_id] = rows  # a later publication holding the category replaces it
    return latest
