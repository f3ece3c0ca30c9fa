"""`python main.py serve` starts uvicorn without trusting proxy headers: the app reads
X-Forwarded-For itself, and only from TIANJIAO_TRUSTED_PROXIES."""

import uvicorn

from contest import cli
from contest.core.process import SUPERVISOR_ENV


def test_serve_does_not_let_uvicorn_trust_proxy_headers(monkeypatch, settings):
    # serve marks this process as the supervisor of the workers it starts; undone after,
    # or every server a later test of this process starts would take the mark as its own.
    monkeypatch.setenv(SUPERVISOR_ENV, "")
    started: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.update(kwargs))

    assert cli.serve(settings, "127.0.0.1", 8123) == 0

    assert started["proxy_headers"] is False
    assert "forwarded_allow_ips" not in started
