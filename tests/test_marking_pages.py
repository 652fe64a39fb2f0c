"""The marking, standings and audit pages through the test client."""
from decimal import Decimal as D

from sqlalchemy import select

from registry.extensions import db
from registry.models import ExpertAssignment, Mark, Publication

from . import factories


def _setup(org=None):
    competition = factories.make_competition(status="marking")
    offered = factories.make_offered(competition)
    oc = offered.offered_competency
    criterion = factories.make_scheme(oc, {"A": [("Размер", "60", "measurement"),
                                                 ("Вид", "40", "judgement")]})[0]
    entries = [factories.register_entry(offered, organisation=org if i == 0 else None)
               for i in range(2)]
    return competition, offered, oc, criterion, entries


def _sheet_url(offered, criterion, suffix=""):
    return f"/marking/sheets/{offered.id}/{criterion.id}{suffix}"


def _form(entries, criterion, version, value="50", judges=("3", "3", "3")):
    m, j = criterion.aspects
    data = {"version": str(version), "save": "1"}
    for entry in entries:
        data[f"m-{entry.id}-{m.id}"] = value
        for k, score in enumerate(judges):
            data[f"j-{entry.id}-{j.id}-{k}"] = score
    return data


def test_assigned_expert_marks_others_are_refused(client, login):
    competition, offered, oc, criterion, entries = _setup()
    expert = login(client, "expert")
    assert client.get(_sheet_url(offered, criterion)).status_code == 404  # existence not revealed
    factories.make_assignment(oc, user=expert)
    page = client.get(_sheet_url(offered, criterion))
    assert page.status_code == 200 and f'name="m-{entries[0].id}-' in page.text
    response = client.post(_sheet_url(offered, criterion), data=_form(entries, criterion, 0))
    assert response.status_code == 302
    assert len(db.session.scalars(select(Mark)).all()) == 4
    # a stale version: 409 with the conflict message, nothing overwritten
    response = client.post(_sheet_url(offered, criterion),
                           data=_form(entries, criterion, 0, value="10"))
    assert response.status_code == 409
    assert {m.value for m in db.session.scalars(select(Mark))} == {D(50), D(40)}
    # a bad value: 422 and the typed value is shown again
    response = client.post(_sheet_url(offered, criterion),
                           data=_form(entries, criterion, 1, value="61"))
    assert response.status_code == 422 and 'value="61"' in response.text
    assert client.get(f"/marking/sheets/{offered.id}/{criterion.id}/history").status_code == 200
    assert client.get("/marking").status_code == 200


def test_sheet_shows_why_an_entry_cannot_be_marked(client, login):
    org = factories.make_organisation(name="ГАПОУ «Колледж наставника»")
    competition, offered, oc, criterion, entries = _setup(org)
    expert = login(client, "expert")
    factories.make_assignment(oc, user=expert, organisation=org)
    page = client.get(_sheet_url(offered, criterion)).text
    assert f'data-testid="conflict-{entries[0].id}"' in page
    assert "Колледж наставника" in page
    assert f'data-testid="conflict-{entries[1].id}"' not in page
    response = client.post(_sheet_url(offered, criterion), data=_form(entries, criterion, 0))
    assert response.status_code == 422
    assert db.session.scalar(select(Mark)) is None


def test_submit_confirm_unlock_through_pages(client, login, app):
    competition, offered, oc, criterion, entries = _setup()
    expert = factories.make_user(role="expert")
    factories.make_assignment(oc, user=expert)
    chief = login(client, "expert")
    factories.make_assignment(oc, user=chief, is_chief=True)
    other = app.test_client()
    other.post("/login", data={"email": expert.email, "password": factories.PASSWORD})
    assert other.post(_sheet_url(offered, criterion),
                      data=_form(entries, criterion, 0)).status_code == 302
    assert other.post(_sheet_url(offered, criterion, "/submit"),
                      data={"version": "1"}).status_code == 302
    # the expert cannot confirm; the chief can
    other.post(_sheet_url(offered, criterion, "/confirm"), data={"version": "2"})
    assert "confirm" not in [v.action for v in _sheet(offered).versions]
    client.post(_sheet_url(offered, criterion, "/confirm"), data={"version": "2"})
    assert _sheet(offered).locked
    client.post(_sheet_url(offered, criterion, "/unlock"), data={"version": "3", "reason": ""})
    assert _sheet(offered).locked
    client.post(_sheet_url(offered, criterion, "/unlock"),
                data={"version": "3", "reason": "Апелляция"})
    assert not _sheet(offered).locked


def _sheet(offered):
    from registry.models import ScoreSheet

    db.session.expire_all()
    return db.session.scalar(select(ScoreSheet).where(ScoreSheet.offered_category_id == offered.id))


def test_standings_provisional_then_published(client, login):
    competition, offered, oc, criterion, entries = _setup()
    login(client, "coordinator")
    page = client.get(f"/results/{competition.id}")
    assert page.status_code == 200 and 'data-testid="results-state"' in page.text
    assert 'data-testid="publish"' not in page.text
    assert client.post(f"/results/{competition.id}/publish").status_code == 403


def test_expert_sees_standings_only_of_assigned_competition(client, login, app):
    competition, offered, oc, criterion, entries = _setup()
    expert = login(client, "expert")
    assert client.get(f"/results/{competition.id}").status_code == 404  # existence not revealed
    factories.make_assignment(oc, user=expert, is_chief=True)
    assert client.get(f"/results/{competition.id}").status_code == 200
    marker = factories.make_user(role="expert")
    factories.make_assignment(oc, user=marker)
    other = app.test_client()
    other.post("/login", data={"email": marker.email, "password": factories.PASSWORD})
    assert other.post(_sheet_url(offered, criterion),
                      data=_form(entries, criterion, 0)).status_code == 302
    other.post(_sheet_url(offered, criterion, "/submit"), data={"version": "1"})
    client.post(_sheet_url(offered, criterion, "/confirm"), data={"version": "2"})
    assert _sheet(offered).locked
    # a chief expert publishes their competency, not the whole competition
    assert client.post(f"/results/{competition.id}/publish").status_code == 403
    assert db.session.scalar(select(Publication)) is None
    assert client.get(f"/results/{competition.id}/publish/confirm?competency={oc.id}"
                      ).status_code == 200
    assert client.post(f"/results/{competition.id}/publish",
                       data={"competency": str(oc.id)}).status_code == 302
    publication = db.session.scalar(select(Publication))
    assert publication.number == 1 and publication.offered_competency_id == oc.id


def test_organiser_assigns_experts_and_edits_scheme(client, login):
    competition = factories.make_competition()
    offered = factories.make_offered(competition)
    oc = offered.offered_competency
    login(client, "organiser")
    expert = factories.make_user(role="expert")
    response = client.post(f"/marking/competitions/{competition.id}/experts", data={
        "offered_competency": oc.id, "user": expert.id, "role": "chief",
        "organisation": "", "region": ""})
    assert response.status_code == 302
    assignment = db.session.scalar(select(ExpertAssignment))
    assert assignment.is_chief and assignment.user_id == expert.id
    response = client.post(f"/marking/competencies/{oc.id}/scheme",
                           data={"c-code": "a", "c-title": "Сборка", "c-add_criterion": "1"})
    assert response.status_code == 302
    from registry.models import Criterion

    crit = db.session.scalar(select(Criterion))
    response = client.post(f"/marking/competencies/{oc.id}/scheme", data={
        "a-criterion": crit.id, "a-title": "Точность", "a-max_marks": "100",
        "a-kind": "measurement", "a-add_aspect": "1"})
    assert response.status_code == 302
    page = client.get(f"/marking/competencies/{oc.id}/scheme")
    assert 'data-testid="scheme-total"' in page.text and "100,00" in page.text


def test_scheme_import_from_csv(client, login):
    competition = factories.make_competition()
    oc = factories.make_offered(competition).offered_competency
    login(client, "organiser")
    csv = ("Критерий;Название критерия;Аспект;Макс. балл;Тип\n"
           "A;Подготовка;Организация места;10,5;измеримая\n"
           "A;Подготовка;Эстетика;19.5;судейская\n"
           "B;Изделие;Размеры;70;И\n").encode("utf-8-sig")
    import io
    response = client.post(f"/marking/competencies/{oc.id}/scheme/import",
                           data={"file": (io.BytesIO(csv), "scheme.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    from registry.services import marking, results
    criteria = marking.scheme(oc.id)
    assert [c.code for c in criteria] == ["A", "B"]
    assert [a.kind for a in criteria[0].aspects] == ["measurement", "judgement"]
    assert results.scheme_total(oc.id) == D(100)


def test_audit_page_filters(app, client, login):
    competition, offered, oc, criterion, entries = _setup()
    from registry.services import marking
    chief = factories.make_assignment(oc, is_chief=True).user
    marking.save_marks(offered, criterion, {(entries[1].id, criterion.aspects[0].id): "5"}, 0,
                       actor=chief)
    login(client, "organiser")
    page = client.get(f"/audit?competition={competition.id}&action=mark.change")
    assert page.status_code == 200 and "mark.change" in page.text
    page = client.get("/audit?action=results.publish")
    assert page.status_code == 200 and "<code>mark.change</code>" not in page.text
    page = client.get("/audit?date_from=2999-01-01")
    assert "<code>" not in page.text
    assert client.get("/audit?date_from=notadate").status_code == 200
    other = app.test_client()
    login(other, "coordinator")
    assert other.get("/audit").status_code == 403


def test_a_refused_save_marks_the_wrong_cells_beside_their_message(client, login):
    competition, offered, oc, criterion, entries = _setup()
    expert = login(client, "expert")
    factories.make_assignment(oc, user=expert)
    m, j = criterion.aspects
    data = _form(entries, criterion, 0)
    data[f"m-{entries[1].id}-{m.id}"] = "61"
    data[f"j-{entries[0].id}-{j.id}-1"] = "5"
    response = client.post(_sheet_url(offered, criterion), data=data)
    assert response.status_code == 422
    page = response.text
    # each wrong cell carries its own message and its inputs are marked invalid …
    for entry, aspect in ((entries[1], m), (entries[0], j)):
        assert f'data-testid="problem-{entry.id}-{aspect.id}"' in page
    assert "0 to 60" in page.split(f'data-testid="problem-{entries[1].id}-{m.id}"')[1][:300] \
        or "0 до 60" in page.split(f'data-testid="problem-{entries[1].id}-{m.id}"')[1][:300]
    wrong = [f'name="m-{entries[1].id}-{m.id}"'] + [
        f'name="j-{entries[0].id}-{j.id}-{k}"' for k in range(3)]
    right = [f'name="m-{entries[0].id}-{m.id}"', f'name="j-{entries[1].id}-{j.id}-0"']
    tags = {name: next(t for t in page.split("<") if t.startswith("input") and name in t)
            for name in wrong + right}
    assert all("is-invalid" in tags[name] for name in wrong)
    assert not any("is-invalid" in tags[name] for name in right)
    # … and nothing was saved
    assert db.session.scalar(select(Mark)) is None


def test_every_input_of_the_sheet_has_a_label(client, login):
    competition, offered, oc, criterion, entries = _setup()
    expert = login(client, "expert")
    factories.make_assignment(oc, user=expert)
    page = client.get(_sheet_url(offered, criterion)).text
    inputs = [t for t in page.split("<") if t.startswith("input") and 'name="m-' in t
              or t.startswith("input") and 'name="j-' in t]
    assert len(inputs) == 2 * (1 + 3)
    for tag in inputs:
        input_id = tag.split('id="')[1].split('"')[0]
        assert f'for="{input_id}"' in page
    assert "Судья 1" in page and "Судья 3" in page and "каждый 0–3" in page
    assert 'src="/static/js/sheet.js"' in page


def test_history_names_actions_and_shows_what_changed(client, login):
    competition, offered, oc, criterion, entries = _setup()
    expert = login(client, "expert")
    factories.make_assignment(oc, user=expert)
    m, j = criterion.aspects
    client.post(_sheet_url(offered, criterion), data=_form(entries, criterion, 0))
    data = _form(entries, criterion, 1)
    data[f"m-{entries[0].id}-{m.id}"] = "55,5"
    data[f"j-{entries[1].id}-{j.id}-2"] = "0"
    assert client.post(_sheet_url(offered, criterion), data=data).status_code == 302
    page = client.get(_sheet_url(offered, criterion, "/history")).text
    first = page.split('data-testid="changes-1"')[1].split("</td>")[0]
    second = page.split('data-testid="changes-2"')[1].split("</td>")[0]
    assert first.count("<li>") == 4 and "— → 50,00" in first
    assert second.count("<li>") == 2
    assert "50,00 → 55,50" in second
    assert "40,00 (судьи 3, 3, 3) → 26,67 (судьи 3, 3, 0)" in second
    action = page.split('data-testid="action-2"')[1].split("</td>")[0]
    assert "оценки сохранены" in action and "save" not in action
    client.post("/language/en", data={"next": "/"})
    page = client.get(_sheet_url(offered, criterion, "/history")).text
    assert "marks saved" in page.split('data-testid="action-2"')[1].split("</td>")[0]
