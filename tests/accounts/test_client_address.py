"""Which address log-in throttling counts: the peer, unless the peer is a trusted proxy
(TIANJIAO_TRUSTED_PROXIES); X-Forwarded-For from anyone else is ignored."""

import pytest
from starlette.requests import Request

from contest.app import create_app
from contest.core.enums import Role
from contest.core.settings import Settings
from contest.core.web.deps import client_address
from tests import factories
from tests.app_client import TestClient
from tests.factories import PASSWORD


def request_from(peer: str, forwarded: list[str], trusted: str) -> Request:
    app = type("App", (), {"state": type("State", (), {})()})()
    app.state.settings = Settings(trusted_proxies=trusted)
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return Request({"type": "http", "client": (peer, 5000), "headers": headers, "app": app})


@pytest.mark.parametrize(("peer", "forwarded", "trusted", "expected"), [
    ("203.0.113.9", ["1.2.3.4"], "", "203.0.113.9"),
    ("127.0.0.1", ["1.2.3.4"], "", "127.0.0.1"),
    ("203.0.113.9", ["1.2.3.4"], "127.0.0.1", "203.0.113.9"),
    ("127.0.0.1", ["198.51.100.7"], "127.0.0.1", "198.51.100.7"),
    ("127.0.0.1", ["6.6.6.6, 198.51.100.7"], "127.0.0.1", "198.51.100.7"),
    ("127.0.0.1", ["6.6.6.6", "198.51.100.7"], "127.0.0.1", "198.51.100.7"),
    ("10.0.0.2", ["6.6.6.6, 198.51.100.7, 10.0.0.9"], "10.0.0.0/8", "198.51.100.7"),
    ("::1", ["2001:db8::7"], "127.0.0.1, ::1", "2001:db8::7"),
    ("127.0.0.1", [], "127.0.0.1", "127.0.0.1"),
    ("127.0.0.1", ["127.0.0.1"], "127.0.0.1", "127.0.0.1"),
])
def test_client_address_believes_forwarded_for_only_from_trusted_proxies(
        peer, forwarded, trusted, expected):
    assert client_address(request_from(peer, forwarded, trusted)) == expected


def test_trusted_proxies_refuse_a_name_that_is_not_an_address():
    with pytest.raises(ValueError, match="not an address or network: 'nginx'"):
        Settings(trusted_proxies="127.0.0.1, nginx")


def failed_logins(client: TestClient, email: str, forwarded: list[str]) -> list[int]:
    return [client.post("/api/v1/auth/token", data={"username": email, "password": "bad"},
                        headers={"X-Forwarded-For": address}).status_code
            for address in forwarded]


def test_a_new_forwarded_for_per_attempt_does_not_escape_the_throttle(app, db):
    account = factories.user(db, Role.team)
    db.commit()
    local = TestClient(app, client=("127.0.0.1", 5000))

    answers = failed_logins(local, account.email, [f"198.51.100.{n}" for n in range(11)])

    assert answers == [401] * 10 + [429]


def test_behind_a_trusted_proxy_each_client_is_throttled_alone(settings, db):
    account = factories.user(db, Role.team)
    db.commit()
    proxied = create_app(Settings(**{**settings.model_dump(), "trusted_proxies": "127.0.0.1"}))
    proxy = TestClient(proxied, client=("127.0.0.1", 5000))

    attacker = failed_logins(proxy, account.email, ["6.6.6.6, 203.0.113.9"] * 11)
    owner = proxy.post("/api/v1/auth/token",
                       data={"username": account.email, "password": PASSWORD},
                       headers={"X-Forwarded-For": "198.51.100.7"})

    assert attacker == [401] * 10 + [429]
    assert owner.status_code == 200
    proxied.state.database.dispose()
