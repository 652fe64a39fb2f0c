"""The base of every form: text fields pass through the one normaliser at the door.

Every ``StringField`` (and its kinds: e-mail, search, text area) of a ``RegistryForm`` gets
``registry.text.clean`` as its first filter: NFC, trimmed, zero-width characters removed;
a control character or a bidirectional override is refused with a message on that field
(WTForms turns a filter's ``ValueError`` into the field's error). Text areas keep newlines;
e-mail fields are checked with email-validator (``registry.text.email``).
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField

from . import text


def _clean_line(value):
    return text.clean(value) if isinstance(value, str) else value


def _clean_text(value):
    return text.clean(value, multiline=True) if isinstance(value, str) else value


def _clean_email(value):
    return text.email(value) if isinstance(value, str) and value.strip() else _clean_line(value)


class RegistryForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField):
                if issubclass(field_class, TextAreaField):
                    door = _clean_text
                elif issubclass(field_class, EmailField):
                    door = _clean_email
                else:
                    door = _clean_line
                filters = unbound_field.kwargs.get("filters", ()) or ()
                options["filters"] = (door, *filters)
            return super().bind_field(form, unbound_field, options)
