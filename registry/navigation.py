"""The main menu: each item shows only to roles whose permission admits its view."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from .security import can, view_access


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    menu: str | None = None  # items of one menu are shown under a dropdown


NAV = [
    NavItem("main.dashboard", _l("Dashboard")),
    NavItem("competitions.index", _l("Competitions")),
    NavItem("registration.persons", _l("Participants")),
    NavItem("registration.organisations", _l("Organisations")),
    NavItem("awards.offers", _l("Offers")),
    NavItem("exports.index", _l("Exports")),
    NavItem("marking.index", _l("Marking")),
    NavItem("audit.log", _l("Audit log"), "admin"),
    NavItem("admin.users", _l("Users"), "admin"),
    NavItem("admin.regions", _l("Regions"), "admin"),
    NavItem("admin.competencies", _l("Competencies"), "admin"),
]

MENU_LABELS = {"admin": _l("Administration")}


def nav_items() -> list[NavItem]:
    """Menu items whose view the current user may open (the view's own declaration decides)."""
    items = []
    for item in NAV:
        if item.endpoint not in current_app.view_functions:
            continue
        access = view_access(current_app, item.endpoint)
        if access == "public" or (access and can(access)):
            items.append(item)
    return items
