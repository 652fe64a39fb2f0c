"""Bad input never gives a 500 and never writes half a record.

Property-based (Hypothesis): every POST rule in ``app.url_map`` receives the fields of its
form (found by reading the page that shows the form) filled with hostile values, and every
GET rule receives hostile query strings and hostile ids in its URL. Hostile spreadsheets go
to the three importers (participants, results protocol, marking scheme) by the web and, for
participants, by ``build_plan`` and the CLI.

What "the database is unchanged" means here: the row count of every table in
``db.metadata``, read on a connection of its own (committed data only), before and after
the request. It must hold for every request that is answered with a refusal: any status
that is not a redirect, and a redirect that flashes a «danger» or «warning» message and no
«success». A redirect with a «success» flash did what was asked (nothing to compare). The
only exceptions, named in ``MAY_CHANGE``:

- ``auth.login``: a failed login counts in ``login_throttles`` (the throttle's memory)
  and a successful one deletes them; nothing else;
- ``exports.download``: running an export writes its ``audit_log`` entry (who exported
  what), even though the answer is a file (200);
- ``tokens.index``: an issued API token is shown on the page that answers the form (200),
  never after a redirect.

After each request the session is removed, as the end of a real request would; so a
request that flushed rows and then refused cannot leave them for the next one to commit.
"""
from __future__ import annotations

import io
import os
import zipfile
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from flask import g, url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from registry import create_app
from registry.extensions import db
from registry.importers.participants import build_plan
from registry.importers.scheme import SchemeFileError, read_scheme
from registry.models import users as users_model

from . import factories
from .test_permissions import _rules, _sample_args, _sample_objects

# --- hostile values --------------------------------------------------------------------------

HOSTILE_TEXT = (
    "", " ", "\t\r\n", "\u00a0\u2003\u3000",
    "A" * 100_000, "Я" * 100_000,
    "nul\x00byte", "\x00", "Иванов\x00",
    "\x01\x02\x1b[31m\x7f\x9b", "\u202eRTL override\u202c", "\u200b\u200d\ufeff",
    "👩‍🔧🏳️‍🌈", "Z̶̡͈̮̰ͯ͂algo",
    "'; DROP TABLE persons; --", "\" OR 1=1 --", "%' OR '1'='1", "\\", "%_%",
    "=cmd|' /C calc'!A0", "=HYPERLINK(\"http://evil.example\",\"x\")", "+1", "@SUM(1,1)",
    "<script>alert(1)</script>", "{{ 7*7 }}", "../../etc/passwd",
    "-1", "0", "-0", "1e308", "-1e308", "1e-400", "NaN", "Infinity", "-inf",
    str(2**31), str(2**63), str(-(2**63) - 1), "9" * 400, "0x10", "1_000",
    "7,5", "1 000,50", "1,000.5", "12,345,678", "٣", "１２", "²",
    "31.02.2024", "0001-01-01", "9999-12-31", "00.00.0000", "2024-13-45", "29.02.2023",
    "10000-01-01", "01.01.0000", "31.12.9999",
    "true", "on", "y", "None", "null",
)

# Every field of a form (or every query argument) set to one of these, before Hypothesis
# explores: so that the worst cases are tried on every run, not by luck (NaN, huge
# integers, Unicode controls and bidirectional overrides among them). Missing fields are
# tried too: each form posted with its own values, less one field at a time.
WORST = ("Я" * 100_000, str(10**30), "9" * 400, "99999999999999999999999", "NaN", "-inf", "²", "-1",
         "nul\x00byte", "Ив\x01ан", "ad\u202emin@x.y", "31.02.2024", "9999-12-31",
         "0001-01-01", "  ")

hostile_text = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.sampled_from(HOSTILE_TEXT),  # twice: the named nasties more often than random text
    st.text(max_size=40),
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(lambda d: f"{d.day:02d}.{d.month:02d}.{d.year:04d}"),
)

HOSTILE_FILES = {
    "png.xlsx": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
    "doc.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n" * 20,
    "empty.csv": b"",
    "nul.csv": b"\x00" * 100,
    "utf16.csv": "Фамилия;Имя\r\nИванов;Пётр\r\n".encode("utf-16"),
}
hostile_file = st.sampled_from(sorted(HOSTILE_FILES)).map(
    lambda name: (io.BytesIO(HOSTILE_FILES[name]), name))

# names a form might have, and some it does not: for POSTs whose form the page does not show
COMMON_FIELDS = ("name", "title", "code", "email", "password", "reason", "version", "token",
                 "status", "q", "page", "next", "team_name", "person", "max_marks", "kind")

SETTINGS = settings(max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "8")), deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

# Where the form of a POST-only rule is shown; a GET+POST rule shows its own.
FORM_PAGE = {
    "admin.user_password": "admin.user_edit",
    "auth.set_language": "main.dashboard",
    "auth.logout": "main.dashboard",
    "awards.offer_state": "awards.offer_edit",
    "awards.special_revoke": "registration.person_detail",
    "competitions.offer": "competitions.detail",
    "competitions.reopen": "competitions.detail",
    "competitions.release": "competitions.detail",
    "competitions.public_points": "competitions.detail",
    "diplomas.competition_download": "diplomas.competition",
    "diplomas.template_reset": "diplomas.template_edit",
    "imports.cancel": "imports.participants",
    "imports.confirm": "imports.participants",
    "imports.results_cancel": "imports.results",
    "imports.results_confirm": "imports.results",
    "marking.aspect_delete": "marking.scheme",
    "marking.criterion_delete": "marking.scheme",
    "marking.publish": "marking.publish_confirm",
    "marking.not_held": "marking.publish_confirm",
    "marking.scheme_import": "marking.scheme",
    "marking.sheet_confirm": "marking.sheet",
    "marking.sheet_submit": "marking.sheet",
    "marking.sheet_unlock": "marking.sheet",
    # shows its form only for a submitted sheet that nobody assigned can confirm
    "marking.sheet_override": "marking.sheet_override",
    "registration.entry_add_member": "registration.entry_detail",
    "registration.entry_remove_member": "registration.entry_detail",
    "registration.entry_status": "registration.entry_detail",
    "registration.entry_out_of_competition": "registration.entry_detail",
    "registration.health_delete": "registration.health_edit",
    "tokens.revoke": "tokens.index",
    # the duplicates pages show these forms only beside a pair or a merge
    "duplicates.person_merge_view": "duplicates.persons",
    "duplicates.person_distinct": "duplicates.persons",
    "duplicates.person_undo": "duplicates.persons",
    "duplicates.organisation_merge_view": "duplicates.organisations",
    "duplicates.organisation_distinct": "duplicates.organisations",
    "duplicates.organisation_undo": "duplicates.organisations",
}
# Pages that show the form only for a chosen object: the query string that chooses it.
FORM_QUERY = {
    "registration.entry_create": lambda args: {
        "person_id": args["registration.person_detail"]["person_id"]},
}
# Score sheets are for the assigned (chief) expert; everything else is tried as admin.
AS_EXPERT = {"marking.sheet", "marking.sheet_submit", "marking.sheet_confirm",
             "marking.sheet_unlock", "marking.sheet_history"}
MAY_CHANGE = {"auth.login": {"login_throttles"}, "exports.download": {"audit_log"},
              # issuing a token answers with the page that shows its secret once (200)
              "tokens.index": {"api_tokens", "audit_log"},
              # a download issues the diplomas it prints
              "diplomas.competition_download": {"diplomas", "audit_log"},
              "diplomas.person_download": {"diplomas", "audit_log"}}
# These redirect after a success without a flash message.
SILENT_SUCCESS = {"marking.criterion_delete", "marking.aspect_delete"}


def _endpoints(method: str) -> list[str]:
    """The rules of the application, read once at collection time (no database needed)."""
    probe = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                        "SECRET_KEY": "x"})
    return sorted({r.endpoint for r in _rules(probe) if method in r.methods})


POST_ENDPOINTS = [e for e in _endpoints("POST") if e != "auth.logout"]
GET_ENDPOINTS = _endpoints("GET")


# --- helpers ---------------------------------------------------------------------------------

def row_counts() -> dict[str, int]:
    """Committed rows of every table, in one query on a connection of its own."""
    tables = db.metadata.sorted_tables
    query = select(*(select(func.count()).select_from(t).scalar_subquery().label(t.name)
                     for t in tables))
    with db.engine.connect() as conn:
        row = conn.execute(query).one()
    return dict(zip((t.name for t in tables), row, strict=True))


def changed_tables(before: dict[str, int]) -> set[str]:
    after = row_counts()
    return {name for name in after if after[name] != before[name]}


class _Forms(HTMLParser):
    """Every <form> of a page: its method, action and fields with the value the page gives."""

    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            action = urlsplit(a.get("action") or self.page_path).path
            self._form = {"method": (a.get("method") or "get").lower(), "action": action,
                          "fields": {}, "files": set()}
            return
        form = self._form
        if form is None or not a.get("name"):
            if tag == "option" and form is not None and self._select:
                fields = form["fields"]
                if a.get("value") and (fields.get(self._select) is None or "selected" in a):
                    fields[self._select] = a["value"]
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind == "file":
                form["files"].add(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in a or name not in form["fields"]:
                    form["fields"][name] = a.get("value", "y") if "checked" in a else None
            elif kind != "submit" or "value" in a:
                form["fields"].setdefault(name, a.get("value", ""))
        elif tag == "select":
            form["fields"].setdefault(name, None)
            self._select = name
        elif tag == "textarea":
            form["fields"].setdefault(name, "")
        elif tag == "button" and a.get("value"):
            form["fields"].setdefault(name, a["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def page_forms(client, path: str, query: dict | None = None) -> list[dict]:
    response = client.get(path, query_string=query)
    assert response.status_code == 200, f"{path}: {response.status_code}"
    parser = _Forms(path)
    parser.feed(response.text)
    return parser.forms


@pytest.fixture
def world(app, client, login, monkeypatch):
    """The sample objects of the permission test, an admin client, and the assigned chief
    expert's client (for score sheets). Passwords are hashed cheaply here: the sample users
    would otherwise spend most of the file's time in scrypt."""
    monkeypatch.setattr(users_model, "generate_password_hash",
                        lambda password, method=None: generate_password_hash(
                            password, method="pbkdf2:sha256:1"))
    objects = _sample_objects()
    assignment = objects["assignment"]
    assignment.is_chief = True
    db.session.commit()
    login(client, "admin")
    expert = app.test_client()
    response = expert.post("/login", data={"email": assignment.user.email,
                                           "password": factories.PASSWORD})
    assert response.status_code == 302
    urls, args = {}, {}
    with app.test_request_context():
        for rule in _rules(app):
            args[rule.endpoint] = _sample_args(rule, objects)
            urls[rule.endpoint] = url_for(rule.endpoint, **args[rule.endpoint])
    end_request()
    return {"urls": urls, "args": args, "admin": client, "expert": expert}


def end_request() -> None:
    """What the end of a real request does: the session goes (uncommitted work with it) and
    nothing cached in ``g`` (the logged-in user) outlives it."""
    db.session.remove()
    for name in list(vars(g)):
        delattr(g, name)


def _client_for(world, endpoint):
    return world["expert"] if endpoint in AS_EXPERT else world["admin"]


def _pop_flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.pop("_flashes", []))


def _check_answer(endpoint, response, flashes, before) -> None:
    assert response.status_code < 500, f"{endpoint}: {response.status_code}"
    categories = {category for category, _message in flashes}
    if 300 <= response.status_code < 400:
        if "success" in categories:
            return
        if not categories and endpoint in SILENT_SUCCESS:
            return
    changed = changed_tables(before) - MAY_CHANGE.get(endpoint, set())
    assert not changed, (f"{endpoint} answered {response.status_code} {sorted(categories)} "
                         f"but changed {sorted(changed)}")


# --- every form, hostile values --------------------------------------------------------------

@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_hostile_form_posts_never_fail_and_refusals_write_nothing(app, world, endpoint):
    url = world["urls"][endpoint]
    client = _client_for(world, endpoint)
    if endpoint == "auth.login":
        client = app.test_client()  # anonymous: a logged-in user is sent on
    page = world["urls"][FORM_PAGE.get(endpoint, endpoint)]
    query = FORM_QUERY[endpoint](world["args"]) if endpoint in FORM_QUERY else None
    forms = [f for f in page_forms(client, page, query)
             if f["method"] == "post" and f["action"] == urlsplit(url).path]
    assert forms or endpoint in FORM_PAGE, f"{page} shows no form for {endpoint}"
    if not forms:  # the page shows this form only in some state (e.g. after an upload)
        forms = [{"fields": dict.fromkeys(COMMON_FIELDS), "files": set()}]
    end_request()

    for value in WORST:
        for form in forms:
            before = row_counts()
            _pop_flashes(client)
            response = client.post(url, data=dict.fromkeys(form["fields"], value),
                                   content_type="multipart/form-data" if form["files"] else None)
            end_request()
            _check_answer(endpoint, response, _pop_flashes(client), before)
    for form in forms:  # the form as the page fills it, less one field at a time
        shown = {name: default or "" for name, default in form["fields"].items()}
        for missing in sorted(shown):
            before = row_counts()
            _pop_flashes(client)
            response = client.post(url, data={k: v for k, v in shown.items() if k != missing})
            end_request()
            _check_answer(endpoint, response, _pop_flashes(client), before)

    @SETTINGS
    @given(data=st.data())
    def post(data):
        form = data.draw(st.sampled_from(forms), label="form")
        values = {}
        omitted = data.draw(st.sets(st.sampled_from(sorted(form["fields"])), max_size=2)
                            if form["fields"] else st.just(set()), label="omitted")
        for name, default in sorted(form["fields"].items()):
            if name in omitted:
                continue
            choice = (hostile_text if default is None
                      else st.one_of(st.just(default), hostile_text))
            values[name] = data.draw(choice, label=name)
        extra = data.draw(st.dictionaries(
            st.one_of(st.sampled_from(COMMON_FIELDS), st.text(min_size=1, max_size=20)),
            hostile_text, max_size=3), label="extra")
        for name, value in extra.items():
            values.setdefault(name, value)
        for name in sorted(form["files"]):
            upload = data.draw(st.one_of(st.none(), hostile_file), label=name)
            if upload is not None:
                values[name] = upload
        before = row_counts()
        _pop_flashes(client)
        response = client.post(url, data=values,
                               content_type="multipart/form-data" if form["files"] else None)
        end_request()
        _check_answer(endpoint, response, _pop_flashes(client), before)

    post()


# --- every page, hostile query strings and ids ---------------------------------------------

QUERY_FIELDS = ("page", "sort", "dir", "q", "status", "per_page", "competition", "region",
                "kind", "year", "stage", "action", "user", "date_from", "date_to", "lang")
HOSTILE_QUERY = st.sampled_from(("-1", "0", str(10**12), str(10**30), "1e9", "garbage",
                                 "desc; DROP TABLE users", "Я" * 30_000, "\x00", "%00",
                                 "\u202e", " "))


@pytest.mark.parametrize("endpoint", GET_ENDPOINTS)
def test_hostile_query_strings_never_fail_and_write_nothing(app, world, endpoint):
    url = world["urls"][endpoint]
    client = _client_for(world, endpoint)
    if endpoint in {"auth.login", "main.index"}:
        client = app.test_client()
    names = set(QUERY_FIELDS)
    response = client.get(url)
    assert response.status_code < 500
    if response.status_code == 200 and response.mimetype == "text/html":
        parser = _Forms(urlsplit(url).path)
        parser.feed(response.text)
        names |= {n for f in parser.forms if f["method"] == "get" for n in f["fields"]}
    end_request()

    for value in WORST:
        if len(value) > 1000:  # one long argument at a time, not a 10 MB address
            query = {"q": value[:30_000]}
        else:
            query = dict.fromkeys(names, value)
        before = row_counts()
        response = client.get(url, query_string=query)
        end_request()
        assert response.status_code < 500, f"{endpoint} {value[:20]!r}"
        assert not changed_tables(before) - MAY_CHANGE.get(endpoint, set())

    @SETTINGS
    @given(query=st.dictionaries(st.one_of(st.sampled_from(sorted(names)),
                                           st.text(min_size=1, max_size=10)),
                                 st.one_of(HOSTILE_QUERY, hostile_text), max_size=6))
    def get(query):
        before = row_counts()
        response = client.get(url, query_string=query)
        end_request()
        assert response.status_code < 500, f"{endpoint} {query!r}: {response.status_code}"
        assert not changed_tables(before) - MAY_CHANGE.get(endpoint, set())

    get()


HOSTILE_IDS = (0, 2**31, 2**63, 10**30)


def test_hostile_ids_in_urls_are_not_found(app, world):
    """An id in a URL that no row can have (0, beyond 32 or 64 bits) is a 404, not a 500."""
    failures = []
    for rule in _rules(app):
        ints = [name for name, converter in rule._converters.items()
                if type(converter).__name__ == "IntegerConverter"]
        if not ints:
            continue
        client = _client_for(world, rule.endpoint)
        for name in ints:
            for bad in HOSTILE_IDS:
                args = {**world["args"][rule.endpoint], name: bad}
                with app.test_request_context():
                    url = url_for(rule.endpoint, **args)
                method = "get" if "GET" in rule.methods else "post"
                before = row_counts()
                response = getattr(client, method)(url)
                end_request()
                if response.status_code != 404 or changed_tables(before):
                    failures.append(f"{method.upper()} {url}: {response.status_code}")
    assert not failures, "; ".join(failures)


# --- hostile spreadsheets --------------------------------------------------------------------

PARTICIPANTS_HEADER = ["Фамилия", "Имя", "Отчество", "Дата рождения", "Регион", "Организация",
                       "Компетенция", "Категория"]
PARTICIPANT = ["Иванов", "Пётр", "Сергеевич", "14.03.2005", "г. Москва",
               "ГБПОУ «Колледж связи № 54»", "Сварочные технологии", "Основная"]
RESULTS_HEADER = ["Компетенция", "Категория", "Фамилия", "Имя", "Баллы", "Место"]
RESULT = ["Сварочные технологии", "Основная", "Иванов", "Пётр", "85,5", "1"]
SCHEME_HEADER = ["Критерий", "Название критерия", "Аспект", "Макс. балл", "Тип"]
ASPECT = ["A", "Подготовка", "Организация места", "10", "измеримая"]
SHAPES = {"participants": (PARTICIPANTS_HEADER, PARTICIPANT),
          "results": (RESULTS_HEADER, RESULT), "scheme": (SCHEME_HEADER, ASPECT)}
FORMULAS = ("=HYPERLINK(\"http://evil.example\",\"x\")", "=1+1", "=cmd|' /C calc'!A0",
            "=A1", "=SUM(1,2)", "=NOW()", "=TODAY()", "=\"Иванов\"")


def _xlsx(rows, *, text_formulas: bool = False) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    if text_formulas:  # text that starts with «=» (not a formula cell)
        for line in sheet.iter_rows():
            for cell in line:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(rows, encoding: str = "utf-8-sig") -> bytes:
    return "".join(";".join(str(v) for v in row) + "\r\n" for row in rows).encode(encoding)


_BOMB: list[bytes] = []


def _zip_bomb() -> bytes:
    """An «XLSX» whose sheet inflates to 300 MB of zeros; a few hundred KB on disk."""
    if not _BOMB:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("xl/workbook.xml", "<workbook/>")
            with archive.open("xl/worksheets/sheet1.xml", "w") as member:
                chunk = b"\x00" * (4 * 1024 * 1024)
                for _ in range(75):
                    member.write(chunk)
        _BOMB.append(buffer.getvalue())
    return _BOMB[0]


def _many_members() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for n in range(2100):
            archive.writestr(f"xl/m{n}.xml", "")
    return buffer.getvalue()


def _hostile_spreadsheet(case: str, importer: str) -> tuple[str, bytes]:
    header, row = SHAPES[importer]
    good = _xlsx([header, row, row])
    if case == "truncated":
        return "file.xlsx", good[: len(good) // 2]
    if case == "truncated_tail":
        return "file.xlsx", good[:-40]
    if case == "png":
        return "photo.xlsx", HOSTILE_FILES["png.xlsx"]
    if case == "pdf":
        return "scan.xlsx", HOSTILE_FILES["doc.pdf"]
    if case == "zip_bomb":
        return "bomb.xlsx", _zip_bomb()
    if case == "zip_members":
        return "members.xlsx", _many_members()
    if case == "formula_cells":
        return "formulas.xlsx", _xlsx([header] + [[f] * len(header) for f in FORMULAS])
    if case == "formula_text":
        return "formulas.xlsx", _xlsx([header] + [[f] * len(header) for f in FORMULAS],
                                      text_formulas=True)
    if case == "formula_csv":
        return "formulas.csv", _csv([header] + [[f] * len(header) for f in FORMULAS])
    if case == "cell_10mb":
        return "big.csv", _csv([header, [row[0] + "Я" * (5 * 1024 * 1024)] + row[1:]])
    if case == "cell_long_xlsx":
        return "long.xlsx", _xlsx([header, [row[0] + "Я" * 40_000] + row[1:]])
    if case == "utf16":
        return "utf16.csv", _csv([header, row], encoding="utf-16")
    if case == "empty":
        return "empty.csv", b""
    if case == "whitespace":
        return "blank.csv", b" \r\n\t\r\n" * 100
    if case == "header_only":
        return "header.csv", _csv([header])
    if case == "empty_rows_csv":
        return "rows.csv", _csv([header] + [[""] * len(header)] * 50_000)
    if case == "empty_rows_xlsx":  # 50,000 rows that hold nothing but spaces or nothing
        return "rows.xlsx", _xlsx([header] + [[" "] * len(header)] * 100 + [[]] * 49_900
                                  + [[" ", "", None]])
    if case == "nul_csv":
        return "nul.csv", _csv([header, row]).replace(b";", b"\x00;")
    raise AssertionError(case)


HOSTILE_SPREADSHEETS = ("truncated", "truncated_tail", "png", "pdf", "zip_bomb", "zip_members",
                        "formula_cells", "formula_text", "formula_csv", "cell_10mb",
                        "cell_long_xlsx", "utf16", "empty", "whitespace", "header_only",
                        "empty_rows_csv", "empty_rows_xlsx", "nul_csv")


@pytest.fixture
def target(app):
    """A competition that offers welding, with one registered entry (Иванов Пётр, for the
    results protocol), and its offered competency (for the scheme)."""
    competition = factories.make_competition()
    offered = factories.make_offered(competition, "Сварочные технологии", "Основная")
    factories.make_entry(offered, [factories.make_person(last_name="Иванов", first_name="Пётр")])
    ids = {"competition": competition.id, "offered_competency": offered.offered_competency_id}
    end_request()
    return ids


def _competition(ids):
    from registry.models import Competition, OfferedCompetency

    return (db.session.get(Competition, ids["competition"]),
            db.session.get(OfferedCompetency, ids["offered_competency"]))


def _problems(importer: str, ids, data: bytes) -> list[str]:
    """What the importer says about ``data`` without the web: its list of problems."""
    from registry.importers import results as protocol
    from registry.services import ServiceError
    from registry.services import marking as marking_service

    competition, offered_competency = _competition(ids)
    if importer == "participants":
        plan = build_plan(competition, data)
        assert not plan.ok
        return [str(p) for p in plan.problems]
    if importer == "results":
        plan = protocol.build_plan(competition, data)
        assert not plan.ok
        return list(plan.errors)
    try:
        rows = read_scheme(data)
        marking_service.import_scheme(offered_competency, rows)
    except (SchemeFileError, ServiceError) as error:
        return [error.message]
    raise AssertionError("the scheme importer accepted a hostile file")


@pytest.mark.parametrize("importer", ["participants", "results", "scheme"])
@pytest.mark.parametrize("case", HOSTILE_SPREADSHEETS)
def test_hostile_spreadsheets_are_refused_with_a_message(app, target, importer, case):
    _name, data = _hostile_spreadsheet(case, importer)
    before = row_counts()
    problems = _problems(importer, target, data)
    end_request()
    assert problems and all(p.strip() for p in problems), problems
    assert not changed_tables(before)


WEB_CASES = ("truncated", "png", "pdf", "zip_bomb", "formula_cells", "formula_text",
             "cell_long_xlsx", "utf16", "empty", "header_only", "empty_rows_csv", "nul_csv")
UPLOAD_URL = {"participants": "/competitions/{competition}/import",
              "results": "/results/{competition}/import",
              "scheme": "/marking/competencies/{offered_competency}/scheme/import"}


def _upload(client, importer, ids, name, data):
    response = client.post(UPLOAD_URL[importer].format(**ids),
                           data={"file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")
    end_request()
    return response


@pytest.mark.parametrize("importer", ["participants", "results", "scheme"])
def test_hostile_uploads_get_a_page_with_the_problem(app, client, login, target, importer,
                                                     tmp_path):
    app.config["IMPORT_UPLOAD_DIR"] = str(tmp_path / "uploads")
    try:
        login(client, "organiser")
        for case in WEB_CASES:
            name, data = _hostile_spreadsheet(case, importer)
            before = row_counts()
            _pop_flashes(client)
            response = _upload(client, importer, target, name, data)
            flashes = _pop_flashes(client)
            if importer == "participants":
                assert response.status_code == 200, case
                assert 'data-testid="preview-problems"' in response.text, case
                assert 'data-testid="confirm-import"' not in response.text, case
            elif importer == "results":
                assert response.status_code == 422, case
                assert 'data-testid="import-errors"' in response.text, case
            else:
                assert response.status_code == 302, case
                assert [c for c, _m in flashes] == ["danger"] and flashes[0][1].strip(), case
            # a file with rows waits (unconfirmable) so that its rows can be paged; nothing else
            assert not changed_tables(before) - {"pending_uploads"}, case
        assert not (tmp_path / "uploads").exists() or not list((tmp_path / "uploads").iterdir())
        # ten megabytes in one cell: the request is over the limit, a page says so
        name, data = _hostile_spreadsheet("cell_10mb", importer)
        data = data.replace(b"\xd0\xaf" * 1024, b"\xd0\xaf" * 1100, 1) * 2
        before = row_counts()
        response = _upload(client, importer, target, name, data)
        assert response.status_code == 413
        assert "<h1" in response.text and "413" in response.text
        assert not changed_tables(before)
    finally:
        app.config.pop("IMPORT_UPLOAD_DIR", None)


def test_participants_cli_refuses_hostile_files(app, target, tmp_path):
    runner = app.test_cli_runner()
    for case in ("truncated", "png", "zip_bomb", "formula_cells", "utf16", "empty",
                 "header_only", "empty_rows_csv"):
        name, data = _hostile_spreadsheet(case, "participants")
        path = tmp_path / name
        path.write_bytes(data)
        before = row_counts()
        result = runner.invoke(args=["import", "participants", str(path), "--competition",
                                     str(target["competition"])])
        end_request()
        assert result.exit_code != 0 and result.output.strip(), case
        assert not changed_tables(before), case


@pytest.mark.parametrize("importer", ["participants", "results"])
def test_more_rows_than_the_limit_are_refused(app, target, importer):
    header, row = SHAPES[importer]
    rows = [header] + [[f"{row[0]}а{'б' * n}" if importer == "participants" else row[0],
                        *row[1:]] for n in range(6)]
    app.config["IMPORT_MAX_ROWS"] = 5
    try:
        before = row_counts()
        for data in (_csv(rows), _xlsx(rows)):
            problems = _problems(importer, target, data)
            assert any("5" in p for p in problems), problems
        assert not changed_tables(before)
    finally:
        app.config["IMPORT_MAX_ROWS"] = 20000


def test_a_scheme_with_more_rows_than_the_limit_is_refused(app, target):
    rows = [SCHEME_HEADER] + [["A", "Подготовка", f"Аспект {n}", "0,01", "измеримая"]
                              for n in range(2001)]
    before = row_counts()
    problems = _problems("scheme", target, _csv(rows))
    assert any("2000" in p for p in problems), problems
    assert not changed_tables(before)
