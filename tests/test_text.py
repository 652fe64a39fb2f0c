"""Text is clean at the door and harmless at the exit (``registry/text.py``)."""
from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from registry import text
from registry.exporters.render import neutralise
from registry.exporters.service import run_export
from registry.extensions import db
from registry.importers.participants import build_plan
from registry.text import UncleanText, clean, starts_formula

from . import factories
from .test_import_participants import csv_bytes, located, person_row


@pytest.mark.parametrize("value", ["=1+1", "＝1+1", "\u200b=1+1", "\ufeff+7 912", "－1",
                                   "＠SUM(A1)", "\t=1", "\r=1"])
def test_anything_that_would_start_a_formula_is_neutralised(value):
    assert starts_formula(value)
    assert neutralise(value).startswith("'")


@pytest.mark.parametrize("value", ["Иванов", "1+1", "a=b", "", " word"])
def test_ordinary_text_is_left_alone(value):
    assert not starts_formula(value)
    assert neutralise(value) == value


def test_clean_normalises_and_refuses():
    assert clean("  Е\u0308лка\u200b  ") == "Ёлка"  # NFC, zero-width gone, trimmed
    for bad in ("Ив\x01ан", "ad\u202emin@x.y", "a\u2066b"):
        with pytest.raises(UncleanText):
            clean(bad)
    with pytest.raises(UncleanText):
        clean("line\nbreak")
    assert clean("line\nbreak", multiline=True) == "line\nbreak"


def test_a_control_character_stored_earlier_does_not_break_the_xlsx_export(app):
    competition = factories.make_competition()
    offered = factories.make_offered(competition)
    factories.make_entry(offered, [factories.make_person(last_name="Ив\x01анов")])
    export = run_export("participants", {"competition": str(competition.id)}, "xlsx",
                        actor=None, lang="ru")
    workbook = load_workbook(io.BytesIO(b"".join(export.chunks)), read_only=True)
    names = [row[0] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert "Иванов" in names


def test_csv_exports_neutralise_full_width_and_hidden_formulas(app):
    competition = factories.make_competition()
    offered = factories.make_offered(competition)
    factories.make_entry(offered, [factories.make_person(last_name="＝1+1"),
                                   factories.make_person(last_name="\u200b=1+1")],
                         team_name="Команда")
    export = run_export("participants", {"competition": str(competition.id)}, "csv",
                        actor=None, lang="ru", delimiter=";")
    text = b"".join(export.chunks).decode("utf-8-sig")
    cells = {cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row}
    assert "'＝1+1" in cells and "'\u200b=1+1" in cells
    assert "＝1+1" not in cells and "\u200b=1+1" not in cells


@pytest.mark.parametrize("name", ["Ив\x01ан", "Ив\u202eан"])
def test_the_import_refuses_unclean_names_naming_the_cell(app, name):
    competition = factories.make_competition()
    plan = build_plan(competition, csv_bytes([person_row(last=name)], encoding="utf-8"))
    assert not plan.ok
    assert (2, "Фамилия") in located(plan)


def test_forms_refuse_unclean_text_on_the_field(app, client, login):
    login(client, "organiser")
    region = factories.region()
    response = client.post("/persons/new", data={
        "last_name": "Ив\x01анов", "first_name": "Пётр", "birth_date": "2005-03-14",
        "region_id": region.id, "email": "ad\u202emin@x.y"})
    assert response.status_code == 200
    assert "управляющий символ" in response.text and "направление текста" in response.text
    from registry.models import Person
    assert db.session.query(Person).count() == 0


def test_forms_normalise_what_they_accept(app, client, login):
    login(client, "organiser")
    region = factories.region()
    response = client.post("/persons/new", data={
        "last_name": "  Е\u0308лкин\u200b ", "first_name": "Пётр", "birth_date": "2005-03-14",
        "region_id": region.id, "consent_date": "2024-01-10"})
    assert response.status_code == 302, response.text
    from registry.models import Person
    assert db.session.query(Person).one().last_name == "Ёлкин"


def test_users_with_odd_e_mails_are_refused(app):
    from registry.services import ServiceError
    from registry.services import users as user_service
    for address in ("ad\u202emin@x.y", "not an address", "a@b"):
        with pytest.raises(ServiceError):
            user_service.create_user(address, "expert", "correct horse battery")


def _validated_whole(address: str):
    """What email-validator says of the whole address (the path before the fast one)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(address, check_deliverability=False,
                              allow_smtputf8=True).normalized.lower()
    except EmailNotValidError:
        return None


_EMAILISH = st.text(alphabet="aZ09.-_+!#'@\"ё ", min_size=1, max_size=30)


@settings(max_examples=400, deadline=None)
@given(local=_EMAILISH, domain=st.sampled_from(
    ["example.ru", "Mail.RU", "x.test", "b.local", "-x.ru", "x-.ru", "123.45", "xn--80ak6aa92e.com",
     "пример.рф", "a..ru", "ru", "a.b.c.d.e.ru", "x" * 64 + ".ru"]))
def test_an_address_checked_by_its_domain_alone_reads_as_the_whole_check(local, domain):
    """The fast path (a plain ASCII local part, the domain checked once) accepts, refuses and
    writes an address exactly as email-validator does on the whole of it."""
    address = f"{local}@{domain}"
    expected = _validated_whole(address.strip())
    try:
        got = text.email(address)
    except text.UncleanText:
        got = None
    assert got == expected, address


def test_no_letter_or_digit_folds_into_a_formula_sign():
    """``starts_formula`` answers at once for a text that starts with a letter or a digit:
    that holds only while no such character of Unicode folds (NFKC) into = + - @ or a break."""
    import sys
    import unicodedata

    folding = [hex(code) for code in range(sys.maxunicode + 1)
               if chr(code).isalnum()
               and unicodedata.normalize("NFKC", chr(code))[:1] in ("=", "+", "-", "@", "\t",
                                                                   "\r", "\n")]
    assert folding == []
    assert starts_formula("＝1") and not starts_formula("Ｓ=1") and starts_formula("\u200b-1")


def test_printable_drops_exactly_the_control_characters_but_tab_and_newlines():
    """``printable`` is one regular expression: over every code point it drops what Unicode
    calls a control character (Cc), and nothing else, except that tab, LF and CR stay."""
    import sys
    import unicodedata

    from registry.text import printable

    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    expected = "".join(ch for ch in every
                       if not (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r"))
    assert printable(every) == expected
    assert printable("Ива\x00нов\x1b\x85\tА\r\n") == "Иванов\tА\r\n"


@pytest.mark.parametrize("value, expected", [
    ("  Иванов \t Иван\n", "Иванов Иван"), ("\u00a0ГАПОУ\u2003«Колледж»", "ГАПОУ «Колледж»"),
    ("   ", None), ("", None), (None, None), ("Сварка", "Сварка")])
def test_squashed_folds_whitespace_and_gives_none_for_nothing(value, expected):
    assert text.squashed(value) == expected
