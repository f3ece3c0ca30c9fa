"""STARTTLS and implicit TLS with a login, against aiosmtpd with a certificate of its own."""

import ssl

import pytest
from sqlmodel import select

from contest.models import OutboxMail
from contest.notices import service as notices
from contest.notices import smtp
from tests.mail_setup import self_signed_cert, start_smtp


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return self_signed_cert(tmp_path_factory.mktemp("smtp-cert"))


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_mail_is_sent_over_tls_with_a_login(security, app, db, world, certificate, run_jobs):
    server = start_smtp(security=security, cert=certificate)
    try:
        app.state.settings.smtp_url = server.url
        app.state.settings.smtp_ca_file = str(certificate[0])
        notices.enqueue(db, to="judge@example.com", kind="test", context={}, language="en")
        db.commit()
        run_jobs()
        [message] = server.inbox.wait_for(1)
        assert message["Subject"] == "Test mail from the Tianjiao contest platform"
        assert db.scalars(select(OutboxMail.state)).one() == "sent"
    finally:
        server.stop()


def test_an_untrusted_certificate_is_refused(settings, certificate):
    server = start_smtp(security="tls", cert=certificate)
    try:
        settings.smtp_url = server.url  # no CA file: the self-signed certificate fails
        with pytest.raises(ssl.SSLError):
            smtp.connect(settings)
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.org", ("mail.example.org", 25, "plain", "", "")),
        ("smtp+starttls://a%40b.cn:p%3Aw@smtp.qq.com", ("smtp.qq.com", 587, "starttls", "a@b.cn", "p:w")),  # noqa: E501
        ("smtps://u:p@smtp.exmail.qq.com:994", ("smtp.exmail.qq.com", 994, "tls", "u", "p")),
    ],
)
def test_smtp_urls(url, expected):
    server = smtp.parse_url(url)
    assert (server.host, server.port, server.security, server.username, server.password) == expected


@pytest.mark.parametrize("url", ["http://mail.example.org", "smtp://", "mail.example.org:25"])
def test_bad_smtp_urls_are_refused(url):
    with pytest.raises(ValueError, match="TIANJIAO_SMTP_URL"):
        smtp.parse_url(url)
