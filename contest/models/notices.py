"""Background jobs and the mail outbox (contest/jobs/README.md, contest/notices/README.md)."""

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, Text
from sqlmodel import Field, SQLModel

from contest.models.base import json_dict, optional_time, primary_key, timestamp


class Job(SQLModel, table=True):
    """One piece of background work: what the API's `GET /api/v1/jobs/{id}` shows.

    The queue engine (huey) only carries the job's id; this row is the truth about the
    job's state, so a worker killed mid-run, a lost queue message or a restart is found
    here and the job run again.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state"),
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress"),
        Index("ix_jobs_state_heartbeat", "state", "heartbeat_at"),
    )

    id: int = primary_key()
    kind: str = Field(max_length=64)
    state: str = Field(default="queued", max_length=16)
    progress: float = 0.0
    params: dict[str, Any] = json_dict()
    # A file under the data folder written by the job, offered at /jobs/{id}/result.
    result_path: str = Field(default="", max_length=500)
    result_name: str = Field(default="", max_length=200)
    error: str | None = Field(default=None, max_length=500)
    user_id: int | None = Field(
        default=None, foreign_key="users.id", index=True, ondelete="SET NULL"
    )
    contest_id: int | None = Field(
        default=None, foreign_key="contests.id", index=True, ondelete="CASCADE"
    )
    attempts: int = 0
    max_attempts: int = 5
    created_at: datetime = timestamp()
    # When the job was last handed to the queue engine, and when its runner last
    # reported (a heartbeat thread while it runs): the sweep judges lost jobs by these.
    enqueued_at: datetime | None = optional_time()
    heartbeat_at: datetime | None = optional_time()
    # A retried job is not run again before this time (backoff).
    run_after: datetime | None = optional_time()
    started_at: datetime | None = optional_time()
    finished_at: datetime | None = optional_time()


class OutboxMail(SQLModel, table=True):
    """One mail, rendered when it was queued: exactly what is (or would be) sent."""

    __tablename__ = "outbox_mails"
    __table_args__ = (
        CheckConstraint(
            "state IN ('pending', 'sending', 'sent', 'held', 'failed')", name="state"
        ),
        Index("ix_outbox_mails_job_state", "job_id", "state"),
    )

    id: int = primary_key()
    to: str = Field(max_length=254)
    kind: str = Field(max_length=64)
    language: str = Field(default="zh", max_length=8)
    contest_id: int | None = Field(
        default=None, foreign_key="contests.id", index=True, ondelete="CASCADE"
    )
    subject: str = Field(max_length=300)
    text: str = Field(sa_type=Text)
    html: str = Field(sa_type=Text)
    # Holds a secret link (password reset, confirmation): its body is shown to nobody
    # but the recipient (and the server log when no SMTP server is configured).
    secret: bool = False
    state: str = Field(default="pending", max_length=16)
    attempts: int = 0
    error: str = Field(default="", max_length=500)
    # Kept from the first try: a mail sent again after a worker died mid-send carries
    # the same Message-ID, which lets mail systems drop the duplicate.
    message_id: str = Field(max_length=200)
    job_id: int | None = Field(default=None, foreign_key="jobs.id", ondelete="SET NULL")
    created_at: datetime = timestamp()
    claimed_at: datetime | None = optional_time()
    sent_at: datetime | None = optional_time()
