"""Domain rules. Functions here take plain values and model objects, enforce the rule,
flush, and write the audit entry; they never commit. Views and CLI commands call them, and the
request or command commits once at its boundary (``registry/transaction.py``)."""


class ServiceError(Exception):
    """A rule was broken; the message is for people (already translated)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
