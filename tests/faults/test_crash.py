"""A server killed in the middle of a burst of score saves: no acknowledged save is lost,
and no sheet is left half-written (every sheet holds exactly the values of one save)."""

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select
from sqlmodel import Session

from bench.load import Outcome, free_port, lost_saves, random_scores, seed, wait_until_answering
from bench.procs import alive, app_workers, children_of
from contest.core import schema
from contest.models import CriterionScore, ScoreSheet

ROOT = Path(__file__).resolve().parents[2]


def start_server(url: str, tmp_path: Path, port: int, *args: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TIANJIAO_DATA_DIR": str(tmp_path / "data"),
        "TIANJIAO_SECRET_KEY": "crash-test",
    }
    process = subprocess.Popen(
        [sys.executable, "main.py", "serve", "--port", str(port), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Workers took 90 s to start on a machine at load 24.
    wait_until_answering(process, f"http://127.0.0.1:{port}/api/v1/me", timeout_s=150)
    return process


@pytest.mark.slow
def test_killed_server_loses_no_acknowledged_save(empty_database, tmp_path):
    schema.upgrade(empty_database)
    seeded = seed(empty_database, judges=8, entries_per_judge=4)
    port = free_port()
    server = start_server(empty_database, tmp_path, port)
    outcome = Outcome()
    sent: dict[tuple[str, int], list[dict[str, float]]] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def judge(token: str, seed_value: int) -> None:
        rng = random.Random(seed_value)
        entries = seeded.judges[token]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            while not stop.is_set():
                entry_id = rng.choice(entries)
                scores = random_scores(seeded, rng)
                with lock:
                    sent.setdefault((token, entry_id), []).append(scores)
                try:
                    response = client.put(
                        f"/api/v1/rounds/{seeded.round_id}/entries/{entry_id}/sheet",
                        json={"scores": scores, "submit": False},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                except httpx.TransportError:
                    return  # the server died under us; this save was never acknowledged
                if response.status_code == 200:
                    with lock:
                        outcome.acked.setdefault((token, entry_id), []).append(
                            (response.json()["revision"], scores, False)
                        )

    threads = [threading.Thread(target=judge, args=(t, n)) for n, t in enumerate(seeded.judges)]
    for thread in threads:
        thread.start()
    while sum(len(a) for a in outcome.acked.values()) < 150:
        time.sleep(0.01)
    server.send_signal(signal.SIGKILL)
    server.wait()
    stop.set()
    for thread in threads:
        thread.join()

    assert lost_saves(empty_database, seeded, outcome) == []
    engine = create_engine(empty_database)
    with Session(engine) as db:
        sheets = db.scalars(select(ScoreSheet)).all()
        judge_of = {v: k for k, v in seeded.judge_ids.items()}
        for sheet in sheets:
            values = {
                str(s.criterion_id): s.value_tenths / 10
                for s in db.scalars(
                    select(CriterionScore).where(CriterionScore.sheet_id == sheet.id)
                )
            }
            assert values in sent[(judge_of[sheet.judge_id], sheet.entry_id)], sheet.id
    engine.dispose()
    assert len(sheets) > 0


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_killed_master_takes_its_workers_and_the_restart_succeeds(tmp_path):
    """kill -9 of `serve --workers 2`: its workers used to keep the port ("Address
    already in use" on restart). They stop within seconds now and the restart serves."""
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    schema.upgrade(url)
    port = free_port()
    master = start_server(url, tmp_path, port, "--workers", "2")
    deadline = time.monotonic() + 30
    while len(app_workers(master.pid)) < 2:
        assert time.monotonic() < deadline, "workers did not start"
        time.sleep(0.1)
    workers = children_of(master.pid)  # uvicorn's two workers and the jobs' worker
    assert len(workers) >= 3, workers
    assert all(alive(pid) for pid in workers)

    master.send_signal(signal.SIGKILL)
    master.wait()
    began = time.monotonic()
    while any(alive(pid) for pid in workers):
        assert time.monotonic() - began < 20, "orphaned workers keep running"
        time.sleep(0.1)

    restarted = start_server(url, tmp_path, port, "--workers", "2")
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/me", timeout=5).status_code == 401
    finally:
        restarted.terminate()
        restarted.wait(20)
