"""Shared fixtures: a migrated database per test, on SQLite and (when TEST_DATABASE_URL is
set) PostgreSQL; the app; clients logged in as each role.

Every test that asks for `database` (directly or through `app`, `client`, `db`...) runs
once per backend. SQLite tests get a fresh copy of a migrated template file; PostgreSQL
tests share one migrated database per test process, emptied before each test.
"""

import contextlib
import gc
import hashlib
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from contest.app import build_app, configure
from contest.core import db as db_module
from contest.core import schema, security
from contest.core.db import Database
from contest.core.settings import Settings
from contest.jobs import engine as jobs_engine
from contest.models import metadata
from tests import factories, mail_setup
from tests.app_client import TestClient

# Passwords the app hashes in a test (accounts made through the API and the pages, demo
# loads) use argon2 at its lowest cost, as the factories' accounts do: at the real cost a
# hash is a tenth of a second of CPU. The real parameters are checked by
# tests/core/test_passwords.py, in a process of its own.
security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


# One engine per database of a test process, kept from test to test: SQLAlchemy caches
# each statement's compiled SQL on its engine, and with a new engine per test every test
# compiled every statement again (most of the cost of a short test's set-up). Each test
# still gets a new `Database` (its own locks) and an emptied pool; the database under it is
# fresh (SQLite: a new copy of the template at the same path; PostgreSQL: emptied).
_shared_urls: set[str] = set()
_engines: dict[tuple[str, tuple[tuple[str, object], ...]], Engine] = {}
_make_engine = db_module._make_engine


def _engine_of_this_process(url: str, **options: object) -> Engine:
    if url not in _shared_urls:
        return _make_engine(url, **options)  # type: ignore[arg-type]
    key = (url, tuple(sorted(options.items())))
    if key not in _engines:
        _engines[key] = _make_engine(url, **options)  # type: ignore[arg-type]
    return _engines[key]


db_module._make_engine = _engine_of_this_process  # type: ignore[assignment]


def _close_connections(url: str) -> None:
    for (engine_url, _options), engine in _engines.items():
        if engine_url == url:
            engine.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The path of this test process's SQLite database (a new copy for each test)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'tianjiao.db'}"
    _shared_urls.add(url)
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    schema.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A migrated PostgreSQL database of this test process's own, dropped afterwards.

    Commits there do not wait for the WAL to reach the disk: a test's data is thrown
    away anyway, and waiting for the flush was most of the time of a PostgreSQL test on a
    busy machine."""
    server = make_url(PG_URL)
    name = f"tianjiao_test_{_worker()}_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    url = server.set(database=name).render_as_string(hide_password=False)
    schema.upgrade(url)
    _shared_urls.add(url)
    yield url
    emptier = _emptiers.pop(url, None)
    if emptier is not None:
        emptier.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


_emptiers: dict[str, Engine] = {}


def _empty_postgres(url: str) -> None:
    """Empty every table and restart the id sequences the last test used, in one round trip.

    DELETE, not TRUNCATE: the tables hold a few rows per test, and TRUNCATE makes new
    files for each of them (about a second per test on a loaded 2-core machine, a tenth
    of that for these DELETEs). setval, not ALTER SEQUENCE ... RESTART, which also makes
    a new file per sequence (32 ms per test for the 30 sequences, 4 ms this way). Ids
    restart at 1 as they would in a new database."""
    engine = _emptiers.get(url)
    if engine is None:
        engine = _emptiers[url] = create_engine(url)
    with engine.begin() as connection:
        used = connection.execute(
            text("SELECT sequencename FROM pg_sequences WHERE last_value IS NOT NULL")
        ).scalars()
        statements = [f'DELETE FROM "{t.name}"' for t in reversed(metadata.sorted_tables)]
        statements += [f"SELECT setval('\"{name}\"', 1, false)" for name in used]
        connection.exec_driver_sql("; ".join(statements))


def pytest_collection_finish(session: pytest.Session) -> None:
    """What is loaded by now (the app, the libraries, the collected tests) stays for the
    whole run, so the cyclic garbage collector stops walking it (gc.freeze); and it runs
    after 10,000 new objects instead of 700. The suite's processes spent about a tenth
    of their CPU in it, most of that walking the same long-lived objects again."""
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of PostgreSQL's own faults are not collected for SQLite (rather than skipped);
    the long tests run first."""
    _drop_sqlite_runs_of_postgresql_faults(config, items)
    items[:] = _long_ones_spread(items)


def _long_ones_spread(items: list[pytest.Item]) -> list[pytest.Item]:
    """The long tests spread evenly over the first nine tenths of the run.

    xdist gives each worker a contiguous block of this list to start with (and
    `--dist worksteal` takes from the end of a busy worker's block): long tests bunched
    together land on one worker, which then runs alone at the end; a long test handed out
    last does the same."""
    # Mixed by a hash of their names (the same order in every xdist worker), so that one
    # folder's long tests do not come together either.
    long = sorted((item for item in items if _is_long(item)),
                  key=lambda item: hashlib.sha256(item.nodeid.encode()).hexdigest())
    short = [item for item in items if not _is_long(item)]
    if not long or not short:
        return items
    step = 0.9 * len(short) / len(long)
    spread: list[pytest.Item] = []
    placed = 0
    for index, item in enumerate(short):
        while placed < len(long) and placed * step <= index:
            spread.append(long[placed])
            placed += 1
        spread.append(item)
    return spread + long[placed:]


LONG_FOLDERS = ("tests/browser/", "tests/faults/")


def _is_long(item: pytest.Item) -> bool:
    return any(item.get_closest_marker(name) for name in ("slow", "browser")) or any(
        folder in str(item.path) for folder in LONG_FOLDERS
    )


def _drop_sqlite_runs_of_postgresql_faults(config: pytest.Config, items: list[pytest.Item]) -> None:
    sqlite_run = re.compile(r"\[(.*-)?sqlite(-.*)?\]$")
    dropped = [
        item for item in items
        if item.get_closest_marker("postgresql_only") and sqlite_run.search(item.nodeid)
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        gone = set(dropped)
        items[:] = [item for item in items if item not in gone]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = request.getfixturevalue("sqlite_url")
        _close_connections(url)
        path = Path(make_url(url).database or "")
        # A new file, not the old one overwritten: a connection the last test left open
        # keeps the old file, and no write-ahead log of the last test applies to this one.
        for leftover in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return url
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
    """More clients for the same app: one per person in a test. Each is opened as the
    `client` fixture is (`with`): it keeps one event loop for the app for the whole test,
    where a client used without `with` starts one per request (1.7 ms of CPU each)."""
    with contextlib.ExitStack() as clients:
        yield lambda: clients.enter_context(TestClient(app, base_url="http://testserver"))


@pytest.fixture
def world(db: Session) -> factories.World:
    """A contest with its tracks and rounds, organisers, judges and teams (see factories)."""
    return factories.build_world(db)


@pytest.fixture
def smtp_server() -> Iterator["mail_setup.SmtpServer"]:
    """A real local SMTP server (aiosmtpd), plain, no login; `.inbox` has what it got."""
    server = mail_setup.start_smtp()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app, smtp_server):
    """The app with mail configured to `smtp_server` (TIANJIAO_SMTP_URL)."""
    app.state.settings.smtp_url = smtp_server.url
    app.state.settings.mail_from = "天骄大赛组委会 <contest@example.org>"
    return app


@pytest.fixture
def run_jobs(app):
    """Run the queued background jobs here, now (as a worker would); how many ran."""
    return jobs_engine.drain


@pytest.fixture(autouse=True)
def _live_feed_checked_every_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    """The public live poll may answer from a copy checked up to half a second ago
    (contest/live/feed.py); tests look right after each change, so every poll checks.
    tests/live/test_live_feed.py sets it back to test the copy itself."""
    from contest.live import feed

    monkeypatch.setattr(feed, "FRESH", 0.0)
    feed.forget()  # PostgreSQL tests reuse one database: round ids come back
