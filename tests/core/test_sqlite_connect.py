"""Connecting to a SQLite file while another process holds its lock: how a second worker
process starts next to a first one that is already writing."""

import sqlite3
import threading
from pathlib import Path

from sqlalchemy import text

from contest.core.db import Database


def test_connecting_to_a_wal_file_while_another_connection_writes(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE t (x)")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t VALUES (1)")
    database = Database(f"sqlite:///{path}", busy_timeout_ms=2000)
    try:
        with database.engine.connect() as connection:  # must not try to switch the journal
            mode = connection.execute(text("PRAGMA journal_mode")).scalar()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        database.dispose()

    assert mode == "wal"


def test_a_new_file_switches_to_wal_once_the_lock_is_free(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
    release.start()
    database = Database(f"sqlite:///{path}", busy_timeout_ms=5000)
    try:
        with database.engine.connect() as connection:
            mode = connection.execute(text("PRAGMA journal_mode")).scalar()
    finally:
        release.join()
        holder.close()
        database.dispose()

    assert mode == "wal"  # it waited for the lock rather than failing
