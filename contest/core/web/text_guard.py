"""Text that cannot be stored is refused at the door, naming its field (a pure ASGI
middleware).

Two kinds of character get past every schema and then fail deep inside: a lone surrogate
(JSON can spell one, `"\\ud800"`; it is not a character, so it cannot be encoded to UTF-8
for SQLite, a CSV or a PDF) and NUL (`\\u0000` in JSON, `%00` in a query or a form;
PostgreSQL refuses it in text). Rather than teach every field of every schema, this looks
once at the query string and at JSON and URL-encoded bodies (already bounded by
`limits.BodyLimitMiddleware`), and answers 422: the API's usual `{"detail": [...]}` with
the field's location, or the error page naming the field. A body without a backslash-u or
a NUL passes after one substring search.
"""

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from fastapi.responses import JSONResponse, Response
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contest.core.i18n import _
from contest.core.validation import excerpt
from contest.core.web.errors import error_page, is_api, validation_detail

Location = tuple[str | int, ...]


def unstorable(text: str) -> bool:
    """Whether the text holds NUL or a lone surrogate."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def bad_json_locations(value: Any, location: Location = ("body",)) -> Iterator[Location]:
    """Where, in decoded JSON, a key or a string cannot be stored."""
    if isinstance(value, str):
        if unstorable(value):
            yield location
    elif isinstance(value, dict):
        for key, item in value.items():
            if unstorable(key):
                yield (*location, _shown(key))
            else:
                yield from bad_json_locations(item, (*location, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from bad_json_locations(item, (*location, index))


def bad_pair_locations(text: str, where: str) -> list[Location]:
    """Fields of a query string or an URL-encoded form whose name or value holds NUL."""
    pairs = parse_qsl(text, keep_blank_values=True)
    return [(where, _shown(name)) for name, value in pairs if unstorable(name + value)]


def _shown(name: str) -> str:
    """A field's name as a location may show it: storable, and short."""
    return excerpt(name.encode("utf-8", "replace").decode().replace("\x00", "?"))


def _content_type(scope: Scope) -> bytes:
    for name, value in scope.get("headers") or ():
        if name == b"content-type":
            return bytes(value).split(b";", 1)[0].strip().lower()
    return b""


def _is_json(content_type: bytes) -> bool:
    return content_type == b"application/json" or content_type.endswith(b"+json")


class TextGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"")
        if b"%00" in query.lower() or b"\x00" in query:
            locations = bad_pair_locations(query.decode("latin-1"), "query")
            if locations:
                await _refuse(scope, receive, send, locations)
                return
        content_type = _content_type(scope)
        form = content_type == b"application/x-www-form-urlencoded"
        if not (form or _is_json(content_type)):
            await self.app(scope, receive, send)
            return
        body, more = await _read_body(receive)
        locations = _body_locations(body, form)
        if locations:
            await _refuse(scope, _replay(body, more, receive), send, locations)
            return
        await self.app(scope, _replay(body, more, receive), send)


async def _read_body(receive: Receive) -> tuple[bytes, list[Message]]:
    """The whole body (bounded by the body limit outside), and any other message seen."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), [message]
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), []


def _replay(body: bytes, more: list[Message], receive: Receive) -> Receive:
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}, *more]

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


def _body_locations(body: bytes, form: bool) -> list[Location]:
    if form:
        lowered = body.lower()
        if b"%00" not in lowered and b"\x00" not in body:
            return []
        return bad_pair_locations(body.decode("latin-1"), "body")
    if b"\\u" not in body and b"\\U" not in body:
        return []  # only an escape can spell NUL or a surrogate in valid JSON
    try:
        decoded = json.loads(body)
    except (ValueError, RecursionError):
        return []  # FastAPI answers malformed JSON itself
    return list(bad_json_locations(decoded))[:20]


async def _refuse(scope: Scope, receive: Receive, send: Send, locations: list[Location]) -> None:
    message = _("This text holds a character that cannot be stored (NUL or a lone surrogate).")
    request = Request(scope, receive)
    if is_api(request):
        errors = [{"type": "string_unstorable", "loc": loc, "msg": message} for loc in locations]
        response: Response = JSONResponse({"detail": validation_detail(errors)}, 422)
    else:
        fields = ", ".join(str(loc[-1]) for loc in locations)
        response = error_page(request, 422, f"{message} ({excerpt(fields)})")
    await response(scope, receive, send)
