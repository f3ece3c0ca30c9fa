"""Find user-visible messages without a Chinese translation.

    python -m contest.core.i18n.extract            # list what is missing, as .po entries

The test suite calls `missing_messages()` and fails while anything is listed.
"""

import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir

from contest.core.i18n import catalogue

ROOT = Path(__file__).resolve().parents[3]
KEYWORDS = {"_": None, "N_": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
METHODS = [
    ("contest/**.py", "python"),
    ("contest/**/templates/**.html", "jinja2.ext:babel_extract"),
    ("templates/**.html", "jinja2.ext:babel_extract"),
]
OPTIONS = {"**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}}


def extracted_messages() -> dict[str, list[str]]:
    """msgid -> places where it is used."""
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map=METHODS,
        options_map=OPTIONS,
        keywords=KEYWORDS,
        strip_comment_tags=True,
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def missing_messages() -> dict[str, list[str]]:
    translated = catalogue.__wrapped__("zh")  # fresh read, not the cached one
    return {
        msgid: places for msgid, places in extracted_messages().items() if msgid not in translated
    }


def _po_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def main() -> int:
    missing = missing_messages()
    for msgid, places in sorted(missing.items(), key=lambda item: item[1][0]):
        print(f"#: {places[0]}")
        print(f'msgid "{_po_escape(msgid)}"')
        print('msgstr ""\n')
    print(f"# {len(missing)} message(s) without a translation", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
