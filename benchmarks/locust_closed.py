"""Locust scenario of the closed-loop run of ``make loadtest``: no think time. Each user
sends its next request as soon as the last one is answered, so the server is saturated and
what is measured is its capacity (requests/s), not the users' pauses.

One request in four of each kind: the participants list, a person page, a standings page,
and a score-sheet save (an expert's POST of the sheet they read just before; the read is
counted separately). A 409 is another expert's save winning: a correct answer, counted as
a success. Targets come from ``LOADTEST_TARGETS`` (written by ``benchmarks.loadtest``).
"""
from __future__ import annotations

import json
import os
import random
import re
import time
from urllib.parse import urlsplit

from locust import FastHttpUser, constant, events, task
from requests.cookies import create_cookie

TARGETS = json.loads(open(os.environ["LOADTEST_TARGETS"], encoding="utf-8").read())
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
INPUT = re.compile(r'<input[^>]*name="((?:m|j)-[0-9-]+)"[^>]*value="([^"]*)"([^>]*)>')
VERSION = re.compile(r'name="version" value="([0-9]*)"')


def csrf_token(html: str) -> str:
    match = CSRF.search(html or "")
    return (match.group(1) or match.group(2)) if match else ""


class Saturating(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    email = ""

    def on_start(self):
        cookie = TARGETS.get("cookies", {}).get(self.email)
        if cookie:  # logged in once, in advance, by benchmarks.loadtest
            host = urlsplit(self.host).hostname
            self.client.cookiejar.set_cookie(create_cookie("session", cookie, domain=host))
            return
        page = self.client.get("/login", name="/login")
        with self.client.post("/login", name="/login [POST]", allow_redirects=False,
                              catch_response=True,
                              data={"email": self.email, "password": TARGETS["password"],
                                    "csrf_token": csrf_token(page.text)}) as response:
            if response.status_code != 302:
                response.failure(f"login failed: {response.status_code}")


class Browser(Saturating):
    """A coordinator: the participants list, a person page, a standings page in turn."""
    weight = 3
    email = TARGETS["coordinator"]

    @task
    def participants(self):
        competition = random.choice(TARGETS["competitions"])
        self.client.get(f"/competitions/{competition}/participants", name="participants list")

    @task
    def person(self):
        self.client.get(f"/persons/{random.choice(TARGETS['persons'])}", name="person page")

    @task
    def standings(self):
        self.client.get(f"/results/{random.choice(TARGETS['competitions'])}", name="standings")



class Marker(Saturating):
    """An expert reading a sheet of theirs and saving it at once."""
    weight = 1
    count = 0

    def on_start(self):
        experts = sorted(set(TARGETS.get("cookies", {})) & set(TARGETS["sheets"])) or sorted(
            TARGETS["sheets"])
        Marker.count += 1
        self.email = experts[Marker.count % len(experts)]
        super().on_start()

    @task
    def save(self):
        url = random.choice(TARGETS["sheets"][self.email])
        page = self.client.get(url, name="score sheet")
        data = {"csrf_token": csrf_token(page.text), "save": "1"}
        version = VERSION.search(page.text or "")
        data["version"] = version.group(1) if version else "0"
        for name, value, rest in INPUT.findall(page.text or ""):
            if "disabled" in rest:
                continue
            data[name] = value or ("0" if name.startswith("m-") else "2")
            if name.startswith("m-") and random.random() < 0.3:
                data[name] = "0"
        with self.client.post(url, data=data, name="score sheet [save]", allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code in (302, 409):
                response.success()
            else:
                response.failure(f"save answered {response.status_code}")


EVENTS: dict[str, list] = {"logins": [], "requests": []}


@events.request.add_listener
def _keep_time(request_type, name, response_time, response_length, exception=None,
               response=None, **kwargs):
    """Every answer with the moment it came (so that the run's figures can leave out the
    first seconds, while the users log in: a password hash is slow by design)."""
    now = time.time()
    if name.startswith("/login"):
        EVENTS["logins"].append(now)
        return
    status = getattr(response, "status_code", 0) or 0
    failed = exception is not None and status != 409
    EVENTS["requests"].append([now, response_time, name, failed])


@events.quitting.add_listener
def _write_times(environment, **kwargs):
    path = os.environ.get("LOADTEST_TIMES")
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(EVENTS, fh)
