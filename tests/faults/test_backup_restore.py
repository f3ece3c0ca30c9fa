"""`python main.py backup PATH` makes a copy that a fresh instance serves identically;
`python main.py restore PATH` puts a backup taken while judges were saving into an empty
database and data folder: the same results, documents and log-in sessions, and every
save answered before the backup began (issue 19, point 7)."""

import os
import random
import shutil
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, col

from contest.app import create_app
from contest.core.enums import SheetState
from contest.core.settings import Settings
from contest.models import CriterionScore, ScoreSheet
from tests import factories
from tests.app_client import TestClient
from tests.serving import serving

ROOT = Path(__file__).resolve().parents[2]


def scored_round(db, world, settings):
    """Entries with business plans and submitted sheets in the preliminary."""
    entries = [
        factories.entry(
            db, world.contest, world.creative, rounds=(world.preliminary,), title=f"项目{i}"
        )
        for i in range(4)
    ]
    for entry in entries:
        factories.document(db, entry, settings)
        for judge_number, judge in enumerate(world.judges):
            factories.assign(db, world.preliminary, judge, entry)
            values = [200 + 7 * entry.id + judge_number, 150, 120 + judge_number, 100, 80]
            factories.sheet(db, world.preliminary, judge, entry, values)
    db.commit()
    return entries


def restore(database_url: str, backup: Path) -> str:
    """A fresh database from the backup: the SQLite copy, or the dump loaded with psql."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{backup / 'tianjiao.db'}"
    server = make_url(database_url)
    name = f"tianjiao_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    restored = server.set(database=name)
    subprocess.run(
        [
            "psql",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-f",
            str(backup / "tianjiao.sql"),
            restored.set(drivername="postgresql").render_as_string(hide_password=False),
        ],
        check=True,
        capture_output=True,
    )
    return restored.render_as_string(hide_password=False)


def drop(url: str) -> None:
    if url.startswith("sqlite"):
        return
    server = make_url(url)
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{server.database}" WITH (FORCE)'))
    admin.dispose()


def snapshot(app, world, entries):
    client = TestClient(app)
    headers = factories.bearer(client, world.organiser)
    results = client.get(f"/api/v1/rounds/{world.preliminary.id}/results", headers=headers)
    documents = [
        client.get(f"/api/v1/entries/{e.id}/documents", headers=headers).json() for e in entries
    ]
    files = [
        client.get(f"/api/v1/documents/{d[0]['id']}", headers=headers).content for d in documents
    ]
    return results.json(), files


def test_backup_is_served_identically(app, db, world, settings, tmp_path):
    entries = scored_round(db, world, settings)
    before = snapshot(app, world, entries)
    backup = tmp_path / "backup"
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "TIANJIAO_DATA_DIR": str(settings.data_dir),
    }

    done = subprocess.run(
        [sys.executable, "main.py", "backup", str(backup)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    restored_url = restore(settings.database_url, backup)
    data_dir = tmp_path / "restored-data"
    shutil.copytree(backup / "uploads", data_dir / "uploads")
    fresh = create_app(
        Settings(database_url=restored_url, data_dir=data_dir, secret_key="another-instance")
    )
    try:
        after = snapshot(fresh, world, entries)
    finally:
        fresh.state.database.dispose()
        drop(restored_url)
    assert after == before
    assert len(before[0]) == 4
    assert all(file.startswith(b"%PDF-") for file in before[1])


# --- a backup taken while judges save, restored with `main.py restore` -----------------


@dataclass
class Saves:
    """Every save sent and answered, per (judge's token, entry): (sent at, answered at,
    revision, scores in tenths)."""

    answered: dict[tuple[str, int], list[tuple[float, float, int, dict[int, int]]]] = field(
        default_factory=dict
    )
    sent: dict[tuple[str, int], list[dict[int, int]]] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    retried: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def every_seat_answered(self, seats: int, times: int) -> bool:
        with self.lock:
            counts = [len(acks) for acks in self.answered.values()]
        return len(counts) == seats and min(counts) >= times


def keep_saving(base, token, entry_id, criteria, stop, saves: Saves, seed: int) -> None:
    """One judge's draft of one sheet, saved again and again until `stop`."""
    rng = random.Random(seed)
    url = f"/api/v1/rounds/{criteria[0].round_id}/entries/{entry_id}/sheet"
    with httpx.Client(base_url=base, timeout=30) as client:
        while not stop.is_set():
            tenths = {c.id: rng.randint(0, c.max_tenths) for c in criteria}
            with saves.lock:
                saves.sent.setdefault((token, entry_id), []).append(tenths)
            began = time.monotonic()
            answer = client.put(
                url,
                json={"scores": {str(c): v / 10 for c, v in tenths.items()}, "submit": False},
                headers={"Authorization": f"Bearer {token}"},
            )
            if answer.status_code == 503 and "Retry-After" in answer.headers:
                # What the judge's page does with "busy, retry": on a disk shared with
                # a whole test run a checkpoint can keep the writers' queue waiting past
                # the busy timeout. The save was not acknowledged; it is sent again.
                with saves.lock:
                    saves.retried += 1
                time.sleep(0.05)
                continue
            if answer.status_code != 200:
                with saves.lock:
                    saves.failed.append(f"{answer.status_code} {answer.text[:200]}")
                continue
            with saves.lock:
                saves.answered.setdefault((token, entry_id), []).append(
                    (began, time.monotonic(), answer.json()["revision"], tenths)
                )


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def empty_database_like(url: str, tmp_path: Path) -> str:
    """A database with nothing in it, on the same server (or a new SQLite file)."""
    if url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored' / 'tianjiao.db'}"
    server = make_url(url)
    name = f"tianjiao_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def drafts(url: str) -> dict[tuple[int, int], tuple[int, int, dict[int, int]]]:
    """(judge id, entry id) -> (revision, total, scores) of every draft sheet."""
    engine = create_engine(url)
    with Session(engine) as session:
        scores: dict[int, dict[int, int]] = {}
        for score in session.scalars(select(CriterionScore)):
            scores.setdefault(score.sheet_id, {})[score.criterion_id] = score.value_tenths
        found = {
            (sheet.judge_id, sheet.entry_id): (
                sheet.revision,
                sheet.total_tenths,
                scores.get(sheet.id, {}),
            )
            for sheet in session.scalars(
                select(ScoreSheet).where(col(ScoreSheet.state) == SheetState.draft)
            )
        }
    engine.dispose()
    return found


@pytest.mark.slow
def test_backup_taken_while_judges_save_restores_results_documents_and_sessions(
    app, db, world, settings, tmp_path
):
    entries = scored_round(db, world, settings)
    tokens = [
        factories.bearer(TestClient(app), account)["Authorization"].removeprefix("Bearer ")
        for account in world.judge_users
    ]
    criteria = factories.criteria(db, world.preliminary)
    seats = []  # (judge's token, judge id, entry id): drafts saved during the backup
    for judge, token in zip(world.judges, tokens, strict=True):
        for n in range(3):
            draft_entry = factories.entry(
                db,
                world.contest,
                world.startup,
                rounds=(world.preliminary,),
                title=f"草稿{judge.id}-{n}",
            )
            factories.assign(db, world.preliminary, judge, draft_entry)
            seats.append((token, judge.id, draft_entry.id))
    db.commit()
    team_browser = factories.login(TestClient(app), world.team)
    session_cookie = team_browser.cookies["tj_session"]
    before = snapshot(app, world, entries)
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "TIANJIAO_DATA_DIR": str(settings.data_dir),
        "TIANJIAO_SECRET_KEY": settings.secret_key,
    }
    saves, stop = Saves(), threading.Event()
    with serving(app) as base:
        judges = [
            threading.Thread(
                target=keep_saving, args=(base, token, entry_id, criteria, stop, saves, n)
            )
            for n, (token, _judge_id, entry_id) in enumerate(seats)
        ]
        for thread in judges:
            thread.start()
        # Every seat has an answered save before the backup begins, so each sheet's copy
        # can be checked against one (a total count let a slow seat start late).
        while not saves.every_seat_answered(len(seats), times=2):
            time.sleep(0.01)
        backup_began = time.monotonic()
        done = run_cli("backup", str(tmp_path / "backup"), env=env)
        backup_ended = time.monotonic()
        time.sleep(0.2)
        stop.set()
        for thread in judges:
            thread.join()
    assert done.returncode == 0, done.stderr
    assert saves.failed == []
    during = [
        a
        for acks in saves.answered.values()
        for a in acks
        if a[0] < backup_ended and a[1] > backup_began
    ]
    assert len(during) >= len(seats), "the judges were not saving while the backup ran"

    restored_url = empty_database_like(settings.database_url, tmp_path)
    restored_dir = tmp_path / "restored-data"
    restored_env = {
        **{k: v for k, v in os.environ.items() if k != "TIANJIAO_SECRET_KEY"},
        "DATABASE_URL": restored_url,
        "TIANJIAO_DATA_DIR": str(restored_dir),
    }
    try:
        restored = run_cli("restore", str(tmp_path / "backup"), env=restored_env)
        assert restored.returncode == 0, restored.stderr
        again = run_cli("restore", str(tmp_path / "backup"), env=restored_env)
        # Settings as `serve` makes them: the secret key comes from the restored data folder.
        fresh = create_app(Settings(database_url=restored_url, data_dir=restored_dir))
        try:
            after = snapshot(fresh, world, entries)
            browser = TestClient(fresh)
            browser.cookies.set("tj_session", session_cookie)
            me = browser.get("/api/v1/me")
            stranger = create_app(
                Settings(database_url=restored_url, data_dir=restored_dir, secret_key="other")
            )
            other = TestClient(stranger)
            other.cookies.set("tj_session", session_cookie)
            signed_elsewhere = other.get("/api/v1/me")
            stranger.state.database.dispose()
            restored_drafts = drafts(restored_url)
        finally:
            fresh.state.database.dispose()
    finally:
        drop(restored_url)

    assert after == before  # results, document lists and the files themselves
    assert again.returncode == 1
    assert "--force" in again.stderr
    assert me.status_code == 200, me.text
    assert me.json()["email"] == world.team.email
    assert signed_elsewhere.status_code == 401  # the cookie holds only with the restored key
    for token, judge_id, entry_id in seats:
        acks = saves.answered[(token, entry_id)]
        revision, total, scores = restored_drafts[(judge_id, entry_id)]
        # The copy is one moment of the database: a save answered before the backup began
        # is in it; the sheet holds exactly one save that was sent, and its total.
        answered_before = [a[2] for a in acks if a[1] < backup_began]
        assert revision >= max(answered_before), (judge_id, entry_id)
        assert scores in saves.sent[(token, entry_id)], (judge_id, entry_id)
        assert total == sum(scores.values())
