"""PostgreSQL refusing connections for a while (issue 19, point 3): every request is
answered 503 with Retry-After, quickly; the outage is logged once with a count, not a
traceback per request; the app recovers by itself and nothing acknowledged is lost."""

import logging
import time

import pytest
from sqlalchemy.engine import make_url

from contest.app import create_app
from contest.core.settings import Settings
from tests import factories
from tests.app_client import TestClient
from tests.conftest import PG_URL
from tests.faults.tcp_proxy import Proxy

# SQLite has no server to lose: only the PostgreSQL runs are collected (tests/conftest.py).
pytestmark = [
    pytest.mark.postgresql_only,
    pytest.mark.skipif(not PG_URL, reason="the outage is PostgreSQL's"),
]

REFUSED = 30


@pytest.fixture
def proxied(database_url, settings, db, world):
    server = make_url(database_url)
    with Proxy(server.host or "127.0.0.1", server.port or 5432) as proxy:
        url = server.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        app = create_app(
            Settings(database_url=url, data_dir=settings.data_dir, secret_key=settings.secret_key)
        )
        try:
            yield proxy, app
        finally:
            app.state.database.dispose()


def test_database_refusing_connections_is_a_503_logged_once(proxied, world, caplog):
    proxy, app = proxied
    client = TestClient(app)
    headers = factories.bearer(client, world.organiser)
    contest = f"/api/v1/contests/{world.contest.id}"
    assert client.get(contest, headers=headers).status_code == 200

    caplog.set_level(logging.INFO, logger="tianjiao")
    proxy.cut()
    durations = []
    for n in range(REFUSED):
        began = time.monotonic()
        if n % 2:
            answer = client.patch(contest, json={"description": f"停电{n}"}, headers=headers)
        else:
            answer = client.get(contest, headers=headers)
        durations.append(time.monotonic() - began)
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"].isdigit()
        assert answer.json()["detail"]
    slowest = max(durations)
    assert slowest < 10  # the stated bound; a refused connection fails at once

    proxy.restore()
    assert client.get(contest, headers=headers).status_code == 200
    saved = client.patch(contest, json={"description": "恢复"}, headers=headers)
    assert saved.status_code == 200
    assert client.get(contest, headers=headers).json()["description"] == "恢复"

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert "unavailable" in errors[0].getMessage()
    assert not any(r.exc_info for r in caplog.records)  # no traceback per request
    back = [r.getMessage() for r in caplog.records if "database back" in r.getMessage()]
    assert len(back) == 1
    assert f"{REFUSED} requests" in back[0]
    print(  # the figures of the note (pytest -s)
        f"\nfigure: database refusing connections: {REFUSED} of {REFUSED} requests 503 with "
        f"Retry-After {answer.headers['retry-after']} s, longest {slowest * 1000:.0f} ms "
        f"(first {durations[0] * 1000:.0f} ms, "
        f"median {sorted(durations)[REFUSED // 2] * 1000:.0f} ms); "
        f"{len(errors)} error line and {len(back)} recovery line in the log "
        f"({len(caplog.records)} lines in all), no traceback; recovered without a restart"
    )
