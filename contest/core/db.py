"""Engines and the per-request session: one transaction per request, committed once."""

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeAlias, cast

from sqlalchemy import CursorResult, Engine, Executable, Select, event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

SQLITE_BUSY_TIMEOUT_MS = 5000

# A SELECT of any columns: SQLAlchemy's Select is generic in the types of its row.
AnySelect: TypeAlias = Select[*tuple[Any, ...]]


# A writer that finds the database locked retries BEGIN IMMEDIATE every 0.2 ms. SQLite's
# own busy handler sleeps up to 100 ms between tries: under load another process's
# writers, handed the lock in turn by their own queue, keep getting it first, and this
# process's writer starves into multi-second waits and 503s. Retrying every 1 ms still
# left the lock idle between two writers (saturation 331 -> 475 saves/s at 0.2 ms, the
# bare-insert ceiling's share 38% -> 40%); a try costs microseconds.
WRITER_RETRY_S = 0.0002
# Statements inside a write transaction hardly ever wait (WAL readers never block a
# writer); this bounds them anyway.
WRITER_STATEMENT_BUSY_MS = 100


def _sqlite_pragmas(
    immediate: bool, busy_timeout_ms: int
) -> tuple[Callable[[Any, Any], None], Callable[[Any], None]]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event start transactions, not the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        _use_wal(cursor, busy_timeout_ms / 1000)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        busy = WRITER_STATEMENT_BUSY_MS if immediate else busy_timeout_ms
        cursor.execute(f"PRAGMA busy_timeout={int(busy)}")
        cursor.close()

    def on_begin(connection: Any) -> None:
        if not immediate:
            connection.exec_driver_sql("BEGIN")
            return
        # A writer takes the lock up front: a deferred transaction that reads and then
        # writes can fail at once with "database is locked" instead of waiting its turn.
        # Past the busy timeout the request answers 503 with Retry-After.
        _begin_immediate(connection.connection.driver_connection, busy_timeout_ms / 1000)

    return on_connect, on_begin


def _use_wal(cursor: sqlite3.Cursor, timeout_s: float) -> None:
    """WAL is a property of the file, set once. Worker processes starting together may
    all try to switch, and the switch can fail at once with "database is locked" (SQLite
    does not wait for the lock there), which killed a worker at start-up. So only a file
    not yet in WAL is switched, retried until the busy timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


def _begin_immediate(raw: sqlite3.Connection, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            raw.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            message = str(exc).lower()
            if "locked" not in message and "busy" not in message:
                raise
            if time.monotonic() >= deadline:
                raise OperationalError("BEGIN IMMEDIATE", {}, exc) from None
        time.sleep(WRITER_RETRY_S)


# Connections per engine and process. Requests wait for one of these slots in the event
# loop (Database.slots) before touching the database, so no worker thread ever blocks on
# an empty pool while the requests holding connections wait for a thread to finish.
POOL_SIZE = 20


def _make_engine(url: str, *, immediate: bool, busy_timeout_ms: int) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
            pool_size=POOL_SIZE,
            max_overflow=0,
        )
        on_connect, on_begin = _sqlite_pragmas(immediate, busy_timeout_ms)
        event.listen(engine, "connect", on_connect)
        event.listen(engine, "begin", on_begin)
        return engine
    return create_engine(url, pool_size=POOL_SIZE, max_overflow=0, pool_pre_ping=True)


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
        self.slots = asyncio.Semaphore(POOL_SIZE)
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


def changed_rows(db: Session, statement: Executable) -> int:
    """Run an UPDATE or DELETE in the session; the number of rows it matched."""
    # Session.execute is typed to return a Result; for an UPDATE or a DELETE it is a
    # CursorResult, the kind that has rowcount (SQLAlchemy's documentation casts it so).
    return cast(CursorResult[Any], db.execute(statement)).rowcount
