"""Marking schemes: criteria and their aspects, added one by one or imported from a file, and
frozen once the first score sheet of the competency exists. Only those ``access``
allows to manage the scheme change it (organisers, the chief expert)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from ... import access
from ...extensions import db
from ...i18n import gettext as _
from ...models import ASPECT_KINDS, Aspect, Criterion, OfferedCompetency
from ...text import squashed
from .. import ServiceError
from ..audit import record
from .marks import CENT, MAX_ASPECT_MARKS, parse_decimal
from .queries import scheme, scheme_frozen


# What each operation changes, for ``access.guarded``: the id of the offered competency.
def _competency(offered_competency: OfferedCompetency, *args, **kwargs) -> int:
    return offered_competency.id


def _competency_of_criterion(criterion: Criterion, *args, **kwargs) -> int:
    return criterion.offered_competency_id


def _competency_of_aspect(aspect: Aspect, *args, **kwargs) -> int:
    return aspect.criterion.offered_competency_id


def _check_not_frozen(offered_competency_id: int) -> None:
    if scheme_frozen(offered_competency_id):
        raise ServiceError(_("Marking has started: the marking scheme is frozen."))


def _validate_aspect(title: str | None, max_marks, kind: str) -> tuple[str, Decimal]:
    title = squashed(title)
    if not title:
        raise ServiceError(_("The aspect needs a title."), field="title")
    try:
        value = parse_decimal(max_marks)
    except ValueError:
        value = None
    if value is None or value <= 0 or value > MAX_ASPECT_MARKS or value != value.quantize(CENT):
        raise ServiceError(_("Maximum marks must be a number above 0 and at most 100, in "
                             "steps of 0.01."), field="max_marks")
    if kind not in ASPECT_KINDS:
        raise ServiceError(_("Unknown aspect type."), field="kind")
    return title, value


@access.guarded(access.can_manage_scheme, _competency)
def add_criterion(offered_competency: OfferedCompetency, code: str, title: str, *,
                  actor=None) -> Criterion:
    _check_not_frozen(offered_competency.id)
    code, title = squashed(code), squashed(title)
    if not code or len(code) > 10:
        raise ServiceError(_("The criterion needs a code of at most 10 characters."),
                           field="code")
    if not title:
        raise ServiceError(_("The criterion needs a title."), field="title")
    code = code.upper()
    if db.session.scalar(select(Criterion.id).where(
            Criterion.offered_competency_id == offered_competency.id, Criterion.code == code)):
        raise ServiceError(_("Criterion %(code)s already exists.", code=code), field="code")
    position = db.session.scalar(select(func.count(Criterion.id)).where(
        Criterion.offered_competency_id == offered_competency.id))
    criterion = Criterion(offered_competency=offered_competency, code=code, title=title,
                          position=position)
    db.session.add(criterion)
    db.session.flush()
    record("scheme.criterion_add", criterion, user=actor,
           competition_id=offered_competency.competition_id, code=code, title=title)
    return criterion


@access.guarded(access.can_manage_scheme, _competency_of_criterion)
def add_aspect(criterion: Criterion, title: str, max_marks, kind: str, *, actor=None) -> Aspect:
    _check_not_frozen(criterion.offered_competency_id)
    title, value = _validate_aspect(title, max_marks, kind)
    aspect = Aspect(criterion=criterion, title=title, max_marks=value, kind=kind,
                    position=len(criterion.aspects))
    db.session.add(aspect)
    db.session.flush()
    record("scheme.aspect_add", aspect, user=actor,
           competition_id=criterion.offered_competency.competition_id,
           criterion=criterion.code, title=title, max_marks=str(value), kind=kind)
    return aspect


@access.guarded(access.can_manage_scheme, _competency_of_criterion)
def delete_criterion(criterion: Criterion, *, actor=None) -> None:
    _check_not_frozen(criterion.offered_competency_id)
    record("scheme.criterion_delete", criterion, user=actor,
           competition_id=criterion.offered_competency.competition_id, code=criterion.code)
    db.session.delete(criterion)
    db.session.flush()


@access.guarded(access.can_manage_scheme, _competency_of_aspect)
def delete_aspect(aspect: Aspect, *, actor=None) -> None:
    criterion = aspect.criterion
    _check_not_frozen(criterion.offered_competency_id)
    record("scheme.aspect_delete", aspect, user=actor,
           competition_id=criterion.offered_competency.competition_id,
           criterion=criterion.code, title=aspect.title)
    criterion.aspects.remove(aspect)
    db.session.delete(aspect)
    db.session.flush()


KIND_WORDS = {
    "measurement": "measurement", "m": "measurement", "и": "measurement",
    "измеримая": "measurement", "измеримый": "measurement", "измеримое": "measurement",
    "объективная": "measurement", "объективный": "measurement", "о": "measurement",
    "judgement": "judgement", "judgment": "judgement", "j": "judgement", "с": "judgement",
    "судейская": "judgement", "судейский": "judgement", "судейское": "judgement",
}


@dataclass
class SchemeRow:
    number: int
    code: str
    criterion_title: str
    aspect_title: str
    max_marks: str
    kind: str


@access.guarded(access.can_manage_scheme, _competency)
def import_scheme(offered_competency: OfferedCompetency, rows: list[SchemeRow], *,
                  actor=None) -> tuple[int, int]:
    """Add the criteria and aspects of ``rows``; all or nothing, errors by row number."""
    _check_not_frozen(offered_competency.id)
    if scheme(offered_competency.id):
        raise ServiceError(_("The scheme already has criteria; delete them before importing."))
    errors, criteria, n_aspects = [], {}, 0
    for row in rows:
        code = (squashed(row.code) or "").upper()
        kind = KIND_WORDS.get((squashed(row.kind) or "").casefold())
        try:
            title, value = _validate_aspect(row.aspect_title, row.max_marks,
                                            kind or "measurement")
        except ServiceError as error:
            errors.append(_("row %(n)d: %(error)s", n=row.number, error=error.message))
            continue
        if not code or len(code) > 10:
            errors.append(_("row %(n)d: %(error)s", n=row.number,
                            error=_("The criterion needs a code of at most 10 characters.")))
            continue
        if kind is None:
            errors.append(_("row %(n)d: %(error)s", n=row.number,
                            error=_("Unknown aspect type.")))
            continue
        if code not in criteria:
            ctitle = squashed(row.criterion_title) or code
            criteria[code] = (ctitle, [])
        criteria[code][1].append((title, value, kind))
    if errors:
        raise ServiceError("; ".join(errors))
    if not criteria:
        raise ServiceError(_("The file has no aspects."))
    for position, (code, (ctitle, aspects)) in enumerate(criteria.items()):
        criterion = Criterion(offered_competency=offered_competency, code=code, title=ctitle,
                              position=position)
        db.session.add(criterion)
        for apos, (title, value, kind) in enumerate(aspects):
            criterion.aspects.append(Aspect(title=title, max_marks=value, kind=kind,
                                            position=apos))
            n_aspects += 1
    db.session.flush()
    record("scheme.import", offered_competency, user=actor,
           competition_id=offered_competency.competition_id, criteria=len(criteria),
           aspects=n_aspects)
    db.session.flush()
    return len(criteria), n_aspects
