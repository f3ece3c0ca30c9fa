"""Slow clients (issue 19, point 6): a request's head that trickles in, or a body that
stalls, is cut after its timeout (408), so slow connections cannot pile up and hold
every file descriptor; a client that keeps sending is not cut."""

import socket
import time

from contest.core.web.slow_clients import SlowClientProtocol
from tests.serving import serving


class QuickTimeouts(SlowClientProtocol):
    header_timeout_s = 1.0
    body_idle_timeout_s = 1.0


def connect(base: str) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.settimeout(10)
    return sock


def answer_of(sock: socket.socket) -> bytes:
    """What the server sent before closing (b"" if it closed without a word)."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_a_trickling_request_head_is_cut(app):
    with serving(app, http=QuickTimeouts) as base:
        sock = connect(base)
        began = time.monotonic()
        sock.sendall(b"GET /api/v1/me HTTP/1.1\r\nHost: x\r\n")
        try:
            for _n in range(30):  # a header line every 0.2 s, never the blank line
                sock.sendall(b"X-Slow: 1\r\n")
                time.sleep(0.2)
        except OSError:
            pass  # closed by the server: the point
        answer = answer_of(sock)
        assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
        assert time.monotonic() - began < 4


def test_a_stalled_body_is_cut_and_an_idle_connection_too(app):
    with serving(app, http=QuickTimeouts) as base:
        stalled = connect(base)
        stalled.sendall(
            b"POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"
            b'content-length: 100\r\n\r\n{"email": '
        )
        idle = connect(base)  # connects and says nothing
        began = time.monotonic()
        assert answer_of(stalled).startswith(b"HTTP/1.1 408")
        assert answer_of(idle).startswith(b"HTTP/1.1 408")
        assert time.monotonic() - began < 4


def test_a_slow_but_steady_body_is_not_cut(app):
    with serving(app, http=QuickTimeouts) as base:
        sock = connect(base)
        body = b'{"email": "nobody@example.com", "password": "wrong-password"}'
        sock.sendall(
            b"POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"
            + f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode()
        )
        for n in range(0, len(body), 16):  # 2.0 s in all, never 1 s without a byte
            sock.sendall(body[n : n + 16])
            time.sleep(0.5)
        answer = answer_of(sock)
        assert not answer.startswith(b"HTTP/1.1 408"), answer[:100]
        assert answer.startswith(b"HTTP/1.1 4"), answer[:100]  # the log-in's own refusal
