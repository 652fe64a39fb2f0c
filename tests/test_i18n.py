"""Russian first, English switchable; every string for people is in the Russian catalogue."""
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}
METHODS = [("registry/**.py", "python"), ("templates/**.html", "jinja2")]


def _extracted_ids() -> set[str]:
    ids = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_string_for_people_has_a_russian_translation():
    with open(ROOT / "registry/translations/ru/LC_MESSAGES/messages.po", "rb") as fh:
        catalog = read_po(fh, locale="ru")
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog if m.id and m.string and (
            isinstance(m.string, str) or all(m.string))
    }
    missing = sorted(_extracted_ids() - translated)
    assert not missing, "untranslated (run `make messages`, then translate): " + repr(missing[:20])


def test_switch_to_english_and_back(client):
    assert "Войти" in client.get("/login").text
    response = client.post("/language/en", data={"next": "/login"})
    assert response.status_code == 302 and response.location == "/login"
    page = client.get("/login").text
    assert "Log in" in page and "Войти" not in page
    client.post("/language/ru", data={"next": "/login"})
    assert "Войти" in client.get("/login").text


def test_unknown_language_is_ignored(client):
    client.post("/language/xx", data={"next": "/login"})
    assert "Войти" in client.get("/login").text


def test_language_switch_does_not_redirect_off_site(client):
    response = client.post("/language/en", data={"next": "https://evil.example/"})
    assert response.location == "/dashboard"


def test_language_switch_refuses_missing_csrf(client, csrf_enabled):
    assert client.post("/language/en", data={"next": "/login"}).status_code == 400
