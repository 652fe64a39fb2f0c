"""Throttling slows the attacker, not the owner (``registry/services/throttle.py``)."""
from __future__ import annotations

import threading

import pytest

from registry.extensions import db
from registry.services import throttle
from registry.services import users as user_service
from registry.transaction import boundary

from . import factories


def _post(client, email, password, ip="203.0.113.7"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


def test_failures_elsewhere_do_not_lock_the_owner_out(app, client):
    owner = factories.make_user()
    for _ in range(20):  # an attacker at one address, any letter case, trailing spaces
        _post(client, owner.email.upper() + "  ", "wrong password", ip="198.51.100.66")
    assert _post(client, owner.email.upper(), factories.PASSWORD,
                 ip="198.51.100.66").status_code == 429
    assert _post(app.test_client(), owner.email, factories.PASSWORD,
                 ip="203.0.113.7").status_code == 302


def test_letter_case_and_spaces_count_as_one_account(app, client):
    owner = factories.make_user()
    for variant in (owner.email, owner.email.upper(), f" {owner.email} ",
                    owner.email.title(), owner.email):
        _post(client, variant, "wrong password")
    assert _post(client, owner.email, factories.PASSWORD).status_code == 429


def test_one_address_trying_many_accounts_is_slowed(app, client):
    for n in range(throttle.ADDRESS_FREE):
        _post(client, f"nobody{n}@example.ru", "wrong password", ip="192.0.2.1")
    other = factories.make_user()
    assert _post(client, other.email, factories.PASSWORD, ip="192.0.2.1").status_code == 429
    assert _post(app.test_client(), other.email, factories.PASSWORD,
                 ip="192.0.2.2").status_code == 302


def test_an_office_behind_one_address_is_not_locked_by_its_own_logins(app):
    users = [factories.make_user() for _ in range(throttle.ADDRESS_FREE + 5)]
    for user in users:
        assert _post(app.test_client(), user.email, factories.PASSWORD,
                     ip="192.0.2.50").status_code == 302


def test_delays_grow_and_are_bounded(app):
    key, now = throttle.pair_key("x@example.ru", "192.0.2.9"), 1_000_000.0
    waits = []
    for _ in range(throttle.PAIR_FREE + 12):
        wait = throttle.claim(key, throttle.PAIR_FREE, now=now)
        if wait:
            waits.append(wait)
            now += wait  # the attacker waits exactly as long as told
            assert throttle.claim(key, throttle.PAIR_FREE, now=now) == 0
    assert waits == sorted(waits) and waits[0] == 1 and max(waits) == throttle.MAX_HOLD
    db.session.rollback()


def test_parallel_guesses_cannot_overrun_the_limit(app):
    owner = factories.make_user()
    email, ip = owner.email, "198.51.100.99"
    threads, outcomes = 12, []
    barrier = threading.Barrier(threads, timeout=30)
    lock = threading.Lock()

    def guess():
        with app.app_context():
            try:
                barrier.wait()
                with boundary():
                    user_service.authenticate(email, "wrong password", ip=ip)
                result = "checked"
            except user_service.LoginThrottled:
                result = "refused"
            except Exception as error:  # noqa: BLE001 - a lost race on SQLite's lock
                result = f"error {type(error).__name__}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    workers = [threading.Thread(target=guess) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    checked = outcomes.count("checked")
    # the free failures, and at most the one claim that crosses the limit
    assert checked <= throttle.PAIR_FREE + 1, outcomes
    assert len(outcomes) == threads


@pytest.mark.parametrize("ip", ["", "x" * 500])
def test_odd_addresses_are_counted_not_crashing(app, client, ip):
    user = factories.make_user()
    assert _post(client, user.email, "wrong password", ip=ip or "0.0.0.0").status_code == 200
