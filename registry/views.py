"""What every view shares: an operation refused by a rule becomes a message for people.

    with refusals(form) as attempt:
        registration.register(offered, [person], actor=current_user)
    if attempt.ok:
        flash(…); return redirect(…)
    return render_template(…)          # the form again, with the message on its field

A ``ServiceError`` raised inside the block refuses the request (``transaction.refuse``: what
the operation flushed is rolled back and the request will not commit) and its message goes on
the form field it names (``error.field``, through ``aliases`` where the form spells it
differently) or, without such a field, into a flash message. Any other exception propagates:
the boundary rolls back and the error page answers.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import flash

from .services import ServiceError
from .transaction import refuse


@dataclass
class Attempt:
    error: ServiceError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def show_refusal(form, error: ServiceError, aliases: dict[str, str] | None = None) -> None:
    """Put ``error`` on the form field it names, else flash it."""
    name = (aliases or {}).get(error.field, error.field) if error.field else None
    field = getattr(form, name, None) if (form is not None and name) else None
    if field is not None and hasattr(field, "errors"):
        field.errors = list(field.errors) + [error.message]
    else:
        flash(error.message, "danger")


@contextmanager
def refusals(form=None, aliases: dict[str, str] | None = None) -> Iterator[Attempt]:
    attempt = Attempt()
    try:
        yield attempt
    except ServiceError as error:
        refuse()
        attempt.error = error
        show_refusal(form, error, aliases)
