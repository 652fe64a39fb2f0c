"""Export files are named by what they hold, in Latin letters; the export page's fields have
ids of their own."""
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest

from registry.exporters.service import content_disposition, region_slug
from registry.text import slug, transliterate

from . import factories


@pytest.mark.parametrize(("text", "latin"), [
    ("Профессионалы", "professionaly"),
    ("Щукин Юрий Ёжиков", "shchukin iurii ezhikov"),
    ("Объём", "obieem"),
    ("Хабаровский край", "khabarovskii krai"),
    ("Цель: ясно", "tsel: iasno"),
])
def test_transliteration_is_the_passport_scheme(text, latin):
    assert transliterate(text) == latin


def test_slug_is_ascii_words_joined_by_hyphens_and_cut_at_a_hyphen():
    assert slug("  Сварочные   технологии (юниоры) ") == "svarochnye-tekhnologii-iuniory"
    assert slug("master_of_the_year") == "master-of-the-year"
    long = slug("Эксплуатация сельскохозяйственных машин и оборудования", limit=30)
    assert long == "ekspluatatsiia" or (len(long) <= 30 and not long.endswith("-"))


@pytest.mark.parametrize(("name", "expected"), [
    ("Республика Татарстан", "tatarstan"),
    ("Оренбургская область", "orenburgskaia"),
    ("Кемеровская область — Кузбасс", "kemerovskaia"),
    ("Ханты-Мансийский автономный округ — Югра", "khanty-mansiiskii"),
    ("Москва", "moskva"),
    ("Донецкая Народная Республика", "donetskaia"),
])
def test_region_slug_leaves_out_the_kind_of_subject(name, expected):
    assert region_slug(name) == expected


def _download(client, query):
    # read to the end, as a server does: a streamed body left unread keeps its request
    # context open until the garbage collector closes it, out of order
    response = client.get(f"/exports/winners?{query}&format=xlsx&lang=ru&delimiter=%3B")
    assert response.status_code == 200, response.headers
    response.get_data()
    return response.headers["Content-Disposition"]


def test_download_is_named_by_its_filters(client, login):
    login(client, "coordinator")
    factories.kind("professionaly")
    factories.region("Республика Татарстан")
    header = _download(client, "kind=professionaly&year=2025&stage=regional&region=Республика+Татарстан")
    assert 'filename="winners-professionaly-2025-regional-tatarstan.xlsx"' in header
    assert "filename*=UTF-8''winners-professionaly-2025-regional-tatarstan.xlsx" in header


def test_download_of_a_competition_names_its_kind_year_stage_and_host(client, login):
    login(client, "coordinator")
    competition = factories.make_competition(year=2024, host_region=factories.region("Оренбургская область"))
    header = _download(client, f"competition={competition.id}&award=gold")
    assert 'filename="winners-professionaly-2024-regional-orenburgskaia-gold.xlsx"' in header


def test_download_without_filters_is_named_by_exporter_and_day(client, login):
    login(client, "coordinator")
    header = _download(client, "kind=")
    assert header.startswith('attachment; filename="winners-20')


def test_content_disposition_gives_an_ascii_name_and_the_utf8_one():
    header = content_disposition("итоги 2025.csv")
    assert 'filename="_____ 2025.csv"' in header
    assert unquote(header.split("filename*=UTF-8''")[1]) == "итоги 2025.csv"
    header.encode("latin-1")  # a header must be Latin-1


def test_cli_writes_the_same_default_name(app, tmp_path, monkeypatch):
    factories.kind("professionaly")
    monkeypatch.chdir(tmp_path)
    result = app.test_cli_runner().invoke(
        args=["export", "winners", "--kind", "professionaly", "--year", "2025"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "winners-professionaly-2025.xlsx").exists()
    result = app.test_cli_runner().invoke(
        args=["export", "winners", "--format", "csv", "--stage", "final", "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "winners-final.csv").exists()


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.labels: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "label" and "for" in attrs:
            self.labels.append(attrs["for"])


def test_export_page_has_no_duplicate_ids_and_labels_point_at_their_fields(client, login):
    login(client, "coordinator")
    page = client.get("/exports/")
    parser = _Ids()
    parser.feed(page.text)
    duplicates = {i for i in parser.ids if parser.ids.count(i) > 1}
    assert not duplicates
    assert "winners-format" in parser.ids and "participants-format" in parser.ids
    assert set(parser.labels) <= set(parser.ids)
    assert 'name="format"' in page.text  # the names the download reads are unchanged


def test_a_download_without_delimiter_or_language_takes_the_defaults(app, client, login):
    login(client, "coordinator")
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/exports/medals?format={fmt}")
        assert response.status_code == 200, (fmt, response.status_code)
        assert response.get_data()
    assert client.get("/exports/medals?format=csv").data.decode("utf-8-sig").count(";") > 0
