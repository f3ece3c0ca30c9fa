"""Shared fixtures: a migrated database per test, on SQLite and (when TEST_DATABASE_URL is
set) PostgreSQL; the app; clients logged in as each role.

Every test that asks for `database` (directly or through `app`, `client`, `db`...) runs
once per backend. SQLite tests get a fresh copy of a migrated template file; PostgreSQL
tests share one migrated database per test process, emptied before each test.
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from contest.app import build_app, configure
from contest.core import schema
from contest.core.db import Database
from contest.core.settings import Settings
from contest.models import metadata
from tests import factories

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    schema.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A migrated PostgreSQL database of this test process's own, dropped afterwards."""
    server = make_url(PG_URL)
    name = f"tianjiao_test_{_worker()}_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    schema.upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "tianjiao.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_database")
    _empty_postgres(url)
    return url


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server = make_url(PG_URL)
    name = f"tianjiao_migrate_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        secret_key="test-secret-key-not-for-production",
        base_url="http://testserver",
    )


@pytest.fixture(scope="session")
def built_app():
    """The app's routes, built once per test process: building them takes most of a
    second, and every test of the suite needs an app (each with its own settings)."""
    return build_app()


@pytest.fixture
def app(built_app, settings: Settings):
    configure(built_app, settings)
    yield built_app
    built_app.state.database.dispose()


@pytest.fixture
def database(app) -> Database:
    return app.state.database  # type: ignore[no-any-return]


class FreshSession(Session):
    """A test's view of the database: every query sees what the app committed so far.

    Each query first ends the previous transaction, so no old snapshot (SQLite WAL keeps
    one per read transaction) hides the app's writes, and no read lock is held while the
    app works. Writes still need an explicit commit() before the app can see them.
    """

    def execute(self, *args, **kwargs):
        if self.in_transaction() and not (self.new or self.dirty or self.deleted):
            self.commit()
        return super().execute(*args, **kwargs)


@pytest.fixture
def db(database: Database) -> Iterator[Session]:
    """A session for arranging and checking data; commit() to make it visible to the app."""
    with FreshSession(database.engine, expire_on_commit=False) as session:
        yield session
        session.rollback()


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def make_client(app):
    """More clients for the same app: one per person in a test."""
    clients: list[TestClient] = []

    def make() -> TestClient:
        new = TestClient(app, base_url="http://testserver")
        clients.append(new)
        return new

    yield make
    for each in clients:
        each.close()


@pytest.fixture
def world(db: Session) -> factories.World:
    """A contest with its tracks and rounds, organisers, judges and teams (see factories)."""
    return factories.build_world(db)
