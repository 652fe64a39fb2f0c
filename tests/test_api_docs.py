"""The curl examples of ``docs/api.md`` run against a live test server (werkzeug's
``make_server`` in a thread on 127.0.0.1), so that the guide cannot go stale; and the OpenAPI
document: valid OpenAPI 3.1, with every ``/api/v1`` rule of ``app.url_map`` in it."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select
from werkzeug.serving import make_server

from registry.api.openapi import _path, api_rules
from registry.extensions import db
from registry.models import Entry, Person

from . import factories
from .api_helpers import token_for

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"
MARK = "=====block====="


def test_the_document_is_valid_openapi_31_and_has_every_rule(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)
    for rule in api_rules(app):
        path, _params = _path(rule.rule)
        assert path.startswith("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in document["paths"][path], f"{method} {rule.rule}"


def test_the_readable_page_lists_every_operation(app, client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and "text/html" in page.content_type
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    for rule in api_rules(app):
        assert f'id="{rule.endpoint.split(".", 1)[1]}"' in page.text, rule.endpoint


def _blocks() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    return [b for b in blocks if "flask --app" not in b]


def _json_values(text: str) -> list:
    decoder, values, index = json.JSONDecoder(), [], 0
    while index < len(text):
        if text[index].isspace():
            index += 1
            continue
        value, index = decoder.raw_decode(text, index)
        values.append(value)
    return values


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.mark.skipif(shutil.which("curl") is None or shutil.which("jq") is None,
                    reason="needs curl and jq")
def test_the_curl_examples_of_the_guide_work(app, live_server, tmp_path):
    secret, _token = token_for("organiser", scopes=("read", "register"))
    offered = factories.make_offered()
    competition_id = offered.offered_competency.competition_id
    db.session.commit()
    blocks = _blocks()
    assert len(blocks) >= 8
    script = "set -euo pipefail\n" + "".join(f"echo '{MARK}'\n{block}\n" for block in blocks)
    env = {"PATH": "/usr/bin:/bin", "BASE": live_server, "TOKEN": secret,
           "COMPETITION": str(competition_id), "OFFERED": str(offered.id), "LANG": "C.UTF-8"}
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr + done.stdout
    outputs = done.stdout.split(MARK + "\n")[1:]
    assert len(outputs) == len(blocks)
    for block, output in zip(blocks[:-1], outputs[:-1], strict=True):
        values = _json_values(output)
        assert values, f"no JSON from:\n{block}"
        for value in values:  # no problem details but in the example of an error
            assert "urn:registry:problem" not in str(value.get("type")), (block, value)
    last = _json_values(outputs[-1])[-1]
    assert last["status"] == 401
    db.session.expire_all()
    ivanova = db.session.scalar(select(Person).where(Person.last_name == "Иванова"))
    assert ivanova is not None and ivanova.phone == "+7 912 345-67-89"
    assert db.session.scalar(select(Person).where(Person.last_name == "Смирнов")) is not None
    assert len(db.session.scalars(select(Entry)).all()) == 2
