"""Browser tests: a real server thread and Debian's Chromium driven by Playwright.

They run once, on SQLite (skipped when REGISTRY_TEST_BACKEND=postgresql). Outside CI they
are skipped when /usr/bin/chromium is missing; under CI=true a missing
browser is an error, so that CI never passes without running them.
"""
from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("REGISTRY_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("REGISTRY_TEST_BACKEND") == "postgresql":
        # The pages a browser sees are the same on both databases, and what differs between
        # them is tested without a browser: the browser tests run once, on SQLite, to keep
        # the whole run of both databases short.
        skip = pytest.mark.skip(reason="browser tests run once, on SQLite")
    elif shutil.which(CHROMIUM) or os.environ.get("CI") == "true":
        return
    else:
        skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium)")
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
