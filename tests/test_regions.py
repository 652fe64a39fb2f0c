"""Region names as people write them map to one of the 89 regions, and never to the wrong one."""
import csv

import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.models import Region
from registry.services.regions import (
    ALIASES_FILE,
    AmbiguousAlias,
    RegionLookup,
    load_aliases,
    match_region,
    region_key,
    region_lookup,
)


@pytest.fixture
def lookup(app):
    return region_lookup()


def test_every_official_name_maps_to_itself_and_keys_are_distinct(lookup):
    regions = list(db.session.scalars(select(Region)))
    assert len(regions) == 89
    keys = {}
    for region in regions:
        key = region_key(region.name)
        assert key, region.name
        assert key not in keys, f"{region.name} and {keys[key]} share the key {key!r}"
        keys[key] = region.name
        assert lookup.match(region.name) is region
        assert lookup.match(region.name.upper()) is region
        assert lookup.match(f"  {region.name.lower()}  ") is region


def test_exact_names_win_over_the_partial_fallback(lookup):
    """«Ненецкий» is a word of «Ямало-Ненецкий» too: the exact key decides, never the
    fallback; the fallback answers only when exactly one region contains every word."""
    words = {r.name: set(region_key(r.name).split()) for r in lookup.regions}
    for name, ws in words.items():
        for other, ows in words.items():
            if other != name and ws <= ows:
                assert lookup.match(name).name == name
    assert lookup.match("Ненецкий").name == "Ненецкий автономный округ"
    assert lookup.match("Ямало").name == "Ямало-Ненецкий автономный округ"
    assert lookup.match("Народная") is None  # Донецкая and Луганская


def test_aliases_file_names_existing_regions_without_conflict(lookup):
    codes = {r.code for r in lookup.regions}
    aliases = load_aliases()
    assert len(aliases) > 30
    for alias, code in aliases:
        assert code in codes, alias
        assert lookup.match(alias).code == code, alias
    with open(ALIASES_FILE, encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == ["alias", "code"]


@pytest.mark.parametrize(("text", "expected"), [
    ("г. Москва", "Москва"),
    ("г.Москва", "Москва"),
    ("город Москва", "Москва"),
    ("Москва", "Москва"),
    ("МОСКВА", "Москва"),
    ("Московская обл.", "Московская область"),
    ("Татарстан", "Республика Татарстан"),
    ("Республика Татарстан", "Республика Татарстан"),
    ("республика татарстан", "Республика Татарстан"),
    ("Респ. Татарстан", "Республика Татарстан"),
    ("Кемеровская область – Кузбасс", "Кемеровская область — Кузбасс"),
    ("Кемеровская область — Кузбасс", "Кемеровская область — Кузбасс"),
    ("Кемеровская область - Кузбасс", "Кемеровская область — Кузбасс"),
    ("Кемеровская область-Кузбасс", "Кемеровская область — Кузбасс"),
    ("Кемеровская область", "Кемеровская область — Кузбасс"),
    ("Кузбасс", "Кемеровская область — Кузбасс"),
    ("Якутия", "Республика Саха (Якутия)"),
    ("Республика Саха (Якутия)", "Республика Саха (Якутия)"),
    ("Республика Саха", "Республика Саха (Якутия)"),
    ("Чувашия", "Чувашская Республика"),
    ("Чувашская Республика — Чувашия", "Чувашская Республика"),
    ("ХМАО", "Ханты-Мансийский автономный округ — Югра"),
    ("ХМАО-Югра", "Ханты-Мансийский автономный округ — Югра"),
    ("Ханты-Мансийский АО - Югра", "Ханты-Мансийский автономный округ — Югра"),
    ("Югра", "Ханты-Мансийский автономный округ — Югра"),
    ("ЯНАО", "Ямало-Ненецкий автономный округ"),
    ("Ямало-Ненецкий АО", "Ямало-Ненецкий автономный округ"),
    ("Ненецкий АО", "Ненецкий автономный округ"),
    ("Санкт-Петербург", "Санкт-Петербург"),
    ("г. Санкт-Петербург", "Санкт-Петербург"),
    ("Санкт Петербург", "Санкт-Петербург"),
    ("СПб", "Санкт-Петербург"),
    ("спб", "Санкт-Петербург"),
    ("Северная Осетия-Алания", "Республика Северная Осетия — Алания"),
    ("Башкирия", "Республика Башкортостан"),
    ("Алтай", "Республика Алтай"),
    ("Республика Алтай", "Республика Алтай"),
    ("Алтайский край", "Алтайский край"),
    ("Еврейская АО", "Еврейская автономная область"),
    ("Орёл", None),
    ("Оренбургская", "Оренбургская область"),
    ("ДНР", "Донецкая Народная Республика"),
    ("Крым", "Республика Крым"),
    ("77", "Москва"),
])
def test_spellings(lookup, text, expected):
    region = lookup.match(text)
    assert (region.name if region else None) == expected


@pytest.mark.parametrize("text", ["", None, "   ", "область", "Республика", "край", "г.",
                                  "Нарния", "Москва Татарстан", "999"])
def test_no_match(lookup, text):
    assert lookup.match(text) is None


def test_similar_names_do_not_collide(lookup):
    pairs = [("Москва", "Московская область"), ("Алтай", "Алтайский край"),
             ("Ненецкий АО", "Ямало-Ненецкий автономный округ"),
             ("Санкт-Петербург", "Ленинградская область"),
             ("Курская область", "Курганская область"),
             ("Новгородская область", "Нижегородская область")]
    for a, b in pairs:
        assert lookup.match(a) is not lookup.match(b), (a, b)


def test_match_region_function_and_one_query_per_lookup(app):
    assert match_region("г. Москва").name == "Москва"
    from sqlalchemy import event

    lookup = region_lookup()
    statements = []

    def count(*args):
        statements.append(args)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for _ in range(50):
            assert lookup.match("Татарстан").code == "16"
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert statements == []


def test_an_alias_naming_another_region_is_refused(lookup):
    with pytest.raises(AmbiguousAlias):
        RegionLookup(lookup.regions, aliases=[("Москва", "50")])
