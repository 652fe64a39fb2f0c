"""The audit log opens whatever its entries' details are: every action string the code can
write (found by reading the code, not a hand list) with realistic and odd details, shown
filtered and unfiltered, to an administrator and an organiser."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

import registry
from registry.audit.format import action_label, detail_items
from registry.extensions import db
from registry.services.audit import record

from . import factories

SOURCE = Path(registry.__file__).parent


def written_actions() -> set[str]:
    """Every action ``services.audit.record`` can be called with, read from ``registry/``:
    literal ``record("…")``; ``record(action, …)`` with the literals assigned to ``action``;
    ``record(f"prefix.{name}")`` inside a function whose callers pass the literal name."""
    actions: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        actions.update(re.findall(r'\brecord\(\s*"([^"]+)"', text))
        if re.search(r"\brecord\(\s*action\b", text):
            for line in re.findall(r"^\s*action\s*=\s*(.+)$", text, re.M):
                actions.update(re.findall(r'"([a-z_]+\.[a-z_]+)"', line))
        for match in re.finditer(r'\brecord\(\s*f"([^"{]*)\{(\w+)\}"', text):
            prefix = match.group(1)
            function = re.findall(r"^def (\w+)\(", text[:match.start()], re.M)[-1]
            names = re.findall(rf'\b{function}\(\s*"([^"]+)"', text)
            assert names, f"{path}: no literal callers of {function}"
            actions.update(prefix + name for name in names)
    return actions


ODD_DETAILS = [
    {},
    {"changes": {"role": ["expert", "coordinator"], "active": [True, False]}},  # user.update
    {"changes": {"role": "admin", "active": True}},                           # ensure_admin
    {"changes": [{"entry": 1, "aspect": 2, "old": None, "new": "1.50"}] * 25},  # marks
    {"changes": "text instead of a list"},
    {"changes": None, "old": None, "new": "withdrawn", "reason": "болезнь"},
    {"old": {"nested": [1, 2, {"deep": [3, [4, [5, [6]]]]}]}, "new": [1, 2, 3]},
    {"file": "<script>alert(1)</script>.xlsx", "rows": 10**12, "ok": False},
    {"persons": list(range(100)), "team": "Команда «Альфа»", "x" * 500: "y" * 5000},
    {"": "", "0": 0, "none": None, "float": 1.5, "date": date(2024, 1, 1).isoformat()},
]


def test_the_action_scan_finds_the_actions_the_code_writes():
    actions = written_actions()
    for known in ("user.update", "entry.status", "competition.team_rule",
                  "entry.member_remove", "health.create", "health.update", "sheet.submit",
                  "participants.import"):
        assert known in actions
    assert all(re.fullmatch(r"[a-z_]+\.[a-z_]+", a) for a in actions), actions


def test_detail_items_never_fail_and_read_as_key_value():
    for details in ODD_DETAILS + [None, [], "a string", 5, [1, {"a": 2}]]:
        items = detail_items(details)
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in items)
    items = dict(detail_items({"changes": {"role": ["expert", "coordinator"]}}))
    assert items == {"role": "expert → coordinator"}
    assert len(detail_items({"changes": [{"entry": 1}] * 25})) == 21  # 20 and «… 5 more»
    assert action_label("no.such_action") == "no.such_action"


@pytest.fixture
def every_action(app):
    competition = factories.make_competition()
    user = factories.make_user(role="admin")
    actions = sorted(written_actions())
    for number, action in enumerate(actions):
        details = ODD_DETAILS[number % len(ODD_DETAILS)]
        record(action, object_type="things", object_id=number, user=user if number % 2 else None,
               competition_id=competition.id if number % 3 else None, **details)
    db.session.commit()
    return competition, user, actions


@pytest.mark.parametrize("role", ["admin", "organiser"])
def test_the_log_opens_with_every_action(client, login, every_action, role):
    competition, user, actions = every_action
    login(client, role)
    response = client.get("/audit?page=1")
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    for query in (f"competition={competition.id}", f"user={user.id}", "date_from=2000-01-01",
                  "action=no.such", "competition=x&user=y&date_from=31.02.2024&page=-3"):
        assert client.get(f"/audit?{query}").status_code == 200, query
    for action in actions:
        response = client.get("/audit", query_string={"action": action})
        assert response.status_code == 200, action
        assert 'data-testid="details"' in response.text, action


def test_an_edited_user_shows_in_the_log_as_key_value(client, login):
    login(client, "admin")
    user = factories.make_user(role="expert")
    client.post(f"/admin/users/{user.id}", data={"name": "X", "role": "coordinator",
                                                 "active": "y"})
    page = client.get("/audit", query_string={"action": "user.update"})
    assert page.status_code == 200
    assert "expert → coordinator" in page.text


def test_action_names_are_shown_in_the_interface_language(client, login):
    login(client, "admin")
    user = factories.make_user(role="expert")
    client.post(f"/admin/users/{user.id}", data={"name": "X", "role": "coordinator",
                                                 "active": "y"})
    client.post("/language/ru")
    page = client.get("/audit").text
    assert "Пользователь изменён" in page and "user.update" in page
    client.post("/language/en")
    assert "User changed" in client.get("/audit").text


def test_the_date_filter_reads_from_and_to_a_date(client, login):
    """«To» of a date range was shown as «Кому» (the recipient of an award)."""
    login(client, "admin")
    page = client.get("/audit").text
    assert '<label class="form-label small" for="date_from">Дата с</label>' in page
    assert '<label class="form-label small" for="date_to">Дата по</label>' in page
    assert "Кому" not in page
