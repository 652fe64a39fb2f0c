"""The main menu (registry/navigation.py, templates/base.html): menus named by the domain,
each item shown only to roles whose permission admits its view."""
import re


def _menus(html):
    return re.findall(r'data-testid="menu-([a-z_.]+)"', html)


def test_an_admin_sees_every_menu_in_order(client, login):
    login(client, "admin")
    html = client.get("/dashboard").text
    assert _menus(html) == ["contests", "people", "outcomes", "exports", "admin"]
    assert "Соревнования" in html and "Администрирование" in html
    # a menu of two or more items is a dropdown; one of a single item is a plain link to it
    assert re.search(r'dropdown-toggle[^>]*data-testid="menu-people"', html)
    assert re.search(r'href="/exports/"\s+data-testid="menu-exports"', html)
    for href in ("/competitions/", "/marking", "/persons", "/organisations", "/offers/",
                 "/audit", "/admin/users", "/admin/regions", "/admin/competencies"):
        assert f'href="{href}"' in html, href


def test_an_expert_sees_no_menu_without_an_admitted_item(client, login):
    login(client, "expert")
    html = client.get("/dashboard").text
    assert "menu-admin" not in _menus(html)
    assert "/admin/users" not in html and "/audit" not in html


def test_the_current_page_is_marked_in_its_menu(client, login):
    login(client, "admin")
    html = client.get("/organisations").text
    assert re.search(r'dropdown-toggle active[^>]*data-testid="menu-people"', html)
    assert re.search(r'dropdown-item active"\s+href="/organisations" aria-current="page"', html)
