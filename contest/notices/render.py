"""A mail's subject, plain text and HTML, in the recipient's language."""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from contest.core.i18n import LOCALES, gettext, use_locale
from contest.notices import kinds

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@lru_cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def language_of(language: str | None) -> str:
    return language if language in LOCALES else "zh"


def render(kind_name: str, context: dict[str, Any], language: str) -> Rendered:
    """Fill the kind's messages from `context` (KeyError names a missing value)."""
    kind = kinds.get(kind_name)
    values = {key: "" if value is None else value for key, value in context.items()}
    with use_locale(language_of(language)):
        subject = gettext(kind.subject) % values
        contest = str(values.get("contest") or "")
        if contest:
            subject = f"[{contest}] {subject}"
        paragraphs = [gettext(text) % values for text in kind.paragraphs]
        paragraphs += [
            gettext(text) % values for key, text in kind.optional.items() if values.get(key)
        ]
        action = None
        if kind.action and values.get(kind.action[1]):
            action = (gettext(kind.action[0]), str(values[kind.action[1]]))
        parts = {
            "greeting": gettext(kinds.GREETING) % values if values.get("name") else "",
            "paragraphs": paragraphs,
            "action": action,
            "signature": gettext(kinds.SIGNATURE) % values if contest else gettext("Tianjiao"),
            "automatic": gettext(kinds.AUTOMATIC),
            "brand": gettext("Tianjiao contest platform"),
        }
        lang = "zh-CN" if language_of(language) == "zh" else "en"
        html = _environment().get_template("mail/notice.html").render(
            subject=subject, lang=lang, **parts
        )
    return Rendered(subject=subject[:300], text=_text(parts), html=html)


def _text(parts: dict[str, Any]) -> str:
    lines: list[str] = []
    if parts["greeting"]:
        lines += [parts["greeting"], ""]
    for paragraph in parts["paragraphs"]:
        lines += [paragraph, ""]
    if parts["action"]:
        label, url = parts["action"]
        lines += [f"{label}: {url}", ""]
    lines += [parts["signature"], "", "-- ", parts["automatic"]]
    return "\n".join(lines) + "\n"
