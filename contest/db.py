"""Engines and the per-request session: one transaction per request, committed once."""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

SQLITE_BUSY_TIMEOUT_MS = 5000


def _sqlite_pragmas(immediate: bool, busy_timeout_ms: int):  # type: ignore[no-untyped-def]
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event start transactions, not the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Waiting for a competing writer is SQLite's retry; past this, the request fails
        # with "database is locked", which the app answers with 503 and Retry-After.
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    def on_begin(connection: Any) -> None:
        # A writer takes the lock up front: a deferred transaction that reads and then
        # writes can fail at once with "database is locked" instead of waiting its turn.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return on_connect, on_begin


def _make_engine(url: str, *, immediate: bool, busy_timeout_ms: int) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000}
        )
        on_connect, on_begin = _sqlite_pragmas(immediate, busy_timeout_ms)
        event.listen(engine, "connect", on_connect)
        event.listen(engine, "begin", on_begin)
        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


class Database:
    """The engines for one database URL. SQLite gets a second engine for writers."""

    def __init__(self, url: str, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.busy_timeout_s = busy_timeout_ms / 1000
        # SQLite admits one writer at a time. Writing requests of this process queue here,
        # in the event loop, instead of each holding a worker thread while SQLite's busy
        # handler sleeps: with every thread blocked that way, the request holding the lock
        # could not get a thread to finish, and throughput collapsed under load.
        self.write_queue = asyncio.Lock() if self.is_sqlite else None
        self.engine = _make_engine(url, immediate=False, busy_timeout_ms=busy_timeout_ms)
        self.write_engine = (
            _make_engine(url, immediate=True, busy_timeout_ms=busy_timeout_ms)
            if self.is_sqlite
            else self.engine
        )

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """A session committed once at the end, rolled back if anything failed."""
        engine = self.write_engine if write else self.engine
        with Session(engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()
