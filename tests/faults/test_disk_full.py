"""A full disk (issue 19, point 5): uploads stop with 507 before the free space falls under
the reserve, so score saves keep working; a save on a full disk answers 507 and works
again as soon as space returns; no partial upload file is left behind, and the ones a
crash left are removed at start-up.

The save and the upload that meet ENOSPC run on a real 16 MB filesystem (tmpfs, mounted
by the test where the machine allows it: root on Linux; skipped elsewhere); the reserve
is checked everywhere by asking for more than the disk has.
"""

import contextlib
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from contest.core.settings import Settings
from contest.kit.uploads import INCOMING, remove_partial_uploads
from tests import factories
from tests.app_client import TestClient
from tests.judging_setup import arrange_scoring, full_scores

PDF = factories.pdf_bytes("计划书", pages=3)


def upload(client: TestClient, entry_id: int, headers, data: bytes = PDF):
    return client.post(
        f"/api/v1/entries/{entry_id}/documents",
        data={"kind": "business_plan"},
        files={"file": ("计划书.pdf", data, "application/pdf")},
        headers=headers,
    )


def partial_files(settings: Settings) -> list[Path]:
    incoming = settings.uploads_dir / INCOMING
    return list(incoming.glob("*")) if incoming.exists() else []


def test_uploads_stop_at_the_reserve_and_saves_go_on(app, client, db, world, settings):
    scoring = arrange_scoring(db, world)
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    db.commit()
    team = factories.bearer(client, world.team)
    judge = factories.bearer(client, world.judge_users[0])
    settings.disk_reserve_bytes = shutil.disk_usage(settings.data_dir.parent).free + 2**30

    refused = upload(client, entry.id, team)

    assert refused.status_code == 507, refused.text
    assert refused.json()["detail"]
    assert partial_files(settings) == []
    saved = client.put(
        scoring.url(scoring.entries[0]), json={"scores": full_scores(scoring)}, headers=judge
    )
    assert saved.status_code == 200
    settings.disk_reserve_bytes = 0
    assert upload(client, entry.id, team).status_code == 201


def test_partial_uploads_are_removed_at_start_up(tmp_path):
    incoming = tmp_path / "uploads" / INCOMING
    incoming.mkdir(parents=True)
    (incoming / "0123.part").write_bytes(b"%PDF-half")
    kept = tmp_path / "uploads" / "ab" / "kept.pdf"
    kept.parent.mkdir()
    kept.write_bytes(b"%PDF-stored")

    assert remove_partial_uploads(tmp_path / "uploads") == 1
    assert list(incoming.iterdir()) == []
    assert kept.exists()


@pytest.fixture
def small_disk(tmp_path_factory) -> Path:
    mount = tmp_path_factory.mktemp("small-disk")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],  # noqa: S607
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a small filesystem here (needs root)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)  # noqa: S607


@pytest.fixture
def database_url(small_disk, sqlite_template) -> str:
    """This module's database lives on the small disk (SQLite only: a server's disk is
    the server's)."""
    path = small_disk / "tianjiao.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def settings(database_url, small_disk) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=small_disk / "data",
        secret_key="test-secret-key-not-for-production",
        base_url="http://testserver",
        disk_reserve_bytes=0,  # this test meets the full disk itself
    )


def fill(disk: Path) -> Path:
    """Write until the disk is full; the filler file (delete it to make room)."""
    filler = disk / f"filler-{uuid.uuid4().hex}"
    block = b"\0" * 65536
    with contextlib.suppress(OSError), filler.open("wb") as handle:
        while True:
            handle.write(block)
            handle.flush()
    return filler


def test_a_full_disk_answers_507_and_recovers(small_disk, app, client, db, world, settings):
    scoring = arrange_scoring(db, world, entries=3)
    for n in range(2, 3):
        factories.assign(db, world.preliminary, world.judges[0], scoring.entries[n])
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    db.commit()
    team = factories.bearer(client, world.team)
    judge = factories.bearer(client, world.judge_users[0])
    first = client.put(
        scoring.url(scoring.entries[0]), json={"scores": full_scores(scoring)}, headers=judge
    )
    assert first.status_code == 200

    filler = fill(small_disk)
    big = PDF + b"%" + b"x" * (2 * 1024 * 1024)  # more than is left
    answers = [
        upload(client, entry.id, team, big),
        *(
            client.put(scoring.url(e), json={"scores": full_scores(scoring)}, headers=judge)
            for e in scoring.entries[1:]
        ),
    ]
    # A save may still fit in pages SQLite already has; the upload cannot.
    assert answers[0].status_code == 507, answers[0].text
    assert all(a.status_code in (200, 507) for a in answers[1:]), [a.text for a in answers]
    assert partial_files(settings) == []

    filler.unlink()
    again = [
        client.put(scoring.url(e), json={"scores": full_scores(scoring)}, headers=judge)
        for e in scoring.entries
    ]
    assert [a.status_code for a in again] == [200, 200, 200]
    assert upload(client, entry.id, team).status_code == 201
    print(  # the figures of the note (pytest -s)
        f"\nfigure: disk full (16 MB tmpfs): upload {answers[0].status_code}, saves "
        f"{[a.status_code for a in answers[1:]]} ({answers[0].json()['detail']!r}); "
        f"partial files left 0; after freeing space saves {[a.status_code for a in again]}, "
        "upload 201"
    )
