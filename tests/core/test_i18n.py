"""Every user-visible string goes through the translation layer and has Chinese."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from contest.core.i18n import catalogue, gettext, use_locale
from contest.core.i18n.extract import missing_messages
from contest.core.web.templating import FEATURE_TEMPLATE_DIRS, ROOT, TEMPLATE_DIR

LETTER = re.compile(r"[^\W\d_]")
# Attributes whose text a person reads or hears.
READABLE_ATTRIBUTES = {"title", "placeholder", "alt", "aria-label", "data-confirm"}
# Words that are the same in every language (formats, symbols, the logo's character).
ALLOWED_LITERALS = {"PDF", "CSV", "XLSX", "API", "QR", "ID", "YYYY-MM-DD", "Q&A", "天"}
JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.literals: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        self.literals.extend(v for k, v in attrs if k in READABLE_ATTRIBUTES and v and _is_words(v))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(self._skip - 1, 0)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.literals.extend(word for word in data.split() if _is_words(word))


def untranslated_literals(source: str) -> list[str]:
    """Text in a template (outside Jinja expressions) that a person would read or hear."""
    # An expression becomes a neutral mark; statements and comments disappear, so both
    # branches of an {% if %} are checked.
    html = JINJA.sub(lambda m: "\x00" if m.group().startswith("{{") else "", source)
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return collector.literals


def _is_words(text: str) -> bool:
    stripped = text.replace("\x00", "").strip()
    return bool(LETTER.search(stripped)) and stripped not in ALLOWED_LITERALS


def template_files() -> list[Path]:
    return sorted(p for d in (TEMPLATE_DIR, *FEATURE_TEMPLATE_DIRS) for p in d.rglob("*.html"))


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_template_has_no_untranslated_literal(path: Path) -> None:
    literals = untranslated_literals(path.read_text(encoding="utf-8"))

    assert literals == [], f"wrap these in _(): {literals}"


def test_literal_detector_finds_plain_text_and_attributes() -> None:
    source = '<p>Hello</p><input placeholder="Search"><p>{{ _("Fine") }}</p><b>2023</b>'

    assert untranslated_literals(source) == ["Hello", "Search"]


def test_every_message_has_a_chinese_translation() -> None:
    missing = missing_messages()

    assert missing == {}, "run `python -m contest.core.i18n.extract` and translate these"


def test_chinese_is_the_default_and_english_is_available() -> None:
    with use_locale("zh"):
        chinese = gettext("Log in")
    with use_locale("en"):
        english = gettext("Log in")

    assert (chinese, english) == ("登录", "Log in")


def test_placeholders_survive_translation() -> None:
    translations = catalogue("zh")

    for msgid, msgstr in translations.items():
        wanted = sorted(re.findall(r"%\(\w+\)s", msgid))
        got = sorted(re.findall(r"%\(\w+\)s", msgstr if isinstance(msgstr, str) else msgstr[0]))
        assert got == wanted, f"{msgid!r} -> {msgstr!r}"


def test_home_page_speaks_chinese_by_default(client) -> None:
    page = BeautifulSoup(client.get("/").text, "html.parser")

    assert page.html["lang"] == "zh-CN"
    assert page.select_one("a.nav-cta").get_text(strip=True) == "登录"


def test_language_switch_is_remembered(client) -> None:
    switched = client.get("/lang/en?next=/login", follow_redirects=False)
    page = BeautifulSoup(client.get("/").text, "html.parser")

    assert switched.headers["location"] == "/login"
    assert page.html["lang"] == "en"
    assert page.select_one("a.nav-cta").get_text(strip=True) == "Log in"


def test_language_switch_refuses_foreign_redirects(client) -> None:
    response = client.get("/lang/en?next=//evil.example.com/", follow_redirects=False)

    assert response.headers["location"] == "/"
