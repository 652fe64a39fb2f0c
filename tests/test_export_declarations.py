"""Filters and formats are declared once, by each exporter: the export page's form, the
``flask export`` options and the checks come from the declarations. A test-only exporter with
made-up filters shows it; and the audit entry of an export is committed, by web and by CLI."""
import csv
import io
import re

import pytest
from sqlalchemy import func, select
from wtforms import IntegerField
from wtforms.validators import NumberRange

from registry.exporters import EXPORTERS, OUTPUT_FORMATS, Column, Exporter, Filter, register, unregister
from registry.exporters.base import INTEGER, TABLE_FORMATS
from registry.exporters.filters import COMPETITION
from registry.exporters.service import run_export
from registry.extensions import db
from registry.models import AuditEntry
from registry.services import ServiceError

from . import factories

SHOES = [("red", 38), ("red", 44), ("blue", 41)]
COLOURS = {"red": "Красный", "blue": "Синий"}


def _size(text):
    return int(text) if text.isdigit() else None


COLOUR = Filter("colour", "Цвет", lambda text: text if text in COLOURS else None,
                "Unknown colour: %(value)s.", choices=lambda: list(COLOURS.items()),
                help="A colour: red or blue.")
SHOE_SIZE = Filter("shoe_size", "Размер обуви", _size, "Not a size: %(value)s.",
                   field=IntegerField, validators=(NumberRange(30, 50),), help="A shoe size.")


class ShoesExporter(Exporter):
    identifier = "shoes"
    label = "Обувь"
    filters = (COMPETITION, COLOUR, SHOE_SIZE)

    def columns(self):
        return [Column("Цвет"), Column("Размер", INTEGER)]

    def rows(self, filters):
        for colour, size in SHOES:
            if filters.get("colour", colour) == colour and filters.get("shoe_size", size) == size:
                yield (colour, size)


@pytest.fixture
def shoes():
    register(ShoesExporter)
    yield EXPORTERS["shoes"]
    unregister("shoes")


def _card(page: str, identifier: str) -> str:
    """The export page's form of one exporter."""
    match = re.search(rf'<form[^>]*action="/exports/{identifier}".*?</form>', page, re.S)
    assert match, identifier
    return match.group(0)


def _audit_committed() -> int:
    with db.engine.connect() as conn:  # committed rows only
        return conn.scalar(select(func.count()).select_from(AuditEntry))


# --- the declarations ------------------------------------------------------------------------

def test_every_exporter_declares_filters_and_table_formats():
    for exporter in EXPORTERS.values():
        assert all(isinstance(f, Filter) for f in exporter.filters), exporter.identifier
        assert exporter.formats == TABLE_FORMATS
    assert set(TABLE_FORMATS) <= set(OUTPUT_FORMATS)
    names = {e: [f.name for f in x.filters] for e, x in EXPORTERS.items()}
    assert names["internships"] == ["competition", "region", "award"]
    assert names["medals"] == ["kind", "year", "stage", "competition", "competency", "category",
                               "order"]


def test_register_refuses_bad_declarations():
    class Twice(ShoesExporter):
        identifier = "twice"
        filters = (COLOUR, COLOUR)

    class Reserved(ShoesExporter):
        identifier = "reserved"
        filters = (Filter("format", "x", str, "x"),)

    class Pdf(ShoesExporter):
        identifier = "pdf-only"
        formats = ("pdf",)

    for cls in (Twice, Reserved, Pdf):
        with pytest.raises(ValueError):
            register(cls)
        assert cls.identifier not in EXPORTERS


# --- a made-up filter: on the page, as a CLI option, validated ------------------------------

def test_made_up_filters_appear_on_the_export_page(client, login, shoes):
    login(client, "coordinator")
    page = client.get("/exports/").text
    card = _card(page, "shoes")
    assert 'name="colour"' in card and 'value="blue"' in card and "Синий" in card
    assert 'name="shoe_size"' in card and "Размер обуви" in card
    assert 'name="competition"' in card and 'name="region"' not in card
    assert 'name="colour"' not in _card(page, "winners")
    assert 'name="award"' in _card(page, "winners")


def test_made_up_filters_download_and_are_validated_on_the_web(client, login, shoes):
    login(client, "coordinator")
    response = client.get("/exports/shoes?colour=red&shoe_size=44&format=csv&lang=ru&delimiter=%3B")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["Цвет", "Размер"], ["red", "44"]]
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export.run"))
    assert audit.details["filters"] == {"colour": "red", "shoe_size": "44"}
    before = _audit_committed()
    for query, message in (("colour=purple", "Unknown colour: purple."),
                           ("shoe_size=99", "30"),  # the field's own validator
                           ("shoe_size=abc", "")):
        response = client.get(f"/exports/shoes?{query}&format=csv&lang=ru&delimiter=%3B",
                              follow_redirects=True)
        assert response.status_code == 200 and "alert-danger" in response.text, query
        assert message in response.text
        assert "Размер" in response.text  # back on the export page
    assert _audit_committed() == before


def test_made_up_filters_are_cli_options_and_are_validated(app, tmp_path, shoes):
    runner = app.test_cli_runner()
    help_text = runner.invoke(args=["export", "shoes", "--help"]).output
    assert "--colour" in help_text and "--shoe-size" in help_text and "--competition" in help_text
    assert "--region" not in help_text and "A colour: red or blue." in help_text
    assert "shoes" in runner.invoke(args=["export", "--help"]).output
    out = tmp_path / "shoes.csv"
    result = runner.invoke(args=["export", "shoes", "--format", "csv", "--output", str(out),
                                 "--colour", "red"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert rows[1:] == [["red", "38"], ["red", "44"]]
    result = runner.invoke(args=["export", "shoes", "--format", "csv", "--output", str(out),
                                 "--shoe-size", "41"])
    assert result.exit_code == 0 and out.read_bytes().decode("utf-8-sig").endswith("blue;41\r\n")
    out.unlink()
    for bad, message in ((["--colour", "purple"], "Unknown colour: purple."),
                         (["--shoe-size", "big"], "Not a size: big.")):
        result = runner.invoke(args=["export", "shoes", "--format", "csv", "--output", str(out),
                                     *bad])
        assert result.exit_code != 0 and message in result.output
        assert not out.exists()


def test_an_option_the_exporter_does_not_declare_is_refused(app, tmp_path, shoes):
    runner = app.test_cli_runner()
    out = tmp_path / "w.csv"
    result = runner.invoke(args=["export", "winners", "--format", "csv", "--output", str(out),
                                 "--colour", "red"])
    assert result.exit_code == 2 and "--colour" in result.output and "--award" in result.output
    result = runner.invoke(args=["export", "medals", "--format", "csv", "--output", str(out),
                                 "--region", "Татарстан"])
    assert result.exit_code == 2 and "no option --region" in result.output
    assert not out.exists()
    with pytest.raises(ServiceError) as refused:
        run_export("winners", {"colour": "red"}, "csv", actor=None)
    assert "colour" in refused.value.message
    # an empty value is no filter at all
    run_export("winners", {"region": "", "award": None}, "csv", actor=None)
    result = runner.invoke(args=["export", "winners", "--format", "pdf", "--output", str(out)])
    assert result.exit_code == 2 and not out.exists()


# --- the audit entry is committed -------------------------------------------------------------

def test_cli_export_commits_its_audit_entry(app, tmp_path):
    competition = factories.make_competition()
    db.session.commit()
    out = tmp_path / "p.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "participants", "--output", str(out),
                                                "--competition", str(competition.id)])
    assert result.exit_code == 0, result.output
    assert _audit_committed() == 1
    result = app.test_cli_runner().invoke(args=["export", "participants", "--output", str(out),
                                                "--competition", "999999"])
    assert result.exit_code != 0 and _audit_committed() == 1


def test_web_export_commits_its_audit_entry(client, login):
    login(client, "coordinator")
    response = client.get("/exports/medals?format=xlsx&lang=en&delimiter=%3B")
    assert response.status_code == 200 and response.data
    assert _audit_committed() == 1
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.details["exporter"], entry.details["lang"]) == ("medals", "en")
