"""Jinja2 set-up and the one function pages render with."""

import hashlib
import json
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import Environment, FileSystemLoader, select_autoescape

from contest.core import phones
from contest.core.i18n import LOCALE_NAMES, LOCALES, current_locale, gettext, ngettext
from contest.core.i18n.names import localized
from contest.core.security import csrf_token_valid, new_csrf_token
from contest.core.settings import Settings
from contest.core.web.deps import CSRF_COOKIE, csrf_binding_of
from contest.models.base import utcnow
from scoring import format_score as scoring_format_score
from scoring import points_text

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE_DIR = ROOT / "templates"
# Each feature keeps its own pages in contest/<feature>/templates; names stay unique
# across features ("manage/entries.html"), so one loader searches them all.
FEATURE_TEMPLATE_DIRS = sorted((ROOT / "contest").glob("*/templates"))
STATIC_DIR = ROOT / "static"
FLASH_COOKIE = "tj_flash"
LANG_COOKIE = "tj_lang"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader([TEMPLATE_DIR, *FEATURE_TEMPLATE_DIRS]),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # newstyle: translations are autoescaped and take %(name)s keyword arguments.
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(static_url=static_url, locales=LOCALES, locale_names=LOCALE_NAMES,
                       now=utcnow)
    env.filters.update(
        score=format_score, datetime=format_datetime, date=format_date, tenths=format_tenths,
        display_name=localized, phone=format_phone,
    )
    return env


@lru_cache
def static_url(name: str) -> str:
    """A URL that changes with the file, so browsers may cache static files for long
    (VersionedStaticFiles tells them so)."""
    digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]
    return f"/static/{name}?v={digest}"


class VersionedStaticFiles(StaticFiles):
    """Static files. One asked for by a static_url address (it names the file's digest)
    is kept by the browser for a year without asking again: a page costs one request, not
    one per stylesheet and script. Any other address is checked again each time."""

    async def get_response(self, path: str, scope: Any) -> Any:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            versioned = b"v=" in scope.get("query_string", b"")
            response.headers["Cache-Control"] = (
                "public, max-age=31536000, immutable" if versioned else "no-cache"
            )
        return response


def format_score(value: Fraction | float | Decimal | None) -> str:
    """Two decimals, rounded half up (docs/rules.md 3.7); a dash for no score."""
    if value is None:
        return "–"
    # scoring's rounding, so pages show what exports and announcements show.
    return scoring_format_score(value)


def format_tenths(value: int | None) -> str:
    """Integer tenths as points (scoring.points_text); empty for no value."""
    return "" if value is None else points_text(value)


_zone: ZoneInfo = ZoneInfo("Asia/Shanghai")


def set_display_zone(name: str) -> None:
    global _zone
    _zone = ZoneInfo(name)


def display_zone() -> ZoneInfo:
    return _zone


def format_datetime(value: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return value.astimezone(_zone).strftime(pattern) if value else "–"


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.astimezone(_zone).date()
    if current_locale() == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return value.isoformat()


def format_phone(value: str | None) -> str:
    """A stored phone number, readable (core.phones.display): 138 0013 8000, +852 9123 4567."""
    return phones.display(value, current_locale())


templates = Jinja2Templates(env=_environment())

# Macros imported from _partials.html do not see the page's context, so the CSRF token
# of the page being rendered is also published here for the csrf() macro.
_page_csrf_token: ContextVar[str] = ContextVar("page_csrf_token", default="")
templates.env.globals["page_csrf_token"] = _page_csrf_token.get


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt="flash")


def csrf_token_for(request: Request) -> str:
    """The browser's CSRF token, issuing one (set on the response by `render`) if needed."""
    existing: str | None = getattr(request.state, "csrf_token", None)
    if existing:
        return existing
    settings: Settings = request.app.state.settings
    cookie = request.cookies.get(CSRF_COOKIE)
    binding = csrf_binding_of(request)
    if cookie and csrf_token_valid(settings.secret_key, cookie, binding):
        token = cookie
    else:
        token = new_csrf_token(settings.secret_key, binding)
        request.state.new_csrf_token = True
    request.state.csrf_token = token
    return token


def set_csrf_cookie(request: Request, response: Any) -> None:
    if getattr(request.state, "new_csrf_token", False):
        settings: Settings = request.app.state.settings
        response.set_cookie(
            CSRF_COOKIE,
            request.state.csrf_token,
            httponly=True,
            samesite="lax",
            secure=settings.secure_cookies,
        )


def flash(response: Any, request: Request, message: str, kind: str = "success") -> None:
    """A message shown once on the next page (kept in a signed cookie, so any worker can)."""
    settings: Settings = request.app.state.settings
    messages = _read_flash(request) + [[kind, message]]
    response.set_cookie(
        FLASH_COOKIE,
        _serializer(settings).dumps(messages),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def _read_flash(request: Request) -> list[list[str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        messages = _serializer(request.app.state.settings).loads(raw)
    except BadSignature:
        return []
    return [m for m in messages if isinstance(m, list) and len(m) == 2]


def safe_next(url: str) -> str:
    """Only local paths: a log-in link must not bounce the user to another site."""
    if url.startswith("/") and not url.startswith(("//", "/\\")):
        return url
    return "/"


def redirect(
    request: Request, url: str, message: str | None = None, kind: str = "success"
) -> RedirectResponse:
    """Post/redirect/get, with an optional message for the next page."""
    response = RedirectResponse(url, status_code=303)
    if message:
        flash(response, request, message, kind)
    return response


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    messages = _read_flash(request)
    _page_csrf_token.set(csrf_token_for(request))
    full = {
        "request": request,
        "user": getattr(request.state, "viewer", None),
        "csrf_token": csrf_token_for(request),
        "locale": current_locale(),
        "flashes": messages,
        "json": json.dumps,
        **(context or {}),
    }
    response = templates.TemplateResponse(request, template, full, status_code=status_code)
    set_csrf_cookie(request, response)
    if messages:
        response.delete_cookie(FLASH_COOKIE)
    return response
