"""A SQLite database held by another writer: the app waits, then answers 503, never 500."""

import shutil
import sqlite3

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from contest.app import create_app
from contest.core.enums import Role
from contest.core.settings import Settings
from contest.models import Contest
from tests import factories
from tests.app_client import TestClient


@pytest.fixture
def locked_setup(sqlite_template, tmp_path):
    path = tmp_path / "locked.db"
    shutil.copyfile(sqlite_template, path)
    settings = Settings(
        database_url=f"sqlite:///{path}",
        data_dir=tmp_path / "data",
        secret_key="test",
        sqlite_busy_timeout_ms=300,
    )
    app = create_app(settings)
    with Session(app.state.database.engine, expire_on_commit=False) as db:
        organiser = factories.user(db, Role.organiser)
        db.commit()
    yield app, path, organiser
    app.state.database.dispose()


def test_locked_database_gives_503_then_works_when_released(locked_setup):
    app, path, organiser = locked_setup
    client = TestClient(app)
    headers = factories.bearer(client, organiser)
    other_writer = sqlite3.connect(path, isolation_level=None)
    other_writer.execute("BEGIN IMMEDIATE")

    busy = client.post("/api/v1/contests", json={"name": "大赛", "year": 2024}, headers=headers)
    other_writer.execute("ROLLBACK")
    retried = client.post("/api/v1/contests", json={"name": "大赛", "year": 2024}, headers=headers)

    other_writer.close()
    assert busy.status_code == 503
    assert busy.headers["retry-after"] == "2"
    assert busy.json() == {"detail": "数据库繁忙，请稍后重试。"}
    assert retried.status_code == 201
    with Session(app.state.database.engine) as db:
        assert db.scalar(select(func.count()).select_from(Contest)) == 1


def test_locked_database_page_is_a_styled_503(locked_setup):
    app, path, organiser = locked_setup
    client = TestClient(app)
    factories.login(client, organiser)
    other_writer = sqlite3.connect(path, isolation_level=None)
    other_writer.execute("BEGIN IMMEDIATE")

    response = client.post(
        "/manage/contests/new", data=factories.form(client, {"name": "大赛", "year": "2024"})
    )

    other_writer.execute("ROLLBACK")
    other_writer.close()
    assert response.status_code == 503
    assert "系统繁忙，请重试" in response.text


def test_busy_answers_are_logged_once_a_minute_with_their_count(locked_setup, caplog, monkeypatch):
    from contest.core import db as database

    monkeypatch.setattr(database, "BUSY_LOG", database.BusyLog(every_s=60.0))
    app, path, organiser = locked_setup
    client = TestClient(app)
    headers = factories.bearer(client, organiser)
    other_writer = sqlite3.connect(path, isolation_level=None)
    other_writer.execute("BEGIN IMMEDIATE")
    body = {"name": "大赛", "year": 2024}

    with caplog.at_level("WARNING", logger="tianjiao"):
        answers = [client.post("/api/v1/contests", json=body, headers=headers) for _ in range(3)]
        database.BUSY_LOG.last_logged = -1e9  # a minute has passed
        answers.append(client.post("/api/v1/contests", json=body, headers=headers))

    other_writer.execute("ROLLBACK")
    other_writer.close()
    assert [a.status_code for a in answers] == [503] * 4
    lines = [r.getMessage() for r in caplog.records if "database busy" in r.getMessage()]
    assert len(lines) == 2, lines
    assert lines[0].startswith("database busy: 1 request(s) answered 503")
    assert lines[1].startswith("database busy: 3 request(s) answered 503")
