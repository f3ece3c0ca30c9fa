"""Bilingual names of contest content: contests, tracks, rounds, criteria and awards.

Each has its Chinese name (`name`) and an optional English one (`name_en`; awards:
`custom_name` and `custom_name_en`). English pages, PDFs and exports use the English
name when there is one and fall back to the Chinese name, so a contest with no English
names reads as before. Three ways in, one rule:

- `localized(obj)`: an object's name (templates: the `display_name` filter,
  `{{ track | display_name }}`, `{{ line | display_name("track_name") }}` for a view
  line carrying `track_name` and `track_name_en`);
- `pick(chinese, english)`: the same for two plain strings;
- `sql_name(Model)`: the same as an SQL expression, for queries that read a name into
  a view line (`select(..., sql_name(Track).label("track_name"))`).
"""

from typing import Any

from sqlalchemy import ColumnElement, func

from contest.core.i18n import current_locale


def pick(chinese: str, english: str, locale: str | None = None) -> str:
    """The English name on English pages when it is set, else the Chinese one."""
    if (locale or current_locale()) == "en" and english and english.strip():
        return english.strip()
    return chinese


def localized(obj: Any, field: str = "name", locale: str | None = None) -> str:
    """`obj.<field>` in the page's (or the given) language."""
    chinese = getattr(obj, field, "") or ""
    return str(pick(str(chinese), getattr(obj, f"{field}_en", "") or "", locale))


def sql_name(model: Any, field: str = "name", locale: str | None = None) -> ColumnElement[str]:
    """`Model.<field>` in the page's (or the given) language, as an SQL expression."""
    chinese: ColumnElement[str] = getattr(model, field)
    if (locale or current_locale()) != "en":
        return chinese
    english: ColumnElement[str] = getattr(model, f"{field}_en")
    return func.coalesce(func.nullif(english, ""), chinese)
