"""Request bodies bounded per route and counted while they arrive (a pure ASGI middleware).

A body announced larger than its route allows is answered 413 before the app runs at all:
no session is looked up, no database touched, nothing read. A body that does not announce
its length (chunked) is counted as it streams in; the chunk that crosses the limit raises
`BodyTooLarge` from `receive`, which FastAPI passes on unchanged to the app's handler for
HTTP errors, so the answer is the usual JSON or page. Either way at most the limit is ever
held in memory.

The limits (docs in the core README): JSON and forms 1 MB; score saves 64 KB; document
uploads the upload limit (20 MB); imports 10 MB. Uploads and imports are recognised by
their path (`.../documents`, `.../import`), so a new upload route gets the right limit
without a new rule.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from fastapi import HTTPException, status
from fastapi.responses import JSONResponse, Response
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contest.core.i18n import _

KB = 1024
MB = 1024 * KB
JSON_LIMIT = 1 * MB
SCORE_LIMIT = 64 * KB
IMPORT_LIMIT = 10 * MB
# A multipart body carries a few fields and headers around its file.
FORM_HEADROOM = 64 * KB
# After a 413, at most this much more of the refused body is read (and dropped).
DRAIN_LIMIT = 128 * MB


@dataclass(frozen=True)
class BodyRule:
    """Bodies of `method` requests whose path matches `pattern` may hold `limit` bytes;
    `shown` is the size people are told (the file's, without the form around it)."""

    method: str
    pattern: re.Pattern[str]
    limit: int
    shown: int


@lru_cache
def body_rules(upload_limit: int) -> tuple[BodyRule, ...]:
    def rule(method: str, pattern: str, shown: int, headroom: int = 0) -> BodyRule:
        return BodyRule(method, re.compile(pattern), shown + headroom, shown)

    return (
        rule("PUT", r"/api/v1/rounds/\d+/entries/\d+/sheet", SCORE_LIMIT),
        rule("POST", r"/judge/rounds/\d+/entries/\d+", SCORE_LIMIT),
        rule("POST", r"/.+/documents", upload_limit, FORM_HEADROOM),
        rule("POST", r"/.+/import", IMPORT_LIMIT, FORM_HEADROOM),
    )


def size_text(size: int) -> str:
    """1048576 -> "1 MB", 65536 -> "64 KB"."""
    if size >= MB and size % MB == 0:
        return f"{size // MB} MB"
    if size >= MB:
        return f"{size / MB:.1f} MB"
    return f"{max(1, size // KB)} KB"


class BodyTooLarge(HTTPException):
    """The request's body is over its route's limit (HTTP 413)."""

    def __init__(self, shown: int) -> None:
        message = _("The request is too large: at most %(size)s may be sent here.") % {
            "size": size_text(shown)
        }
        super().__init__(status.HTTP_413_CONTENT_TOO_LARGE, message)


def limit_for(method: str, path: str, upload_limit: int) -> tuple[int, int]:
    """(bytes allowed, size people are told) for a request's body."""
    for rule in body_rules(upload_limit):
        if rule.method == method and rule.pattern.fullmatch(path):
            return rule.limit, rule.shown
    return JSON_LIMIT, JSON_LIMIT


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The upload limit is a setting, read from the app the request is for.
        settings = scope["app"].state.settings
        limit, shown = limit_for(scope["method"], scope["path"], settings.upload_limit_bytes)
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, receive, send, BodyTooLarge(shown))
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(shown)
            return message

        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge as exc:
            # Only reached when nothing in the app answered it (it normally does).
            if started:
                raise
            await _refuse(scope, receive, send, exc)
            return
        if received > limit:
            await _drain(receive)


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers") or ():
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


async def _refuse(scope: Scope, receive: Receive, send: Send, exc: BodyTooLarge) -> None:
    """Answer with the app's own handler for HTTP errors (JSON for the API, a page for
    people), without running the route; a bare JSON answer if the app has none."""
    app = scope.get("app")
    handlers = getattr(app, "exception_handlers", {})
    handler = next((handlers[c] for c in type(exc).__mro__ if c in handlers), None)
    if handler is None:
        response = JSONResponse({"detail": exc.detail}, exc.status_code)
    else:
        response = await handler(Request(scope, receive), exc)
    assert isinstance(response, Response)
    response.headers["connection"] = "close"
    await response(scope, receive, send)
    await _drain(receive)


async def _drain(receive: Receive) -> None:
    """Read and drop what the client still sends, up to a bound, after answering: closing
    a connection with unread data resets it, and the client would see "connection reset"
    instead of the 413. Nothing is kept, so memory stays flat."""
    remaining = DRAIN_LIMIT
    while remaining > 0:
        message = await receive()
        if message["type"] != "http.request":
            return
        remaining -= len(message.get("body", b""))
        if not message.get("more_body", False):
            return
