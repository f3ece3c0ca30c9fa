"""Awards, their certificates, and the audit log."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, String, Text
from sqlmodel import Field, SQLModel

from contest.core.enums import AwardScope, Tier
from contest.models.base import optional_time, primary_key, timestamp


class Award(SQLModel, table=True):
    __tablename__ = "awards"
    __table_args__ = (
        CheckConstraint("tier IN ('gold', 'silver', 'bronze', 'excellence')", name="tier"),
        CheckConstraint("scope IN ('per_track', 'overall')", name="scope"),
        Index("uq_awards_contest_entry", "contest_id", "entry_id", unique=True),
    )

    id: int = primary_key()
    contest_id: int = Field(foreign_key="contests.id", index=True, ondelete="CASCADE")
    entry_id: int = Field(foreign_key="entries.id", ondelete="CASCADE")
    track_id: int | None = Field(default=None, foreign_key="tracks.id")
    tier: Tier = Field(sa_type=String(16))
    scope: AwardScope = Field(default=AwardScope.per_track, sa_type=String(16))
    custom_name: str = Field(default="", max_length=100)
    custom_name_en: str = Field(default="", max_length=100)
    rank: int | None = None
    created_at: datetime = timestamp()
    published_at: datetime | None = optional_time()


class Certificate(SQLModel, table=True):
    __tablename__ = "certificates"

    id: int = primary_key()
    award_id: int = Field(foreign_key="awards.id", unique=True, ondelete="CASCADE")
    # Random, not sequential: knowing one code tells nothing about another.
    code: str = Field(max_length=32, unique=True)
    issued_on: date
    revoked_at: datetime | None = optional_time()
    revoked_reason: str = Field(default="", sa_type=Text)
    revoked_by_id: int | None = Field(default=None, foreign_key="users.id")


class AuditRecord(SQLModel, table=True):
    """Who did what, when, to which object, before and after, and why."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_contest_at", "contest_id", "at"),)

    id: int = primary_key()
    at: datetime = timestamp()
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    contest_id: int | None = Field(default=None, foreign_key="contests.id", ondelete="CASCADE")
    action: str = Field(max_length=64)
    object_type: str = Field(max_length=32)
    object_id: int | None = None
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    reason: str = Field(default="", sa_type=Text)
