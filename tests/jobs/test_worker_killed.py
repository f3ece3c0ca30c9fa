"""A real worker (`python main.py worker`) killed mid-batch: its job is taken up by the
next worker, and every mail of the batch arrives, none twice but the one in flight."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import select

from contest import cli
from contest.models import Job, OutboxMail
from contest.notices import service as notices

ROOT = Path(__file__).resolve().parents[2]
MAILS = 120


def _worker(settings) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "main.py", "worker", "--threads", "2"],
        cwd=ROOT,
        env=cli.settings_environment(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait(condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.slow
def test_a_job_survives_a_worker_killed_mid_run(app, settings, db, world, smtp_server):
    settings.smtp_url = smtp_server.url
    settings.job_lease_seconds = 2
    smtp_server.inbox.delay_s = 0.03  # a slow server: the kill lands mid-batch
    for n in range(MAILS):
        notices.enqueue(db, to=f"team{n:03}@example.com", kind="test", context={},
                        contest_id=world.contest.id)
    db.commit()

    first = _worker(settings)
    try:
        _wait(lambda: len(smtp_server.inbox.messages) >= 20, 60, "the first mails")
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    delivered_before = len(smtp_server.inbox.messages)
    assert delivered_before < MAILS
    job = db.scalars(select(Job)).one()
    assert job.state == "running"  # as the dead worker left it

    time.sleep(settings.job_lease_seconds + 0.5)  # its heartbeat is now stale
    second = _worker(settings)
    try:
        _wait(lambda: db.get(Job, job.id, populate_existing=True).state == "done", 90, "the job")
    finally:
        second.terminate()
        second.wait(timeout=20)

    received = Counter(m["To"] for m in smtp_server.inbox.messages)
    assert set(received) == {f"team{n:03}@example.com" for n in range(MAILS)}
    twice = [address for address, count in received.items() if count > 1]
    assert len(twice) <= 1, twice  # at most the mail in flight when the worker died
    for address in twice:
        ids = {m["Message-ID"] for m in smtp_server.inbox.to(address)}
        assert len(ids) == 1  # the same Message-ID: mail systems drop the duplicate
    assert set(db.scalars(select(OutboxMail.state)).all()) == {"sent"}
    assert db.get(Job, job.id, populate_existing=True).attempts == 2
