"""The WSGI entry point, as gunicorn and ``flask --app wsgi`` load it."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_entry_point_keeps_what_it_loaded_out_of_the_collectors_passes(tmp_path):
    """After ``import wsgi`` the objects of the application's start are frozen (``gc.freeze``),
    so that a full collection during a request does not walk them all again."""
    code = ("import gc, wsgi; "
            "print(gc.get_freeze_count(), wsgi.app.name, gc.isenabled(), gc.get_threshold()[0])")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'wsgi.sqlite'}"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    frozen, name, enabled, young = done.stdout.split()
    assert int(frozen) > 50_000 and name == "registry" and enabled == "True"
    # the young generation collected after 10,000 new objects, not Python's 700
    assert int(young) == 10_000
