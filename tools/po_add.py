"""Append translations to a catalogue: python tools/po_add.py FILE.po < pairs.json

pairs.json is an object {msgid: msgstr}. Existing entries are updated in place.
"""

import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po


def main() -> int:
    path = Path(sys.argv[1])
    pairs = json.load(sys.stdin)
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale="zh")
    else:
        catalog = Catalog(locale="zh", project="Tianjiao", charset="utf-8")
    for msgid, msgstr in pairs.items():
        catalog.add(msgid, msgstr)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False, sort_output=True)
    print(f"{path}: {len(catalog)} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
