"""Mail throughput: ``python -m bench.mail [--mails 10000] [--workers 1] [--threads 2]``.

Queues N notices in one transaction (as publishing a round's advancement does), then
starts real workers (`python main.py worker`) that deliver them to a local SMTP server
(aiosmtpd, in this process), and reports mails per second and that each mail arrived
exactly once. On a fresh SQLite database and, when TEST_DATABASE_URL is set, on a fresh
PostgreSQL database. Prints a table; never fails on time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlmodel import col

from bench.load import free_port
from contest import cli
from contest.core import schema
from contest.core.db import Database
from contest.core.settings import Settings
from contest.jobs import engine
from contest.models import Contest, Job, OutboxMail
from contest.notices import service as notices

ROOT = Path(__file__).resolve().parent.parent


class Inbox:
    """Counts what the server accepted, by recipient and Message-ID."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.recipients: Counter[str] = Counter()
        self.message_ids: Counter[str] = Counter()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        header = envelope.content.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
        message_id = next(
            (line.split(":", 1)[1].strip() for line in header.split("\r\n")
             if line.lower().startswith("message-id:")), "")
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.recipients[rcpt] += 1
            self.message_ids[message_id] += 1
        return "250 OK"

    def total(self) -> int:
        with self.lock:
            return sum(self.recipients.values())


def queue(database: Database, count: int) -> float:
    started = time.perf_counter()
    with database.session() as db:
        contest = Contest(name="2026年第五届“天骄湾杯”生命健康创新创业大赛", year=2026)
        db.add(contest)
        db.flush()
        for n in range(count):
            notices.enqueue(
                db, to=f"team{n:05d}@example.com", kind="entry_submitted",
                language="zh" if n % 5 else "en", contest_id=contest.id,
                context={"name": f"队长{n}", "entry": f"项目 {n:05d}",
                         "submitted_at": "2026-10-01 10:00", "link": "https://example.org/team"},
            )
    return time.perf_counter() - started


def run_once(url: str, label: str, count: int, workers: int, threads: int) -> dict[str, Any]:
    inbox = Inbox()
    port = free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=url, data_dir=Path(folder), secret_key="bench",
                            smtp_url=f"smtp://127.0.0.1:{port}",
                            mail_from="Bench <bench@example.org>")
        database = Database(url)
        engine.configure(settings, database)
        queued_s = queue(database, count)
        started = time.perf_counter()
        processes = [
            subprocess.Popen(  # noqa: S603
                [sys.executable, "main.py", "worker", "--threads", str(threads)],
                cwd=ROOT, env=cli.settings_environment(settings),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        try:
            deadline = time.monotonic() + 1800
            while inbox.total() < count and time.monotonic() < deadline:
                time.sleep(0.05)
            sent_s = time.perf_counter() - started
            time.sleep(1.0)  # anything sent twice would arrive now
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)
            server.stop()
        with database.session(write=False) as db:
            counted = select(col(OutboxMail.state), func.count()).group_by(col(OutboxMail.state))
            states = {state: n for state, n in db.execute(counted).all()}
            jobs = db.scalar(select(func.count()).select_from(Job))
        database.dispose()
    expected = {f"team{n:05d}@example.com" for n in range(count)}
    return {
        "backend": label, "mails": count, "jobs": jobs, "queue_s": queued_s,
        "queue_per_s": count / queued_s, "deliver_s": sent_s, "per_s": count / sent_s,
        "missing": len(expected - set(inbox.recipients)),
        "twice": sum(1 for n in inbox.recipients.values() if n > 1),
        "states": states,
    }


def fresh_postgres(server_url: str) -> tuple[str, Any]:
    server = make_url(server_url)
    name = f"tianjiao_bench_mail_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        schema.upgrade(url)
        rows.append(run_once(url, "SQLite", args.mails, args.workers, args.threads))
    pg = os.environ.get("TEST_DATABASE_URL", "")
    if pg:
        url, drop = fresh_postgres(pg)
        try:
            schema.upgrade(url)
            rows.append(run_once(url, "PostgreSQL", args.mails, args.workers, args.threads))
        finally:
            drop()
    print(f"{args.workers} worker process(es) x {args.threads} threads, local aiosmtpd")
    print(f"{'backend':<11}{'mails':>7}{'jobs':>6}{'queue s':>9}{'queued/s':>10}"
          f"{'deliver s':>11}{'mails/s':>9}{'missing':>9}{'twice':>7}  states")
    for row in rows:
        print(f"{row['backend']:<11}{row['mails']:>7}{row['jobs']:>6}{row['queue_s']:>9.1f}"
              f"{row['queue_per_s']:>10.0f}{row['deliver_s']:>11.1f}{row['per_s']:>9.0f}"
              f"{row['missing']:>9}{row['twice']:>7}  {row['states']}")
    return 0 if all(r["missing"] == 0 and r["twice"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
