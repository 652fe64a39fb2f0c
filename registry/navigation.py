"""The main menu: a few menus named by the domain, each item shown only to roles whose
permission admits its view; a menu with no admitted item is not shown, a menu with one is a
plain link to it."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from .i18n import lazy_gettext as _l
from .security import can, view_access


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    menu: str | None = None  # items of one menu are shown under a dropdown


NAV = [
    NavItem("competitions.index", _l("Competitions"), "contests"),
    NavItem("marking.index", _l("Marking"), "contests"),
    NavItem("marking.sheets", _l("Score sheets"), "contests"),
    NavItem("registration.persons", _l("Participants"), "people"),
    NavItem("registration.organisations", _l("Organisations"), "people"),
    NavItem("duplicates.persons", _l("Duplicates"), "people"),
    NavItem("medals.index", _l("Medal table"), "outcomes"),
    NavItem("awards.offers", _l("Offers"), "outcomes"),
    NavItem("exports.index", _l("Exports"), "exports"),
    NavItem("audit.log", _l("Audit log"), "admin"),
    NavItem("admin.users", _l("Users"), "admin"),
    NavItem("tokens.index", _l("API tokens"), "admin"),
    NavItem("admin.regions", _l("Regions"), "admin"),
    NavItem("admin.competencies", _l("Competencies"), "admin"),
    NavItem("diplomas.templates", _l("Diploma templates"), "admin"),
]

# in the order shown
MENU_LABELS = {
    "contests": _l("Contests"),
    "people": _l("People"),
    "outcomes": _l("Outcomes"),
    "exports": _l("Exports"),
    "admin": _l("Administration"),
}


@dataclass
class Menu:
    key: str
    label: object
    items: list[NavItem] = field(default_factory=list)

    @property
    def endpoints(self) -> list[str]:
        return [item.endpoint for item in self.items]


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


def nav_menus() -> list[Menu]:
    """The menus with at least one admitted item, in the order of ``MENU_LABELS``."""
    menus = {key: Menu(key, label) for key, label in MENU_LABELS.items()}
    loose = []
    for item in nav_items():
        if item.menu in menus:
            menus[item.menu].items.append(item)
        else:
            loose.append(Menu(item.endpoint, item.label, [item]))
    return loose + [menu for menu in menus.values() if menu.items]
