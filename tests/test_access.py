"""Object-level permissions (``registry.access``): every predicate for every role × (not
assigned, assigned, chief expert); the services refuse whom the predicates refuse; the views
answer 404 (existence hidden) or 403; no role is compared outside the access modules."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from registry import access
from registry.access import NotAllowed
from registry.extensions import db
from registry.models import ROLES, Aspect, Criterion, Publication
from registry.services import marking, results

from . import factories

RELATIONS = ("unassigned", "assigned", "deputy", "chief")
STAFF_MAY = {"can_manage_scheme", "can_view_results", "can_publish", "can_assign",
             "can_override_signoff", "can_publish_competency", "can_view_draft"}

# role → relation → the predicates that allow (on the competency, or its competition)
ALLOWED: dict[str, dict[str, set[str]]] = {
    "admin": {r: STAFF_MAY for r in RELATIONS},
    "organiser": {r: STAFF_MAY for r in RELATIONS},
    "coordinator": {r: {"can_view_results"} for r in RELATIONS},
    "expert": {
        "unassigned": set(),
        "assigned": {"can_mark", "can_view_results", "can_view_draft"},
        "deputy": {"can_mark", "can_confirm", "can_view_results", "can_view_draft"},
        # a chief expert publishes their competency, not the whole competition
        "chief": {"can_mark", "is_chief", "can_confirm", "can_manage_scheme",
                  "can_view_results", "can_publish_competency", "can_view_draft"},
    },
}
ON_COMPETENCY = ("can_mark", "is_chief", "can_confirm", "can_manage_scheme",
                 "can_override_signoff", "can_publish_competency")
ON_COMPETITION = ("can_view_results", "can_publish", "can_assign", "can_view_draft")


def _user(oc, role: str, relation: str):
    """A user of ``role``; for "assigned" / "deputy" / "chief" an assignment row exists (for
    another role than expert: an expert whose role was changed afterwards keeps the row)."""
    user = factories.make_user(role="expert" if relation != "unassigned" else role)
    if relation != "unassigned":
        factories.make_assignment(
            oc, user=user, role={"assigned": "expert"}.get(relation, relation))
        user.role = role
        db.session.commit()
    return user


@pytest.fixture
def place(app):
    competition = factories.make_competition(status="marking")
    offered = factories.make_offered(competition)
    oc = offered.offered_competency
    factories.make_scheme(oc)
    # another competency of the competition, with its own chief expert
    other = factories.make_offered(competition, "Поварское дело").offered_competency
    other_chief = factories.make_assignment(other, is_chief=True).user
    return type("P", (), dict(competition=competition, offered=offered, oc=oc, other=other,
                              other_chief=other_chief))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("relation", RELATIONS)
def test_predicates_for_every_role_and_relation(place, role, relation):
    user = _user(place.oc, role, relation)
    answers = {name: getattr(access, name)(user, place.oc.id) for name in ON_COMPETENCY}
    answers |= {name: getattr(access, name)(user, place.competition.id)
                for name in ON_COMPETITION}
    expected = {name: name in ALLOWED[role][relation] for name in answers}
    assert answers == expected
    assert access.is_assigned_to_competition(user, place.competition.id) == (
        role == "expert" and relation != "unassigned")
    assert (access.assignment_of(user, place.oc.id) is not None) == (
        role == "expert" and relation != "unassigned")


def test_predicates_refuse_anonymous_and_none(place):
    from flask_login import AnonymousUserMixin

    for user in (None, AnonymousUserMixin()):
        for name in ON_COMPETENCY:
            assert not getattr(access, name)(user, place.oc.id)
        for name in ON_COMPETITION:
            assert not getattr(access, name)(user, place.competition.id)


def test_refusal_hides_existence_only_from_the_unassigned(place):
    unassigned = _user(place.oc, "expert", "unassigned")
    assigned = _user(place.oc, "expert", "assigned")
    with pytest.raises(NotAllowed) as refused:
        access.check(access.can_manage_scheme, unassigned, place.oc.id)
    assert refused.value.hidden and refused.value.status == 404
    with pytest.raises(NotAllowed) as refused:
        access.check(access.can_manage_scheme, assigned, place.oc.id)
    assert not refused.value.hidden and refused.value.status == 403
    with pytest.raises(NotAllowed) as refused:
        access.check(access.can_publish, assigned, place.competition.id)
    assert refused.value.status == 403
    with pytest.raises(NotAllowed) as refused:
        access.check(access.can_publish, unassigned, place.competition.id)
    assert refused.value.status == 404
    with pytest.raises(NotAllowed) as refused:
        access.check(access.can_publish_competency, assigned, place.oc.id)
    assert refused.value.status == 403
    with pytest.raises(NotAllowed) as refused:
        access.check(access.can_publish_competency, unassigned, place.oc.id)
    assert refused.value.status == 404
    access.enforce(access.can_manage_scheme, None, place.oc.id)  # the system may


# --- services refuse ---------------------------------------------------------------------------

def _scheme_size(oc) -> tuple[int, int]:
    criteria = db.session.scalar(select(func.count(Criterion.id))
                                 .where(Criterion.offered_competency_id == oc.id))
    aspects = db.session.scalar(select(func.count(Aspect.id)).join(Criterion)
                                .where(Criterion.offered_competency_id == oc.id))
    return criteria, aspects


def _scheme_operations(oc):
    criterion = marking.scheme(oc.id)[0]
    rows = [marking.SchemeRow(2, "Z", "Новый", "Точность", "10", "измеримая")]
    return {
        "add_criterion": lambda actor: marking.add_criterion(oc, "Z", "Новый", actor=actor),
        "add_aspect": lambda actor: marking.add_aspect(criterion, "Новый", "5", "measurement",
                                                       actor=actor),
        "delete_criterion": lambda actor: marking.delete_criterion(criterion, actor=actor),
        "delete_aspect": lambda actor: marking.delete_aspect(criterion.aspects[0], actor=actor),
        "import_scheme": lambda actor: marking.import_scheme(oc, rows, actor=actor),
    }


@pytest.mark.parametrize("operation", ["add_criterion", "add_aspect", "delete_criterion",
                                       "delete_aspect", "import_scheme"])
@pytest.mark.parametrize("role,relation", [("expert", "assigned"), ("expert", "deputy"),
                                           ("expert", "unassigned"),
                                           ("coordinator", "unassigned"),
                                           ("coordinator", "chief")])
def test_scheme_operations_refuse_all_but_organisers_and_the_chief(place, operation, role,
                                                                    relation):
    user = _user(place.oc, role, relation)
    before = _scheme_size(place.oc)
    with pytest.raises(NotAllowed):
        _scheme_operations(place.oc)[operation](user)
    assert _scheme_size(place.oc) == before


@pytest.mark.parametrize("operation", ["add_criterion", "add_aspect", "delete_criterion",
                                       "delete_aspect"])
@pytest.mark.parametrize("role,relation", [("expert", "chief"), ("organiser", "unassigned"),
                                           ("admin", "unassigned")])
def test_scheme_operations_by_organisers_and_the_chief(place, operation, role, relation):
    user = _user(place.oc, role, relation)
    before = _scheme_size(place.oc)
    _scheme_operations(place.oc)[operation](user)
    assert _scheme_size(place.oc) != before


def test_the_chief_imports_a_scheme(app):
    oc = factories.make_offered(factories.make_competition()).offered_competency
    chief = factories.make_assignment(oc, is_chief=True).user
    rows = [marking.SchemeRow(2, "A", "Подготовка", "Точность", "10", "измеримая")]
    assert marking.import_scheme(oc, rows, actor=chief) == (1, 1)


def test_assignments_and_publication_refuse_others(place):
    expert = _user(place.oc, "expert", "assigned")
    coordinator = factories.make_user(role="coordinator")
    with pytest.raises(NotAllowed):
        marking.assign_expert(place.oc, factories.make_user(role="expert"), actor=coordinator)
    with pytest.raises(NotAllowed):
        marking.remove_assignment(access.assignment_of(expert, place.oc.id), actor=expert)
    chief = _user(place.oc, "expert", "chief")
    other_chief = place.other_chief
    for actor in (expert, coordinator, chief):  # the whole competition: organisers only
        with pytest.raises(NotAllowed):
            results.publish(place.competition, actor=actor)
    for actor in (expert, coordinator, other_chief):  # a competency: its chief expert too
        with pytest.raises(NotAllowed):
            results.publish(place.competition, place.oc, actor=actor)
    assert db.session.scalar(select(Publication)) is None


def test_sheet_transitions_name_who_may(place):
    table = marking.TRANSITIONS
    assert set(table) == {"save", "submit", "confirm", "override", "unlock"}
    assert table["save"].who is access.can_mark and table["submit"].who is access.can_mark
    assert table["confirm"].who is access.can_confirm and table["unlock"].who is access.is_chief
    assert table["override"].who is access.can_override_signoff
    assert table["confirm"].locked is True and table["unlock"].locked is False
    assert table["override"].locked is True
    assert [table[a].target for a in ("save", "submit", "confirm", "override", "unlock")] == [
        "draft", "submitted", "confirmed", "confirmed", "draft"]


# --- views answer 404 or 403 -------------------------------------------------------------------

def _scheme_posts(oc, criterion):
    csv = ("Критерий;Название критерия;Аспект;Макс. балл;Тип\n"
           "Z;Новый;Точность;10;измеримая\n").encode("utf-8-sig")
    return [
        (f"/marking/competencies/{oc.id}/scheme",
         {"c-code": "Z", "c-title": "Новый", "c-add_criterion": "1"}),
        (f"/marking/competencies/{oc.id}/scheme",
         {"a-criterion": criterion.id, "a-title": "Новый", "a-max_marks": "5",
          "a-kind": "measurement", "a-add_aspect": "1"}),
        (f"/marking/competencies/{oc.id}/scheme/import",
         {"file": (io.BytesIO(csv), "scheme.csv")}),
        (f"/marking/aspects/{criterion.aspects[0].id}/delete", {}),
        (f"/marking/criteria/{criterion.id}/delete", {}),
    ]


@pytest.mark.parametrize("relation,status", [("assigned", 403), ("unassigned", 404)])
def test_scheme_pages_refuse_an_expert_who_is_not_chief(client, login, relation, status):
    oc = factories.make_offered(factories.make_competition()).offered_competency
    criterion = factories.make_scheme(oc)[0]
    expert = login(client, "expert")
    if relation == "assigned":
        factories.make_assignment(oc, user=expert)
    before = _scheme_size(oc)
    assert client.get(f"/marking/competencies/{oc.id}/scheme").status_code == status
    for url, data in _scheme_posts(oc, criterion):
        response = client.post(url, data=data, content_type="multipart/form-data")
        assert response.status_code == status, url
    db.session.expire_all()
    assert _scheme_size(oc) == before


def test_scheme_pages_admit_the_chief(client, login):
    oc = factories.make_offered(factories.make_competition()).offered_competency
    criterion = factories.make_scheme(oc)[0]
    chief = login(client, "expert")
    factories.make_assignment(oc, user=chief, is_chief=True)
    assert client.get(f"/marking/competencies/{oc.id}/scheme").status_code == 200
    sizes = [_scheme_size(oc)]
    posts = _scheme_posts(oc, criterion)
    for url, data in posts[:2] + posts[3:]:  # the import: once the scheme is empty (above)
        response = client.post(url, data=data, content_type="multipart/form-data")
        assert response.status_code == 302, url
        db.session.expire_all()
        sizes.append(_scheme_size(oc))
    assert all(a != b for a, b in zip(sizes, sizes[1:], strict=False)), sizes  # every post changed it


def test_publish_page_403_for_an_assigned_expert_404_for_others(client, login):
    competition = factories.make_competition(status="marking")
    oc = factories.make_offered(competition).offered_competency
    expert = login(client, "expert")
    assert client.post(f"/results/{competition.id}/publish").status_code == 404
    factories.make_assignment(oc, user=expert)
    assert client.get(f"/results/{competition.id}").status_code == 200
    assert client.post(f"/results/{competition.id}/publish").status_code == 403
    assert db.session.scalar(select(Publication)) is None


# --- no role comparisons outside the access modules --------------------------------------------

ROOT = Path(__file__).resolve().parent.parent / "registry"
ROLE_CHECK = re.compile(r"role\s*[!=]=|[!=]=\s*\w*\.?role\b|\.role\s+(not\s+)?in\b"
                        r"|\b(ADMIN|ORGANISER|EXPERT|COORDINATOR)\b")


def test_views_and_services_compare_no_roles():
    files = sorted(ROOT.glob("*/routes.py")) + sorted((ROOT / "services").rglob("*.py"))
    found = []
    for path in files:
        if path == ROOT / "services" / "users.py":
            continue  # accounts: checks a role is known, creates the first administrator
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ROLE_CHECK.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)
