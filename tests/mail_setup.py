"""A real SMTP server for tests (aiosmtpd on a free local port) and what it received.

    def test_x(smtp_server, mail_settings): ...   # fixtures in tests/conftest.py
    smtp_server.inbox.to("team@example.com")      # the parsed messages sent there
"""

import email
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from bench.load import free_port


@dataclass
class Inbox:
    """What the server accepted, parsed; `delay_s` slows each DATA (crash tests)."""

    messages: list[EmailMessage] = field(default_factory=list)
    delay_s: float = 0.0
    refuse: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802, E501
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.delay_s:
            time.sleep(self.delay_s)  # blocks the server's loop: one mail at a time
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def wait_for(self, count: int, timeout_s: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout_s
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.messages)


@dataclass
class SmtpServer:
    controller: Controller
    inbox: Inbox
    url: str
    stopped: bool = False

    def stop(self) -> None:
        if not self.stopped:  # a test may stop it before the fixture does
            self.stopped = True
            self.controller.stop()


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:  # noqa: E501
    ok = auth_data.login == b"mailer" and auth_data.password == b"s3cret pass"
    return AuthResult(success=ok)


def start_smtp(
    *, security: str = "plain", cert: tuple[Path, Path] | None = None, port: int | None = None
) -> SmtpServer:
    """security: "plain" (no auth), "starttls" or "tls" (both with a login)."""
    inbox = Inbox()
    port = port or free_port()
    kwargs: dict[str, Any] = {}
    context = None
    if security != "plain":
        assert cert is not None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(cert[0]), str(cert[1]))
        # With implicit TLS aiosmtpd does not see the connection as TLS: the whole
        # connection is encrypted, so AUTH is allowed on it.
        kwargs = {"authenticator": _authenticator, "auth_require_tls": security == "starttls"}
    if security == "starttls":
        kwargs |= {"tls_context": context, "require_starttls": True}
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        ssl_context=context if security == "tls" else None,
        server_hostname="localhost",
        **kwargs,
    )
    controller.start()
    scheme = {"plain": "smtp", "starttls": "smtp+starttls", "tls": "smtps"}[security]
    login = "" if security == "plain" else "mailer:s3cret%20pass@"
    return SmtpServer(controller, inbox, f"{scheme}://{login}localhost:{port}")


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A certificate for "localhost" made by openssl: (cert, key); cert is its own CA."""
    cert, key = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    subprocess.run(  # noqa: S603
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",  # noqa: S607
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def text_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())
