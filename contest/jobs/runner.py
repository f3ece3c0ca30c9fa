"""Running one job: claim it, keep its heartbeat, report progress, finish or retry.

Every step is a short transaction of its own, so the job's row tells the truth to the
API while the job runs, and a worker killed at any point leaves a row the sweep can
recognise (`running` with an old heartbeat) and run again.
"""

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import col, select

from contest.core.db import Database, changed_rows
from contest.core.settings import Settings
from contest.jobs import registry
from contest.jobs.context import JobContext
from contest.models import Job, utcnow

log = logging.getLogger("tianjiao.jobs")

# Progress is written at most this often: a job reporting every row of a 10,000-row
# import must not turn into 10,000 write transactions.
PROGRESS_INTERVAL_S = 0.5
# Backoff never waits longer than this between two tries.
MAX_RETRY_DELAY_S = 3600.0

Retry = Callable[[int, float], None]


def run(database: Database, settings: Settings, job_id: int, *, retry: Retry) -> str:
    """Run a job if it is due and nobody else holds it; the state it ended in."""
    job = _claim(database, job_id)
    if job is None:
        return "skipped"
    kind = registry.kind(job.kind)
    if kind is None:
        _end(database, job_id, state="failed", error=f"unknown job kind: {job.kind}")
        return "failed"
    if job.attempts > kind.max_attempts:  # its workers kept dying: stop trying
        _end(database, job_id, state="failed", error=job.error or "too many attempts")
        return "failed"
    context = JobContext(
        job_id=job.id, kind=job.kind, params=dict(job.params), database=database,
        settings=settings, user_id=job.user_id, contest_id=job.contest_id, attempt=job.attempts,
    )
    with _heartbeat(database, job_id, settings.job_lease_seconds):
        try:
            kind.handler(context)
        except registry.JobFailed as exc:
            _end(database, job_id, state="failed", error=str(exc))
            return "failed"
        except Exception as exc:
            log.exception("job %s (%s) failed, attempt %s", job_id, job.kind, job.attempts)
            return _retry_or_fail(database, job, kind, exc, retry)
    _end(database, job_id, state="done", result=context.result)
    return "done"


def _claim(database: Database, job_id: int) -> Job | None:
    """Take a queued, due job: one UPDATE, so two workers handed the same id (a message
    sent twice by the sweep) cannot both run it."""
    now = utcnow()
    with database.session() as db:
        taken = changed_rows(
            db,
            update(Job)
            .where(
                col(Job.id) == job_id,
                col(Job.state) == "queued",
                or_(col(Job.run_after).is_(None), col(Job.run_after) <= now),
            )
            .values(state="running", attempts=col(Job.attempts) + 1, started_at=now,
                    heartbeat_at=now),
        )
        return db.get(Job, job_id) if taken else None


def _end(
    database: Database,
    job_id: int,
    *,
    state: str,
    error: str | None = None,
    result: tuple[str, str] | None = None,
) -> None:
    values: dict[str, Any] = {"state": state, "finished_at": utcnow(), "error": _short(error)}
    if state == "done":
        values["progress"] = 1.0
    if result is not None:
        values["result_path"], values["result_name"] = result
    with database.session() as db:
        db.execute(update(Job).where(col(Job.id) == job_id).values(**values))


def _retry_or_fail(
    database: Database, job: Job, kind: registry.Kind, exc: Exception, retry: Retry
) -> str:
    message = f"{type(exc).__name__}: {exc}"
    if job.attempts >= kind.max_attempts:
        _end(database, job.id, state="failed", error=message)
        return "failed"
    delay = backoff(kind.retry_delay_s, job.attempts)
    with database.session() as db:
        db.execute(
            update(Job)
            .where(col(Job.id) == job.id)
            .values(state="queued", error=_short(message), heartbeat_at=None,
                    run_after=utcnow() + timedelta(seconds=delay), enqueued_at=utcnow())
        )
    retry(job.id, delay)
    return "queued"


def backoff(first_delay_s: float, attempts: int) -> float:
    """Seconds before the next try after `attempts` tries: doubling, bounded."""
    return float(min(first_delay_s * 2 ** max(attempts - 1, 0), MAX_RETRY_DELAY_S))


def _short(text: str | None) -> str | None:
    return None if text is None else text[:500]


@contextmanager
def _heartbeat(database: Database, job_id: int, lease_s: int) -> Iterator[None]:
    """Tell the sweep the job's worker is alive, four times per lease, while it runs."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(max(lease_s / 4, 0.25)):
            try:
                with database.session() as db:
                    db.execute(
                        update(Job)
                        .where(col(Job.id) == job_id, col(Job.state) == "running")
                        .values(heartbeat_at=utcnow())
                    )
            except Exception:  # a missed beat is not fatal; the next one may pass
                log.warning("job %s: heartbeat not written", job_id, exc_info=True)

    thread = threading.Thread(target=beat, name=f"job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def sweep(database: Database, settings: Settings) -> list[int]:
    """Jobs to hand to the queue again: running ones whose worker stopped reporting
    (killed, host lost) and queued ones whose message was lost. Their ids."""
    now = utcnow()
    lease = timedelta(seconds=settings.job_lease_seconds)
    # A queued job may simply wait behind long ones; only after several leases is its
    # message taken as lost (a duplicate message is harmless: the claim refuses it).
    lost_message = now - lease * 5
    with database.session() as db:
        changed_rows(
            db,
            update(Job)
            .where(col(Job.state) == "running", col(Job.heartbeat_at) < now - lease)
            .values(state="queued", heartbeat_at=None, enqueued_at=None,
                    error="worker lost; run again"),
        )
        ids = list(
            db.scalars(
                _due_ids().where(
                    or_(col(Job.enqueued_at).is_(None), col(Job.enqueued_at) < lost_message)
                )
            )
        )
        if ids:
            db.execute(update(Job).where(col(Job.id).in_(ids)).values(enqueued_at=now))
    return ids


def _due_ids() -> Any:
    now = utcnow()
    return select(Job.id).where(
        col(Job.state) == "queued", or_(col(Job.run_after).is_(None), col(Job.run_after) <= now)
    )
