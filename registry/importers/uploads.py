"""The waiting room for uploads between the preview and the confirmation.

The uploaded bytes wait in ``instance/uploads`` (``IMPORT_UPLOAD_DIR``) under a random token
that only the session knows, bound to the competition it was uploaded for; the confirmation
takes the file back (``WaitingRoom.take``), builds the plan again and writes it, then the file
is deleted. Files left behind by abandoned previews are swept after a day.
"""
from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path

from flask import current_app, session

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
MAX_AGE_SECONDS = 24 * 3600


def _upload_dir() -> Path:
    configured = current_app.config.get("IMPORT_UPLOAD_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def _path(token) -> Path | None:
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    return _upload_dir() / token


def _store(data: bytes) -> str:
    directory = _upload_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    _sweep(directory)
    token = secrets.token_urlsafe(24)
    fd = os.open(directory / token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return token


def _read(token) -> bytes | None:
    path = _path(token)
    if path is None or not path.is_file():
        return None
    return path.read_bytes()


def _discard(token) -> None:
    path = _path(token) if token else None
    if path is not None:
        path.unlink(missing_ok=True)


def _sweep(directory: Path) -> None:
    limit = time.time() - MAX_AGE_SECONDS
    for path in directory.iterdir():
        try:
            if path.is_file() and _TOKEN.match(path.name) and path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass


class WaitingRoom:
    """One kind of upload (``session_key``): at most one waits per session."""

    def __init__(self, session_key: str):
        self.session_key = session_key

    def keep(self, data: bytes, competition_id: int, filename: str | None) -> str:
        """Store ``data`` for the confirmation; the token goes into the confirm form."""
        self.forget()
        token = _store(data)
        session[self.session_key] = {"token": token, "competition_id": competition_id,
                                     "filename": filename}
        return token

    def take(self, competition_id: int, token) -> tuple[bytes, str | None] | None:
        """The stored bytes and file name, when ``token`` is this session's upload for this
        competition and the file is still there; else None."""
        stored = session.get(self.session_key)
        if (not isinstance(stored, dict) or stored.get("competition_id") != competition_id
                or not token or stored.get("token") != token):
            return None
        data = _read(stored["token"])
        return None if data is None else (data, stored.get("filename"))

    def forget(self) -> None:
        """Delete this session's waiting upload, if any."""
        stored = session.pop(self.session_key, None)
        if isinstance(stored, dict):
            _discard(stored.get("token"))
