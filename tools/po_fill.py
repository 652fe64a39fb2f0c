"""Fill msgstr entries of a catalogue from a JSON mapping: ``python tools/po_fill.py ru FILE.json``.

A helper for translators: untranslated entries whose msgid is in the mapping get the
translation; existing translations are kept unless --force is given.
"""
import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def main(argv):
    force = "--force" in argv
    args = [a for a in argv if a != "--force"]
    lang, source = args[0], args[1]
    mapping = json.loads(Path(source).read_text(encoding="utf-8"))
    path = ROOT / "registry" / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as fh:
        catalog = read_po(fh, locale=lang)
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in mapping and (force or not message.string):
            value = mapping[key]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
            filled += 1
    with open(path, "wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, sort_output=True)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"{lang}: filled {filled}, still untranslated {len(missing)}")
    for m in missing:
        print("  ", m)


if __name__ == "__main__":
    main(sys.argv[1:])
