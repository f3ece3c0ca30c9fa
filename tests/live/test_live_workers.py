"""The live final served by two uvicorn worker processes: a step taken through one worker
is what every poll sees, whichever worker answers it.

Which worker answered a connection is read from /proc: the worker holding the server
side of that TCP connection (the two workers share one listening socket).
"""

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlmodel import Session

from bench.load import free_port
from contest.core.process import SUPERVISOR_ENV
from contest.live import feed
from tests import factories
from tests.live_setup import Final, arrange_final, score

ROOT = Path(__file__).resolve().parents[2]
PROBES = 20
pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")


class Served:
    """The app under `uvicorn --workers 2`, and which worker holds which connection."""

    def __init__(self, process: subprocess.Popen[bytes], port: int) -> None:
        self.process = process
        self.port = port

    def workers(self) -> set[int]:
        pids = set()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    command = (entry / "cmdline").read_bytes()
                except OSError:
                    continue
                # multiprocessing's resource tracker is a child too, but serves nothing.
                if int(fields[1]) == self.process.pid and b"resource_tracker" not in command:
                    pids.add(int(entry.name))
        return pids

    def worker_of(self, connection: http.client.HTTPConnection) -> int:
        """The worker process holding the server side of an open connection."""
        client_port = connection.sock.getsockname()[1]
        inode = self._server_socket_inode(client_port)
        for pid in self.workers():
            try:
                links = [
                    os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")
                ]
            except OSError:
                continue
            if f"socket:[{inode}]" in links:
                return pid
        raise AssertionError("no worker holds the connection")

    def _server_socket_inode(self, client_port: int) -> int:
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                local, remote, inode = parts[1], parts[2], parts[9]
                if (
                    int(local.split(":")[1], 16) == self.port
                    and int(remote.split(":")[1], 16) == client_port
                ):
                    return int(inode)
        raise AssertionError(f"no server socket for client port {client_port}")


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[Served]:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != SUPERVISOR_ENV},
        "DATABASE_URL": database_url,
        "TIANJIAO_SECRET_KEY": "test-secret-key-not-for-production",
        "TIANJIAO_DATA_DIR": str(tmp_path / "data"),
    }
    command = [
        sys.executable, "-m", "uvicorn", "contest.app:create_app_from_env", "--factory",
        "--workers", "2", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    served = Served(process, port)
    try:
        _wait_until_both_workers_serve(served)
        yield served
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_until_both_workers_serve(served: Served) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if len(served.workers()) >= 2:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=5)
                connection.request("GET", "/")
                if connection.getresponse().status == 200:
                    connection.close()
                    return
            except OSError:
                pass
        time.sleep(0.2)
    raise RuntimeError("uvicorn with two workers did not start")


def request(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    body: object = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    sent = {"Content-Type": "application/json", **(headers or {})}
    connection.request(method, path, body=data, headers=sent)
    response = connection.getresponse()
    return response.status, json.loads(response.read() or b"null")


def connect(served: Served) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)


def token(served: Served, email: str) -> dict[str, str]:
    connection = connect(served)
    form = urlencode({"username": email, "password": factories.PASSWORD})
    connection.request(
        "POST",
        "/api/v1/auth/token",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    body = json.loads(connection.getresponse().read())
    connection.close()
    return {"Authorization": f"Bearer {body['access_token']}"}


def on_worker(
    served: Served, wanted: int | None, avoid: int | None = None
) -> tuple[http.client.HTTPConnection, int]:
    """A fresh connection answered by `wanted` (or by any worker but `avoid`)."""
    for _attempt in range(200):
        connection = connect(served)
        request(connection, "GET", "/api/v1/me")  # any request: the connection is accepted
        pid = served.worker_of(connection)
        if (wanted is None or pid == wanted) and pid != avoid:
            return connection, pid
        connection.close()
    raise AssertionError("the kernel never handed a connection to that worker")


# The served workers keep the module's value (tests in this process set it to 0).
SERVED_FRESH = feed.FRESH


def settle() -> None:
    """A worker answers polls from a copy checked in the last feed.FRESH seconds: the
    documented bound on how late a screen may see a step (contest/live/README.md)."""
    time.sleep(SERVED_FRESH * 1.2)


def polls(served: Served, final: Final) -> list[tuple[int, int, str]]:
    """(worker, revision, phase) seen by PROBES fresh connections."""
    seen = []
    for _n in range(PROBES):
        connection = connect(served)
        status, body = request(connection, "GET", final.live_url)
        assert status == 200
        seen.append((served.worker_of(connection), body["revision"], body["phase"]))
        connection.close()
    return seen


@pytest.mark.slow
def test_a_step_through_one_worker_is_seen_by_polls_on_the_other(
    served: Served, db: Session, world: factories.World
) -> None:
    final = arrange_final(db, world, entries=2)
    db.close()
    auth = token(served, world.organiser.email)
    first, worker_a = on_worker(served, None)
    status, drawn = request(first, "POST", final.draw_url, {"seed": 11}, auth)
    assert status == 200

    status, started = request(first, "POST", final.live_url, {"action": "start"}, auth)
    settle()
    seen = polls(served, final)
    _other, worker_b = on_worker(served, None, avoid=worker_a)
    _status, from_b = request(_other, "GET", final.live_url)

    assert (status, started["revision"], started["phase"]) == (200, 1, "pitching")
    assert {(revision, phase) for _w, revision, phase in seen} == {(1, "pitching")}
    assert (from_b["revision"], from_b["current_entry_id"]) == (1, drawn["order"][0])
    assert served.workers() == {worker_a, worker_b}

    # The other way round: reveal through worker B, polls everywhere see it.
    score(db, final, next(e for e in final.entries if e.id == drawn["order"][0]))
    db.close()
    status, revealed = request(_other, "POST", final.live_url, {"action": "reveal"}, auth)
    settle()
    seen = polls(served, final)
    back_on_a, _pid = on_worker(served, worker_a)
    _status, from_a = request(back_on_a, "GET", final.live_url)

    assert (status, revealed["phase"]) == (200, "revealed")
    assert {(revision, phase) for _w, revision, phase in seen} == {(2, "revealed")}
    assert (from_a["revision"], from_a["revealed"][0]["score_text"]) == (2, "80.00")
    assert {worker for worker, _r, _p in seen} <= {worker_a, worker_b}
