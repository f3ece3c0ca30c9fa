"""Pure ASGI middleware: the request's language, and security headers on every answer."""

import contextlib
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contest.core.i18n import DEFAULT_LOCALE, LOCALES, use_locale

LANG_COOKIE = "tj_lang"

# One policy for every answer, the API's documentation included (its assets are ours, see
# core/web/docs.py): scripts only from files of this origin, nothing from other hosts.
# ReDoc runs its search in a worker it builds from a blob.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; worker-src 'self' blob:; object-src 'self'; frame-src 'self'; "
    "frame-ancestors 'self'; base-uri 'self'; form-action 'self'"
)


def locale_for(scope: Scope) -> str:
    """The cookie's choice, else the browser's first supported language, else Chinese."""
    headers: dict[bytes, bytes] = dict(scope.get("headers") or [])
    cookie_header = headers.get(b"cookie", b"").decode("latin-1")
    if cookie_header:
        cookie = SimpleCookie()
        # A malformed cookie header simply means no choice was made.
        with contextlib.suppress(Exception):
            cookie.load(cookie_header)
        chosen = cookie.get(LANG_COOKIE)
        if chosen is not None and chosen.value in LOCALES:
            return chosen.value
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    for part in accept.split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LOCALES:
            return tag
    return DEFAULT_LOCALE


class LocaleMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with use_locale(locale_for(scope)):
            await self.app(scope, receive, send)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = CONTENT_SECURITY_POLICY

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("x-content-type-options", "nosniff")
                headers.setdefault("referrer-policy", "same-origin")
                headers.setdefault("x-frame-options", "SAMEORIGIN")
                headers.setdefault("content-security-policy", policy)
            await send(message)

        await self.app(scope, receive, send_with_headers)
