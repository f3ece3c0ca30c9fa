"""Read timeouts for slow or stalled clients, in uvicorn's HTTP protocol.

uvicorn bounds the wait between two requests of a kept-alive connection (5 s) but not a
request that arrives a byte at a time: 3,000 such connections ("slowloris") held every
file descriptor of a worker until new visitors could not connect. A connection now gets
`header_timeout_s` (10 s) for a request's head, from the first byte (or the connection),
and a body may stall at most `body_idle_timeout_s` (30 s) between two chunks; past
either the client gets 408 (if no answer has started) and the connection is closed, and
the app sees a disconnect (an upload's partial file is removed). A body the app is not
reading (flow control paused the socket) is not the client's fault and is not timed.

Serve it with `uvicorn.run(..., http=SlowClientProtocol)`; production also puts nginx in
front (README, "Behind nginx"), which buffers slow clients itself.
"""

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from contest.core.settings import get_settings

REQUEST_TIMEOUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain\r\ncontent-length: 16\r\n"
    b"connection: close\r\n\r\nRequest Timeout\n"
)


class SlowClientProtocol(HttpToolsProtocol):
    header_timer: asyncio.TimerHandle | None = None
    body_timer: asyncio.TimerHandle | None = None
    # None: from the settings (TIANJIAO_HEADER_TIMEOUT_S, TIANJIAO_BODY_IDLE_TIMEOUT_S).
    header_timeout_s: float | None = None
    body_idle_timeout_s: float | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self.header_timer is None:
            self._arm_header_timer()

    def on_headers_complete(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None
        super().on_headers_complete()
        if self.cycle is not None and self.cycle.more_body:
            self._arm_body_timer()

    def on_body(self, body: bytes) -> None:
        super().on_body(body)
        self._arm_body_timer()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        if self.body_timer is not None:
            self.body_timer.cancel()
            self.body_timer = None

    def _arm_header_timer(self) -> None:
        seconds = self.header_timeout_s or get_settings().header_timeout_s
        self.header_timer = self.loop.call_later(seconds, self._timed_out)

    def _arm_body_timer(self) -> None:
        if self.body_timer is not None:
            self.body_timer.cancel()
        seconds = self.body_idle_timeout_s or get_settings().body_idle_timeout_s
        self.body_timer = self.loop.call_later(seconds, self._body_idle)

    def _body_idle(self) -> None:
        self.body_timer = None
        if self.flow.read_paused:  # the app has not read what came; wait for it
            self._arm_body_timer()
            return
        self._timed_out()

    def _timed_out(self) -> None:
        self._cancel_timers()
        if self.transport.is_closing():
            return
        if self.cycle is None or not self.cycle.response_started:
            self.transport.write(REQUEST_TIMEOUT)
        self.transport.close()

    def _cancel_timers(self) -> None:
        for timer in (self.header_timer, self.body_timer):
            if timer is not None:
                timer.cancel()
        self.header_timer = self.body_timer = None
