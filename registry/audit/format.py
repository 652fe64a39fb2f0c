"""Showing audit entries to people: the action's label and the details as «key: value».

An entry's details are whatever the operation that wrote it passed to ``services.audit.record``
(strings, numbers, lists, ``{field: [old, new]}`` changes, lists of mark changes …) and, read
back from JSON, may be anything; nothing here assumes a shape, so the log always opens."""
from __future__ import annotations

from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l

MAX_TEXT = 300        # characters of one value
MAX_ITEMS = 20        # items of a list shown before «… and N more»

# Labels of the actions people meet most; an action without one is shown as written.
ACTION_LABELS = {
    "award.add": _l("Award added"),
    "award.change": _l("Award changed"),
    "award.grant": _l("Award granted"),
    "award.remove": _l("Award removed"),
    "award.revoke": _l("Award revoked"),
    "category.create": _l("Category created"),
    "competency.alias_add": _l("Competency alias added"),
    "competency.create": _l("Competency created"),
    "competition.advance": _l("Award holders advanced"),
    "competition.create": _l("Competition created"),
    "competition.offer": _l("Competency offered"),
    "competition.status": _l("Competition status changed"),
    "competition.team_rule": _l("Individual or team changed"),
    "competition.update": _l("Competition changed"),
    "competition.withdraw": _l("Offered competency withdrawn"),
    "diploma.issue": _l("Diplomas issued"),
    "diploma.revoke": _l("Diploma revoked"),
    "diploma_template.reset": _l("Diploma template reset"),
    "diploma_template.save": _l("Diploma template saved"),
    "entry.create": _l("Entry registered"),
    "entry.member_add": _l("Team member added"),
    "entry.member_remove": _l("Team member removed"),
    "entry.status": _l("Entry status changed"),
    "expert.assign": _l("Expert assigned"),
    "expert.remove": _l("Expert removed"),
    "export.run": _l("Export downloaded"),
    "health.create": _l("Health data recorded"),
    "health.update": _l("Health data changed"),
    "health.delete": _l("Health data deleted"),
    "mark.change": _l("Marks changed"),
    "offer.create": _l("Offer created"),
    "offer.state": _l("Offer state changed"),
    "offer.update": _l("Offer changed"),
    "organisation.create": _l("Organisation created"),
    "organisation.distinct": _l("Organisations marked as different"),
    "organisation.merge": _l("Organisations merged"),
    "organisation.unmerge": _l("Merge of organisations undone"),
    "organisation.update": _l("Organisation changed"),
    "participants.import": _l("Participants imported"),
    "person.create": _l("Person created"),
    "person.distinct": _l("Persons marked as different"),
    "person.merge": _l("Persons merged"),
    "person.unmerge": _l("Merge of persons undone"),
    "person.update": _l("Person changed"),
    "results.import": _l("Results imported"),
    "results.publish": _l("Results published"),
    "scheme.import": _l("Marking scheme imported"),
    "user.create": _l("User created"),
    "user.password_reset": _l("Password reset"),
    "user.update": _l("User changed"),
}


def action_label(action) -> str:
    label = ACTION_LABELS.get(action) if isinstance(action, str) else None
    return str(label) if label is not None else _text(action)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"


def _text(value, depth: int = 0) -> str:
    """One value as a line of text, whatever it is."""
    if value is None or value == "":
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if depth > 3:
        return "…"
    if isinstance(value, dict):
        return _cut("; ".join(f"{_text(k, depth + 1)}: {_text(v, depth + 1)}"
                              for k, v in list(value.items())[:MAX_ITEMS]))
    if isinstance(value, (list, tuple)):
        if len(value) == 2 and not any(isinstance(v, (dict, list, tuple)) for v in value):
            return f"{_text(value[0], depth + 1)} → {_text(value[1], depth + 1)}"
        shown = [_text(v, depth + 1) for v in value[:MAX_ITEMS]]
        if len(value) > MAX_ITEMS:
            shown.append(_("… and %(n)d more", n=len(value) - MAX_ITEMS))
        return _cut(", ".join(shown))
    return _cut(str(value))


def detail_items(details) -> list[tuple[str, str]]:
    """``[(key, text), …]`` for the details of one entry; a dict of changes becomes one line
    per changed field, a list of mark changes one line per change."""
    if details is None or details == {}:
        return []
    if not isinstance(details, dict):
        return [(_("details"), _text(details))]
    items: list[tuple[str, str]] = []
    if "old" in details or "new" in details:
        items.append((_("change"), f"{_text(details.get('old'))} → {_text(details.get('new'))}"))
    for key, value in details.items():
        if key in ("old", "new"):
            continue
        name = _text(key)
        if key == "changes" and isinstance(value, dict):
            items.extend((f"{_text(field)}", _text(change)) for field, change in
                         list(value.items())[:MAX_ITEMS])
        elif key == "changes" and isinstance(value, list):
            items.extend((name, _text(change)) for change in value[:MAX_ITEMS])
            if len(value) > MAX_ITEMS:
                items.append((name, _("… and %(n)d more", n=len(value) - MAX_ITEMS)))
        else:
            items.append((name, _text(value)))
    return items
