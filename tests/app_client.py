"""The test client: Starlette's, with each request handed to the app in one step.

Starlette's client passes a request to the app's event loop (on a thread of its own) in
about eight steps, each a round trip between threads: a request to a trivial route cost
2.2 ms of CPU, most of it spent in those hand-overs, over some 60,000 requests in a run
of the suite. Here the whole exchange (the body in, the answer out) is one call, and
the answer's body is collected before it is returned: the app's answers are all finite.
Everything else (cookies, redirects, lifespan, exceptions raised to the test) is
Starlette's.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import unquote

import anyio
import anyio.from_thread
import httpx
from starlette.testclient import TestClient as StarletteTestClient
from starlette.types import ASGIApp, Message

PortalFactory = Callable[[], AbstractContextManager[anyio.from_thread.BlockingPortal]]


class TestClient(StarletteTestClient):
    __test__ = False  # not a test class, whatever its name

    def __init__(self, app: ASGIApp, *args: Any, **kwargs: Any) -> None:
        super().__init__(app, *args, **kwargs)
        starlette_transport: Any = self._transport  # type: ignore[has-type]
        self._transport = OneCallTransport(
            self.app,
            self._portal_factory,
            client=starlette_transport.client,
            root_path=starlette_transport.root_path,
            app_state=starlette_transport.app_state,
            raise_server_exceptions=starlette_transport.raise_server_exceptions,
        )


class OneCallTransport(httpx.BaseTransport):
    def __init__(self, app: ASGIApp, portal_factory: PortalFactory, *,
                 client: tuple[str, int], root_path: str, app_state: dict[str, Any],
                 raise_server_exceptions: bool) -> None:
        self.app = app
        self.raise_server_exceptions = raise_server_exceptions
        self.portal_factory = portal_factory
        self.client = client
        self.root_path = root_path
        self.app_state = app_state

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        scope = self._scope(request)
        body = request.read()
        with self.portal_factory() as portal:
            start, chunks = portal.call(self._exchange, scope, body)
        if start is None:
            raise AssertionError("The app sent no answer.")
        content = b"" if request.method == "HEAD" else b"".join(chunks)
        headers = [(key.decode(), value.decode()) for key, value in start.get("headers", [])]
        return httpx.Response(start["status"], headers=headers, content=content,
                              request=request)

    def _scope(self, request: httpx.Request) -> dict[str, Any]:
        url = request.url
        port = url.port or {"http": 80, "https": 443}[url.scheme]
        headers = [] if "host" in request.headers else [(b"host", url.netloc)]
        headers += [(key.lower().encode(), value.encode())
                    for key, value in request.headers.multi_items()]
        return {
            "type": "http",
            "http_version": "1.1",
            "method": request.method,
            "path": unquote(url.path),
            "raw_path": url.raw_path.split(b"?", 1)[0],
            "root_path": self.root_path,
            "scheme": url.scheme,
            "query_string": url.query,
            "headers": headers,
            "client": self.client,
            "server": [url.raw_host.decode("ascii"), port],
            "extensions": {},
            "state": self.app_state.copy(),
        }

    async def _exchange(self, scope: dict[str, Any],
                        body: bytes) -> tuple[Message | None, list[bytes]]:
        start: Message | None = None
        chunks: list[bytes] = []
        request_sent = False
        answered = anyio.Event()

        async def receive() -> Message:
            nonlocal request_sent
            if not request_sent:
                request_sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await answered.wait()  # a client that stays connected until it has the answer
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(bytes(message.get("body", b"")))
                if not message.get("more_body", False):
                    answered.set()

        try:
            await self.app(scope, receive, send)
        except Exception:
            if self.raise_server_exceptions:
                raise
            if start is None:  # as Starlette's client: a 500 where the app sent nothing
                start, chunks = {"type": "http.response.start", "status": 500}, []
        finally:
            answered.set()
        return start, chunks
