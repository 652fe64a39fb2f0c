"""Domain rules. Functions here take plain values and model objects, enforce the rule,
write the audit entry and commit. Views and CLI commands call them; nothing else commits."""


class ServiceError(Exception):
    """A rule was broken; the message is for people (already translated)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
