"""Engines and the per-request session: one transaction per request, committed once."""

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeAlias, cast

from sqlalchemy import CursorResult, Engine, Executable, Select, event, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
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


# PostgreSQL connections: how long a request may wait for the server before it is told
# "unavailable" (503) instead of hanging. Connecting 5 s; unacknowledged data on the wire
# 5 s (tcp_user_timeout: a server whose packets are dropped); an idle connection probed
# after 5 s, every 2 s, dead after 2 missed probes; a statement at most
# `statement_timeout_ms` (the app's setting, 10 s by default), a lock wait included.
PG_CONNECT_ARGS: dict[str, Any] = {
    "connect_timeout": 5,
    "tcp_user_timeout": 5000,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 2,
}


def _pg_connect_args(statement_timeout_ms: int | None) -> dict[str, Any]:
    if not statement_timeout_ms:
        return dict(PG_CONNECT_ARGS)
    return {**PG_CONNECT_ARGS, "options": f"-c statement_timeout={int(statement_timeout_ms)}"}


def _make_engine(
    url: str, *, immediate: bool, busy_timeout_ms: int, statement_timeout_ms: int | None = None
) -> Engine:
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
    engine = create_engine(
        url,
        pool_size=POOL_SIZE,
        max_overflow=0,
        pool_pre_ping=True,
        pool_timeout=busy_timeout_ms / 1000,
        connect_args=_pg_connect_args(statement_timeout_ms),
    )
    # A new connection after an outage means the server is back: say so once.
    event.listen(engine, "connect", lambda _conn, _record: OUTAGE.recovered())
    return engine


class Database:
    """The engines for one database URL. SQLite gets a second engine for writers."""

    def __init__(
        self,
        url: str,
        *,
        busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
        statement_timeout_ms: int | None = None,
    ) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.busy_timeout_s = busy_timeout_ms / 1000
        # SQLite admits one writer at a time. Writing requests of this process queue here,
        # in the event loop, instead of each holding a worker thread while SQLite's busy
        # handler sleeps: with every thread blocked that way, the request holding the lock
        # could not get a thread to finish, and throughput collapsed under load.
        self.write_queue = asyncio.Lock() if self.is_sqlite else None
        self.slots = asyncio.Semaphore(POOL_SIZE)
        self.engine = _make_engine(
            url,
            immediate=False,
            busy_timeout_ms=busy_timeout_ms,
            statement_timeout_ms=statement_timeout_ms,
        )
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


# Advisory locks (PostgreSQL), keyed by (space, id): a feature names its space. Held
# until the transaction ends. SQLite needs none: a writer holds the whole database from
# its first statement (BEGIN IMMEDIATE), so a check and the write it guards are atomic.
_ADVISORY = text("SELECT pg_advisory_xact_lock(:space, :key)")
_ADVISORY_SHARED = text("SELECT pg_advisory_xact_lock_shared(:space, :key)")


def advisory_lock(db: Session, space: int, key: int, *, shared: bool) -> None:
    """Take (waiting for it) a transaction-long lock on (space, key). Shared holders run
    side by side; an exclusive holder waits for every shared one to end and keeps new
    ones out until it ends. PostgreSQL only; nothing to do on SQLite."""
    connection = db.connection()
    if connection.dialect.name != "postgresql":
        return
    connection.execute(_ADVISORY_SHARED if shared else _ADVISORY, {"space": space, "key": key})


def lock_row(db: Session, obj: object) -> None:
    """Re-read a loaded object and lock its row until the transaction ends (PostgreSQL
    FOR UPDATE), so a check of its values and the change that follows see no concurrent
    change in between: two organisers editing one object take turns and the second
    validates against the first's result. Unsaved changes to `obj` are lost: call it
    first. On SQLite the writer lock already serialises writers (no FOR UPDATE there)."""
    if db.connection().dialect.name == "postgresql":
        db.refresh(obj, with_for_update=True)


# What a database error means for the caller. Decided here, from the driver's error, so
# that the web layer only maps a kind to an answer (core.web.errors).
BUSY = "busy"  # SQLite's writer lock, a statement or lock wait timed out: retry soon
CONFLICT = "conflict"  # a concurrent change won (deadlock, serialization): retry
DISK_FULL = "disk_full"  # the database's disk is full
UNAVAILABLE = "unavailable"  # the server cannot be reached (refused, reset, too many)

# PostgreSQL SQLSTATE classes and codes (appendix A of its manual).
_PG_CONFLICT = ("40001", "40P01")
_PG_BUSY = ("55P03", "57014")  # lock_not_available, query_canceled (statement_timeout)
_PG_DISK_FULL = ("53100",)
_PG_UNAVAILABLE_CLASSES = ("08", "53", "57P")  # connection, resources (too many), shutdown


def fault_kind(exc: BaseException) -> str | None:
    """BUSY, CONFLICT, DISK_FULL or UNAVAILABLE for an error the caller can only wait out
    or retry; None for anything else (a bug: 500)."""
    if isinstance(exc, PoolTimeout):
        return BUSY
    if not isinstance(exc, DBAPIError):
        return None
    orig = exc.orig
    if isinstance(orig, sqlite3.OperationalError):
        message = str(orig).lower()
        if "disk is full" in message or "disk i/o error" in message:
            return DISK_FULL
        return BUSY if "locked" in message or "busy" in message else None
    state = str(getattr(orig, "sqlstate", None) or "")
    if state in _PG_CONFLICT:
        return CONFLICT
    if state in _PG_BUSY:
        return BUSY
    if state in _PG_DISK_FULL:
        return DISK_FULL
    if state.startswith(_PG_UNAVAILABLE_CLASSES) or exc.connection_invalidated:
        return UNAVAILABLE
    # psycopg gives no SQLSTATE when it never reached the server (refused, reset, timeout).
    if not state and isinstance(exc, OperationalError):
        return UNAVAILABLE
    return None


log = logging.getLogger("tianjiao")


class OutageLog:
    """Logs a database outage once, with a count, instead of a traceback per request:
    the first failure, a reminder every `every_s` while it lasts, and the recovery."""

    def __init__(self, every_s: float = 60.0) -> None:
        self.every_s = every_s
        self.lock = threading.Lock()
        self.started: float | None = None
        self.refused = 0
        self.last_logged = 0.0

    def failed(self, exc: BaseException) -> None:
        now = time.monotonic()
        with self.lock:
            self.refused += 1
            if self.started is None:
                self.started, self.last_logged = now, now
                log.error("database unavailable, answering 503 until it is back: %s", _short(exc))
            elif now - self.last_logged >= self.every_s:
                self.last_logged = now
                log.error(
                    "database still unavailable after %.0f s: %d requests answered 503",
                    now - self.started,
                    self.refused,
                )

    def recovered(self) -> None:
        if self.started is None:  # the usual case: no lock taken
            return
        with self.lock:
            if self.started is None:
                return
            log.warning(
                "database back after %.1f s: %d requests were answered 503",
                time.monotonic() - self.started,
                self.refused,
            )
            self.started, self.refused = None, 0


class BusyLog:
    """Logs requests answered 503 because the database was busy (SQLite's writer queue
    or a lock waited past the busy timeout, a statement timeout): the first at once, then
    at most one line every `every_s` with the count since the last, so an operator sees
    a contest day that outgrows its database without a line per refused save."""

    def __init__(self, every_s: float = 60.0) -> None:
        self.every_s = every_s
        self.lock = threading.Lock()
        self.unlogged = 0
        self.last_logged: float | None = None

    def refused(self, exc: BaseException) -> None:
        now = time.monotonic()
        with self.lock:
            self.unlogged += 1
            if self.last_logged is not None and now - self.last_logged < self.every_s:
                return
            count, self.unlogged, self.last_logged = self.unlogged, 0, now
        log.warning(
            "database busy: %d request(s) answered 503 with Retry-After since the last report (%s)",
            count,
            _short(exc),
        )


def _short(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return " ".join(str(orig).split())[:300]


OUTAGE = OutageLog()
BUSY_LOG = BusyLog()
