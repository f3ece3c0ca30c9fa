"""Chinese first, English second: message catalogues and the current request's locale.

Message ids are English. Chinese translations live in gettext catalogues, one
`.po` file per concept under `contest/core/i18n/zh/`, all merged at start-up (so
that work on different concepts never edits the same file). They are read with
Babel directly, so there is no compile step.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po
from babel.support import LazyProxy

LOCALES = ("zh", "en")
DEFAULT_LOCALE = "zh"
LOCALE_NAMES = {"zh": "中文", "en": "English"}
CATALOGUE_DIR = Path(__file__).parent

_current: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)


@lru_cache
def catalogue(locale: str) -> dict[str, str | tuple[str, ...]]:
    """Every translated message of a locale; English needs none."""
    messages: dict[str, str | tuple[str, ...]] = {}
    for path in sorted((CATALOGUE_DIR / locale).glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=locale):
                if not message.id or message.fuzzy:
                    continue
                key = message.id[0] if isinstance(message.id, tuple | list) else message.id
                value = message.string
                if isinstance(value, tuple | list):
                    value = tuple(value)
                if value:
                    messages[key] = value
    return messages


def current_locale() -> str:
    return _current.get()


def set_locale(locale: str) -> None:
    _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    token = _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    translated = catalogue(_current.get()).get(message)
    if isinstance(translated, tuple):
        return translated[0]
    return translated or message


def ngettext(singular: str, plural: str, count: int) -> str:
    translated = catalogue(_current.get()).get(singular)
    if isinstance(translated, tuple):
        # Chinese has one plural form; take the last available otherwise.
        return translated[0] if count == 1 or len(translated) == 1 else translated[1]
    if translated:
        return translated
    return singular if count == 1 else plural


def lazy_gettext(message: str) -> LazyProxy:
    """For module-level text: translated when shown, in the locale of the request."""
    return LazyProxy(gettext, message, enable_cache=False)


def gettext_noop(message: str) -> str:
    """Marks text for the catalogue where it is defined; it is translated where shown."""
    return message


_ = gettext
N_ = gettext_noop
