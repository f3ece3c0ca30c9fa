"""Starting jobs and reading them back."""

from typing import Any

from sqlmodel import Session

from contest.core.errors import NotFound
from contest.jobs import engine, registry
from contest.models import Job, User, utcnow


def submit(
    db: Session,
    *,
    kind: str,
    params: dict[str, Any] | None = None,
    user_id: int | None = None,
    contest_id: int | None = None,
) -> Job:
    """Queue a job of a registered kind; it is handed to the workers when `db` commits
    (nothing runs if the transaction is rolled back)."""
    spec = registry.kind(kind)
    if spec is None:
        raise ValueError(f"no job kind {kind!r} is registered")
    job = Job(
        kind=kind,
        params=params or {},
        user_id=user_id,
        contest_id=contest_id,
        max_attempts=spec.max_attempts,
        # Without a queue in this process (a script), the workers' sweep sends it at once.
        enqueued_at=utcnow() if engine.configured() else None,
    )
    db.add(job)
    db.flush()
    engine.send_after_commit(db, job.id)
    return job


def job_of(db: Session, user: User, job_id: int) -> Job:
    """A job the caller started; 404 for any other (its existence is not revealed)."""
    job = db.get(Job, job_id)
    if job is None or job.user_id != user.id:
        raise NotFound()
    return job


def result_url(job: Job) -> str | None:
    if job.state != "done" or not job.result_path:
        return None
    return f"/jobs/{job.id}/result"


def public(job: Job) -> dict[str, Any]:
    """The shape of `GET /api/v1/jobs/{id}` (docs/api.md)."""
    return {
        "id": job.id,
        "kind": job.kind,
        "state": job.state,
        "progress": round(job.progress, 4),
        "result_url": result_url(job),
        "error": job.error if job.state == "failed" else None,
    }
