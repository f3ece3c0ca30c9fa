"""The queue engine: huey, with its SQLite storage embedded or Redis at scale.

Huey carries only job ids and runs the workers (threads of `python main.py worker`,
which `serve` starts beside the app); the job's row (runner.py) is the truth about it.
A job is handed to huey after the transaction that created it commits, so a worker
never looks for a row it cannot see yet; a hand-over lost in between is made good by
the sweep, which runs when a worker starts and every minute.
"""

import logging
from dataclasses import dataclass
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper
from sqlalchemy import event
from sqlmodel import Session

from contest.core.db import Database
from contest.core.settings import Settings
from contest.jobs import registry, runner

log = logging.getLogger("tianjiao.jobs")
PENDING_KEY = "tianjiao_jobs_to_send"


@dataclass
class Runtime:
    settings: Settings
    database: Database
    huey: Huey
    run_task: TaskWrapper


_runtime: Runtime | None = None


def build_huey(settings: Settings) -> Huey:
    url, name = settings.jobs_url, settings.jobs_queue
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, results=False)
    if url == "memory://":  # one process only: tests
        return MemoryHuey(name, results=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(settings.data_dir / "jobs.sqlite3"), results=False)


def configure(settings: Settings, database: Database) -> Runtime:
    """Point this process's jobs at a queue and a database (the app and the worker)."""
    global _runtime
    huey = build_huey(settings)
    run_task = huey.task(name="run_job")(_run_job)
    huey.periodic_task(crontab(minute="*"), name="sweep")(_sweep)
    _runtime = Runtime(settings, database, huey, run_task)
    return _runtime


def configured() -> bool:
    return _runtime is not None


def runtime() -> Runtime:
    if _runtime is None:
        raise RuntimeError("jobs are not configured in this process")
    return _runtime


def _run_job(job_id: int) -> str:
    current = runtime()
    return runner.run(current.database, current.settings, job_id, retry=send_later)


def _sweep() -> None:
    current = runtime()
    for job_id in runner.sweep(current.database, current.settings):
        log.info("job %s handed to the queue again", job_id)
        current.run_task(job_id)
    for check in registry.minute_checks():
        try:
            check(current.database, current.settings)
        except Exception:  # one failing check must not stop the others or the sweep
            log.exception("minute check %s failed", getattr(check, "__name__", check))


def sweep_now() -> None:
    _sweep()


def send_later(job_id: int, delay_s: float) -> None:
    runtime().run_task.schedule(args=(job_id,), delay=delay_s)


def send(job_ids: list[int]) -> None:
    """Hand committed jobs to the queue; a failure leaves them to the sweep."""
    if _runtime is None or not job_ids:
        return  # a process without a queue (a script): the workers' sweep finds them
    try:
        for job_id in job_ids:
            _runtime.run_task(job_id)
    except Exception:
        log.warning("jobs %s not handed to the queue; the sweep will", job_ids, exc_info=True)


def send_after_commit(db: Session, job_id: int) -> None:
    db.info.setdefault(PENDING_KEY, []).append(job_id)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    job_ids = session.info.pop(PENDING_KEY, None)
    if job_ids:
        send(job_ids)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def drain(limit: int = 10_000) -> int:
    """Run every job message waiting in the queue, here and now (tests, scripts)."""
    huey = runtime().huey
    done = 0
    while done < limit and (task := huey.dequeue()) is not None:
        huey.execute(task)
        done += 1
    return done


def start_consumer(workers: int) -> Any:
    """A huey consumer with `workers` threads and the minute sweep (for the CLI)."""
    current = runtime()
    return current.huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
