"""`python main.py backup PATH` makes a copy that a fresh instance serves identically."""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from contest.app import create_app
from contest.core.settings import Settings
from tests import factories

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
