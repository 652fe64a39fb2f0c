"""Locust scenario for ``make loadtest``: coordinators browse, experts mark, and (when
``LOADTEST_ATTACKERS`` > 0) that many attackers upload crafted spreadsheets without pause.

Reads its targets from ``LOADTEST_TARGETS`` (a JSON file written by ``benchmarks.loadtest``).
A 409 on a score sheet is the registry refusing to overwrite another expert's save: a correct
answer under load, counted as a success (and reported separately)."""
from __future__ import annotations

import json
import os
import random
import re

from locust import HttpUser, between, events, task

TARGETS = json.loads(open(os.environ["LOADTEST_TARGETS"], encoding="utf-8").read())
PASSWORD = TARGETS["password"]
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
INPUT = re.compile(r'<input[^>]*name="((?:m|j)-[0-9-]+)"[^>]*value="([^"]*)"([^>]*)>')
VERSION = re.compile(r'name="version" value="([0-9]*)"')
CONFLICTS = {"count": 0}


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    return (match.group(1) or match.group(2)) if match else ""


class Registered(HttpUser):
    abstract = True
    wait_time = between(0.5, 2)
    email = ""

    def on_start(self):
        page = self.client.get("/login", name="/login")
        response = self.client.post("/login", name="/login [POST]", allow_redirects=False, data={
            "email": self.email, "password": PASSWORD, "csrf_token": csrf_token(page.text)})
        if response.status_code != 302:
            response.failure(f"login failed: {response.status_code}")


class Coordinator(Registered):
    weight = 4
    email = TARGETS["coordinator"]

    @task(3)
    def participants(self):
        competition = random.choice(TARGETS["competitions"])
        self.client.get(f"/competitions/{competition}/participants", name="participants list")
        self.client.get(f"/competitions/{competition}/participants?q={random.choice(TARGETS['names'])}",
                        name="participants search")

    @task(2)
    def person(self):
        self.client.get(f"/persons/{random.choice(TARGETS['persons'])}", name="person page")

    @task(2)
    def standings(self):
        self.client.get(f"/results/{random.choice(TARGETS['competitions'])}", name="standings")

    @task(1)
    def lists(self):
        self.client.get("/competitions/", name="competitions list")
        self.client.get("/offers/", name="offers list")

    @task(1)
    def medals(self):
        self.client.get("/exports/medals?format=csv&lang=ru&delimiter=%3B", name="medal table CSV")


class Expert(Registered):
    weight = 1

    def on_start(self):
        self.email = random.choice(sorted(TARGETS["sheets"]))
        super().on_start()

    @task
    def mark(self):
        url = random.choice(TARGETS["sheets"][self.email])
        page = self.client.get(url, name="score sheet")
        data = {"csrf_token": csrf_token(page.text), "save": "1"}
        version = VERSION.search(page.text)
        data["version"] = version.group(1) if version else "0"
        for name, value, rest in INPUT.findall(page.text):
            if "disabled" in rest:  # a conflict of interest: the expert may not mark it
                continue
            data[name] = value or ("0" if name.startswith("m-") else "2")
            if name.startswith("m-") and random.random() < 0.3:
                data[name] = "0"
        with self.client.post(url, data=data, name="score sheet [save]", allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code == 409:
                CONFLICTS["count"] += 1
                response.success()
            elif response.status_code != 302:
                response.failure(f"save answered {response.status_code}")


ATTACKERS = int(os.environ.get("LOADTEST_ATTACKERS", "0"))
CRAFTED = [(os.path.basename(path), open(path, "rb").read()) for path in TARGETS["crafted"]]


class Attacker(Registered):
    """An organiser's account sending the crafted files of the trust issue: each must be
    refused (the preview names the limit) quickly, without taking a worker for minutes."""
    abstract = ATTACKERS == 0
    fixed_count = ATTACKERS
    wait_time = between(0, 0.1)
    email = TARGETS["organiser"]

    @task
    def upload(self):
        competition = random.choice(TARGETS["competitions"])
        url = f"/competitions/{competition}/import"
        page = self.client.get(url, name="import page")
        name, data = random.choice(CRAFTED)
        with self.client.post(url, name="crafted upload", catch_response=True, files={
                "file": (name, data, "application/vnd.openxmlformats-officedocument"
                                     ".spreadsheetml.sheet")},
                data={"csrf_token": csrf_token(page.text)}) as response:
            if response.status_code != 200 or "preview-problems" not in response.text:
                response.failure(f"upload answered {response.status_code}")


@events.quitting.add_listener
def report_conflicts(environment, **kwargs):
    path = os.environ.get("LOADTEST_CONFLICTS")
    if path:
        with open(path, "w") as fh:
            fh.write(str(CONFLICTS["count"]))
