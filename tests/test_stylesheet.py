"""The project's stylesheet is well formed: a block left open makes every rule after it apply
only inside that block (the charts' and the print rules once applied on phones only)."""
import re
from pathlib import Path

CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "registry.css"


def _without_comments(text: str) -> str:
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def test_every_block_of_the_stylesheet_is_closed_where_it_opens():
    depth = 0
    for number, line in enumerate(_without_comments(CSS.read_text(encoding="utf-8"))
                                  .splitlines(), 1):
        for char in line:
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0, f"line {number}: a block closed that was never opened"
    assert depth == 0, f"{depth} block(s) left open at the end of {CSS.name}"


def test_print_and_chart_rules_are_top_level():
    """The print rules and the chart rules are not nested in a media query for phones."""
    text = _without_comments(CSS.read_text(encoding="utf-8"))
    for selector in ("@media print", ".chart-figure {"):
        before = text[:text.index(selector)]
        assert before.count("{") == before.count("}"), selector
