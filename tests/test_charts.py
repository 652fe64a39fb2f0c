"""The medal-table page (/medals) and the charts of a results page: the SVG is parsed and read
back against the table (each region's segments, their widths proportional to the counts),
hostile names stay text, the filters and the sort, the roles, and a constant query count."""
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from sqlalchemy import event

from registry import charts
from registry.extensions import db
from registry.models import Competency, Region
from registry.services.results import publish

from . import factories, test_awards_exports
from .test_awards_exports import MOSCOW, ORENBURG, TATARSTAN, _person, _set_totals

# the competition of the exports' tests: six welders and two teams, medals known by hand
season = pytest.fixture(test_awards_exports.season.__wrapped__)
SVG = "{http://www.w3.org/2000/svg}"
AWARDS = ("gold", "silver", "bronze", "medallion")
SEASON_TABLE = {ORENBURG: [2, 0, 1, 1, 4], TATARSTAN: [1, 1, 0, 1, 3]}


def _svgs(html: str) -> list[ET.Element]:
    """Every <svg> of the page, parsed as XML (it must be well-formed)."""
    return [ET.fromstring(m) for m in re.findall(r"<svg\b.*?</svg>", html, re.S)]


def _chart(html: str, kind: str) -> ET.Element:
    found = [svg for svg in _svgs(html) if svg.get("data-chart") == kind]
    assert len(found) == 1, f"{len(found)} {kind} charts"
    return found[0]


def _bars(svg: ET.Element) -> dict[str, dict[str, tuple[int, float]]]:
    """{region: {award: (count, width)}} of a medal chart's segments, in the chart's order."""
    bars: dict[str, dict[str, tuple[int, float]]] = {}
    for rect in svg.iter(f"{SVG}rect"):
        if rect.get("data-award"):
            bars.setdefault(rect.get("data-region"), {})[rect.get("data-award")] = (
                int(rect.get("data-count")), float(rect.get("width")))
    return bars


def _table(html: str, testid: str = "medal-table") -> list[list[str]]:
    found = re.search(rf'data-testid="{testid}".*?<tbody>(.*?)</tbody>', html, re.S)
    if found is None:
        assert 'data-testid="medal-empty"' in html
        return []
    body = found.group(1)
    return [[re.sub(r"<[^>]+>", "", cell).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def _check_bars_match_table(svg: ET.Element, table: list[list[str]]) -> None:
    bars = _bars(svg)
    assert list(bars) == [row[0] for row in table]  # one bar per region, in the table's order
    unit = None
    for row in table:
        region, counts = row[0], [int(v) for v in row[1:5]]
        segments = bars[region]
        assert {a: c for a, (c, _w) in segments.items()} == {
            a: c for a, c in zip(AWARDS, counts, strict=True) if c}
        for count, width in segments.values():
            unit = unit or width / count
            assert width == pytest.approx(unit * count, abs=0.02)  # one scale for every bar
        total = next(g for g in svg.iter(f"{SVG}g") if g.get("data-region") == region)
        assert total.get("data-total") == row[5]


def test_the_medal_page_chart_matches_its_table(client, login, season):
    competition, _, _ = season
    publish(competition)
    login(client, "coordinator")
    response = client.get("/medals")
    assert response.status_code == 200
    html = response.text
    table = _table(html)
    assert {row[0]: [int(v) for v in row[1:]] for row in table} == SEASON_TABLE
    assert [row[0] for row in table] == [ORENBURG, TATARSTAN]  # ranked by gold first
    svg = _chart(html, "bars")
    _check_bars_match_table(svg, table)
    # a text alternative: role, title and a desc naming every number
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "Медали по регионам"
    desc = svg.find(f"{SVG}desc").text
    assert f"{ORENBURG}: золото 2, серебро 0, бронза 1, медальоны 1, всего 4." in desc
    assert svg.get("aria-labelledby") == "medal-chart-title medal-chart-desc"
    # CSP: no style attribute, no script in the chart
    assert 'style="' not in html.split("<svg", 1)[1].split("</svg>")[0]
    assert not list(svg.iter(f"{SVG}script"))


def test_sorting_by_each_column_orders_table_and_bars_alike(client, login, season):
    competition, _, _ = season
    publish(competition)
    other = factories.make_competition(title="Другой чемпионат")
    offered = factories.make_offered(other, "Сварочные технологии", "Основная")
    _set_totals(offered, {factories.register_entry(offered, [_person("Орлов", MOSCOW)]): 90,
                          factories.register_entry(offered, [_person("Петров", MOSCOW)]): 80,
                          factories.register_entry(offered, [_person("Рыбин", MOSCOW)]): 70})
    publish(other)  # Москва: 1 gold, 1 silver, 1 bronze = 3
    login(client, "organiser")
    # Оренбург 2-0-1-1 (4), Москва 1-1-1-0 (3), Татарстан 1-1-0-1 (3)
    expected = {
        None: [ORENBURG, MOSCOW, TATARSTAN],
        ("region", "asc"): [MOSCOW, ORENBURG, TATARSTAN],
        ("region", "desc"): [TATARSTAN, ORENBURG, MOSCOW],
        ("silver", "desc"): [MOSCOW, TATARSTAN, ORENBURG],  # ties keep the ranking
        ("bronze", "desc"): [ORENBURG, MOSCOW, TATARSTAN],
        ("medallion", "asc"): [MOSCOW, ORENBURG, TATARSTAN],
        ("total", "desc"): [ORENBURG, MOSCOW, TATARSTAN],
        ("total", "asc"): [MOSCOW, TATARSTAN, ORENBURG],
        ("gold", "asc"): [MOSCOW, TATARSTAN, ORENBURG],
        ("gold", "desc"): [ORENBURG, MOSCOW, TATARSTAN],
    }
    for sort, order in expected.items():
        query = f"?sort={sort[0]}&dir={sort[1]}" if sort else ""
        html = client.get("/medals" + query).text
        table = _table(html)
        assert [row[0] for row in table] == order, sort
        _check_bars_match_table(_chart(html, "bars"), table)
    html = client.get("/medals?sort=silver").text  # a header link: descending first
    assert 'aria-sort="descending"' in html
    assert 'href="/medals?sort=silver&amp;dir=asc"' in html  # clicking again reverses
    assert [r[0] for r in _table(client.get("/medals?sort=nonsense&dir=up").text)] == expected[None]


def test_filters_choose_the_competitions(client, login, season):
    competition, _, _ = season
    publish(competition)
    other = factories.make_competition(title="Абилимпикс 2023", kind_slug="abilympics", year=2023,
                                       stage="final")
    offered = factories.make_offered(other, None, None)
    _set_totals(offered, {factories.register_entry(offered, [_person("Орлов", MOSCOW)]): 90})
    publish(other)
    login(client, "coordinator")

    def regions(query):
        response = client.get("/medals" + query)
        assert response.status_code == 200, response.text
        return [row[0] for row in _table(response.text)]

    assert regions("") == [ORENBURG, TATARSTAN, MOSCOW]
    assert regions(f"?competition={other.id}") == [MOSCOW]
    assert regions(f"?competition={competition.id}") == [ORENBURG, TATARSTAN]
    assert regions("?kind=abilympics") == [MOSCOW]
    assert regions(f"?year={competition.year}") == [ORENBURG, TATARSTAN]
    assert regions("?stage=final") == [MOSCOW]
    assert regions(f"?stage=final&kind=professionaly&year={competition.year}") == []
    html = client.get("/medals?kind=abilympics").text
    # the same table one click away, with the same filters
    assert re.search(r'href="/exports/medals\?[^"]*kind=abilympics[^"]*"', html)
    assert 'selected value="abilympics"' in html or 'value="abilympics" selected' in html
    # a filter that names nothing is an error, never the whole table
    response = client.get("/medals?competition=999999")
    assert response.status_code == 400
    assert "medal-table" not in response.text and 'data-testid="medal-error"' in response.text
    assert client.get("/medals?year=abc").status_code == 400
    empty = client.get("/medals?year=2001")
    assert empty.status_code == 200 and 'data-testid="medal-empty"' in empty.text
    assert not _svgs(empty.text)


def test_the_download_link_gives_the_same_table(client, login, season):
    competition, _, _ = season
    publish(competition)
    login(client, "coordinator")
    html = client.get(f"/medals?competition={competition.id}").text
    link = re.search(r'href="([^"]+)" data-testid="medal-download-csv"', html).group(1)
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 200
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[1:] == [f"{ORENBURG};2;0;1;1;4", f"{TATARSTAN};1;1;0;1;3"]
    assert 'href="/medals"' in client.get("/exports/").text  # and the page from the exports


def test_the_page_needs_a_login(client):
    assert client.get("/medals").status_code == 302  # to the login page


@pytest.mark.parametrize(("role", "status"), [
    ("expert", 403), ("coordinator", 200), ("organiser", 200), ("admin", 200)])
def test_only_roles_with_the_export_permission_see_the_page(client, login, role, status):
    login(client, role)
    assert client.get("/medals").status_code == status


def test_hostile_region_and_competency_names_stay_text(client, login, season):
    competition, welding, e = season
    hostile = '<script>alert("x")</script> & </svg><svg onload=alert(1)>'
    region = Region(name=hostile, code="Z9", federal_district="test")
    db.session.add(region)
    competency = Competency(name=hostile + " ]]> --> 'q'", code=None)
    db.session.add(competency)
    db.session.commit()
    evil = factories.make_offered(competition, competency, "Основная")
    person = factories.make_person(last_name="Злой", region=region)
    _set_totals(evil, {factories.register_entry(evil, [person]): 99,
                       factories.register_entry(evil, [_person("Добрый", MOSCOW)]): 50})
    publish(competition)
    login(client, "organiser")
    for url in ("/medals", f"/results/{competition.id}?all=1"):
        html = client.get(url).text
        assert "<script>alert" not in html and "<svg onload" not in html
        bars = _bars(_chart(html, "bars"))  # still well-formed XML
        assert bars[hostile] == {"gold": (1, pytest.approx(bars[hostile]["gold"][1]))}
    strip = _chart(html, "strip")
    groups = {c.get("data-group") for c in strip.iter(f"{SVG}circle")}
    assert f"{competency.name} · Основная" in groups
    labels = [t.text for t in strip.iter(f"{SVG}text")]
    assert f"{competency.name} · Основная" in labels


def test_results_page_charts_show_the_published_results_only(client, login, season):
    competition, welding, e = season
    login(client, "organiser")
    html = client.get(f"/results/{competition.id}?all=1").text
    assert 'data-testid="results-charts"' not in html  # nothing published: no chart
    publish(competition)
    html = client.get(f"/results/{competition.id}?all=1").text
    table = _table(html, "results-medal-table")
    assert {row[0]: [int(v) for v in row[1:]] for row in table} == SEASON_TABLE
    _check_bars_match_table(_chart(html, "bars"), table)
    strip = _chart(html, "strip")
    points = {}
    for circle in strip.iter(f"{SVG}circle"):
        points.setdefault(circle.get("data-group"), []).append(Decimal(circle.get("data-points")))
    assert points == {
        "Командная работа на производстве · Основная": [Decimal("88.00"), Decimal("95.00")],
        "Сварочные технологии · Основная": [Decimal(v) for v in
                                            ("60.00", "72.00", "80.00", "85.00", "90.00", "90.00")]}
    medians = {line.get("data-median") for line in strip.iter(f"{SVG}line") if line.get("data-median")}
    assert medians == {"91.50", "82.50"}
    # a correction after publication is a draft: the charts keep the published result
    _set_totals(welding, {e["Егоров"]: 99})
    html = client.get(f"/results/{competition.id}?all=1").text
    assert {r[0]: [int(v) for v in r[1:]] for r in _table(html, "results-medal-table")} == SEASON_TABLE
    assert MOSCOW not in _bars(_chart(html, "bars"))
    assert "99" not in {c.get("data-points") for c in _chart(html, "strip").iter(f"{SVG}circle")}


def test_a_provisional_competency_is_not_in_the_charts(client, login, season):
    competition, welding, e = season
    publish(competition, welding.offered_competency)
    login(client, "coordinator")
    html = client.get(f"/results/{competition.id}?all=1").text
    table = _table(html, "results-medal-table")
    # the team competency is provisional: only welding's medals (gold 2 Orenburg and so on)
    assert {row[0]: [int(v) for v in row[1:]] for row in table} == {
        ORENBURG: [1, 0, 1, 1, 3], TATARSTAN: [1, 0, 0, 1, 2]}
    groups = {c.get("data-group") for c in _chart(html, "strip").iter(f"{SVG}circle")}
    assert groups == {"Сварочные технологии · Основная"}
    assert 'data-testid="charts-scope"' not in html
    # one competency shown: its charts count that competency only, and say so
    html = client.get(f"/results/{competition.id}?competency={welding.offered_competency_id}").text
    assert 'data-testid="charts-scope"' in html
    assert {r[0] for r in _table(html, "results-medal-table")} == {ORENBURG, TATARSTAN}


def _statements(client, url: str) -> int:
    statements = []

    def count(*args):
        statements.append(args)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_medal_page_query_count_does_not_grow_with_the_data(client, login, season):
    competition, _, _ = season
    publish(competition)
    login(client, "coordinator")
    few = _statements(client, "/medals")
    few_filtered = _statements(client, f"/medals?competition={competition.id}&sort=region")
    for n, region in enumerate((MOSCOW, "Республика Башкортостан", "Самарская область")):
        other = factories.make_competition(title=f"Чемпионат {n}")
        offered = factories.make_offered(other, "Сварочные технологии", "Основная")
        _set_totals(offered, {factories.register_entry(offered, [_person(f"Орлов{n}{i}", region)]): 90 - i
                              for i in range(4)})
        publish(other)
    assert _statements(client, "/medals") == few
    assert _statements(client, f"/medals?competition={competition.id}&sort=region") == few_filtered


# --- the chart functions on their own ---------------------------------------------------------

def test_stacked_bars_escape_text_and_refuse_a_bad_id():
    svg = charts.stacked_bars([('A "quoted" <b>&', (1, 0, 0, 2))],
                              charts.medal_series(dict.fromkeys(AWARDS, "<i>")),
                              chart_id="c1", title="T <t>", desc="D & d")
    root = ET.fromstring(str(svg))
    assert root.find(f"{SVG}title").text == "T <t>" and root.find(f"{SVG}desc").text == "D & d"
    assert {r.get("data-region") for r in root.iter(f"{SVG}rect") if r.get("data-award")} == {
        'A "quoted" <b>&'}
    assert "<b>" not in str(svg) and "<i>" not in str(svg)
    with pytest.raises(ValueError):
        charts.stacked_bars([], [], chart_id='x" onload="alert(1)', title="", desc="")


def test_patterns_tell_medals_apart_without_colour():
    svg = ET.fromstring(str(charts.stacked_bars(
        [("R", (1, 1, 1, 1))], charts.medal_series(dict.fromkeys(AWARDS, "x")),
        chart_id="p", title="", desc="")))
    fills = {r.get("data-award"): r.get("fill") for r in svg.iter(f"{SVG}rect") if r.get("data-award")}
    assert len(set(fills.values())) == 4  # four different paints …
    patterns = {p.get("id") for p in svg.iter(f"{SVG}pattern")}
    assert patterns == {"p-silver", "p-bronze", "p-medallion"}  # … three patterns and solid gold
    # every segment wide enough carries its count, for grey print
    assert [t.text for t in svg.iter(f"{SVG}text") if t.get("font-weight") is None][-4:] == [
        "1", "1", "1", "1"]


def test_quartiles_and_steps():
    assert charts.quartiles([Decimal(v) for v in (1, 2, 3, 4)]) == (Decimal("1.5"), Decimal("2.5"),
                                                                    Decimal("3.5"))
    assert charts.quartiles([Decimal(5)]) == (5, 5, 5)
    assert charts.nice_step(7, integer=True) == 2 and charts.nice_step(0) == 1
    assert charts.nice_step(0.3) == 0.05 and charts.nice_step(100) == 20


def test_strip_plot_scale_starts_at_zero_unless_all_results_are_high():
    def axis_and_dots(points):
        svg = ET.fromstring(str(charts.strip_plot([("a", [Decimal(p) for p in points])],
                                                  chart_id="s", title="", desc="")))
        ticks = [t.text for t in svg.find(f"{SVG}g[@class='chart-axis']").iter(f"{SVG}text")]
        dots = [float(c.get("cx")) for c in svg.iter(f"{SVG}circle")]
        return ticks, dots

    ticks, dots = axis_and_dots([10, 95])
    assert ticks[0] == "0" and ticks[-1] == "100"
    assert (dots[1] - charts.LEFT) / (dots[0] - charts.LEFT) == pytest.approx(9.5, rel=1e-3)
    ticks, dots = axis_and_dots([62, 81, 95])
    assert ticks[0] == "60" and ticks[-1] == "100"  # close results stay apart
    width = dots[2] - dots[0]
    assert (dots[1] - dots[0]) / width == pytest.approx(19 / 33, rel=1e-3)
    ticks, dots = axis_and_dots([90, 90])  # all equal: from 0
    assert ticks[0] == "0" and dots[0] == dots[1]
