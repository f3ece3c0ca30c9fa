"""SMTP connections from TIANJIAO_SMTP_URL: plain, STARTTLS or implicit TLS."""

import functools
import smtplib
import ssl
from dataclasses import dataclass
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate, parseaddr
from urllib.parse import unquote, urlsplit

from contest.core.settings import Settings
from contest.models import OutboxMail

SCHEMES = {"smtp": (25, "plain"), "smtp+starttls": (587, "starttls"), "smtps": (465, "tls")}
TIMEOUT_S = 30
SMTP_LINES = compat32.clone(linesep="\r\n")


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    security: str  # "plain", "starttls" or "tls"
    username: str
    password: str


def parse_url(url: str) -> SmtpServer:
    """smtp://host:port, smtp+starttls://user:pass@host:port, smtps://user:pass@host:port."""
    parts = urlsplit(url.strip())
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise ValueError("TIANJIAO_SMTP_URL: expected smtp://, smtp+starttls:// or smtps://host:port")
    default_port, security = SCHEMES[parts.scheme]
    return SmtpServer(
        host=parts.hostname,
        port=parts.port or default_port,
        security=security,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )


def connect(settings: Settings) -> smtplib.SMTP:
    """An open, authenticated connection; the caller quits it."""
    server = parse_url(settings.smtp_url)
    connection: smtplib.SMTP
    if server.security == "tls":
        connection = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT_S,
                                      context=tls_context(settings.smtp_ca_file))
    else:
        connection = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_S)
    try:
        connection.ehlo()
        if server.security == "starttls":
            connection.starttls(context=tls_context(settings.smtp_ca_file))
            connection.ehlo()
        if server.username:
            connection.login(server.username, server.password)
    except BaseException:
        connection.close()
        raise
    return connection


@functools.lru_cache(maxsize=8)
def tls_context(ca_file: str) -> ssl.SSLContext:
    """The TLS settings for mail, made once per process: loading the certificate
    authorities takes about 35 ms of CPU, for every mail when a worker sends a notice to
    each team. The context only reads settings, so threads share it."""
    return ssl.create_default_context(cafile=ca_file or None)


def sender(settings: Settings) -> str:
    """TIANJIAO_MAIL_FROM, or no-reply at the base URL's host."""
    if settings.mail_from.strip():
        return settings.mail_from.strip()
    host = urlsplit(settings.base_url).hostname or "localhost"
    return formataddr(("天骄 Tianjiao", f"no-reply@{host}"))


def message_of(mail: OutboxMail, settings: Settings) -> MIMEMultipart:
    """The MIME message: plain text and HTML alternatives, a stable Message-ID.

    Built with the compat32 classes rather than EmailMessage: the modern policy's header
    folding cost two thirds of the time of a send (bench/mail.py, profiled).
    """
    name, address = parseaddr(sender(settings))
    domain = address.rpartition("@")[2] or "localhost"
    message = MIMEMultipart("alternative")
    message["From"] = formataddr((name, address), charset="utf-8")
    message["To"] = mail.to
    message["Subject"] = Header(mail.subject, "utf-8")  # type: ignore[assignment]
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = f"<{mail.message_id}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message["Content-Language"] = "zh-CN" if mail.language == "zh" else "en"
    message.attach(MIMEText(mail.text, "plain", "utf-8"))
    message.attach(MIMEText(mail.html, "html", "utf-8"))
    return message


def wire_bytes(message: MIMEMultipart) -> bytes:
    """The message as SMTP wants it: CRLF line ends."""
    return message.as_bytes(policy=SMTP_LINES)


def envelope_sender(settings: Settings) -> str:
    return parseaddr(sender(settings))[1]
