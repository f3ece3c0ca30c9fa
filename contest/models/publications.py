"""Publications (公示): what was published, frozen, versioned; and objections to them."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from contest.models.base import optional_time, primary_key, timestamp


class Publication(SQLModel, table=True):
    """One published version of a round's advancement or of the awards.

    ``snapshot`` holds everything the public saw (scores, ranks, ties, each judge's total
    and whether it counted); public pages, the 公示 PDF and exports read it, never the
    live tables. A correction withdraws a version and publishes the next one.
    """

    __tablename__ = "publications"
    __table_args__ = (
        # "round:<id>" or "awards": versions count per subject.
        UniqueConstraint("contest_id", "subject", "version"),
        CheckConstraint("kind IN ('advancement', 'awards')", name="kind"),
        CheckConstraint("version >= 1", name="version"),
    )

    id: int = primary_key()
    contest_id: int = Field(foreign_key="contests.id", index=True, ondelete="CASCADE")
    kind: str = Field(sa_type=String(16))
    round_id: int | None = Field(default=None, foreign_key="rounds.id", ondelete="CASCADE")
    subject: str = Field(max_length=32)
    version: int
    published_at: datetime = timestamp()
    published_by_id: int | None = Field(default=None, foreign_key="users.id")
    objections_close_at: datetime = timestamp()
    withdrawn_at: datetime | None = optional_time()
    withdrawn_by_id: int | None = Field(default=None, foreign_key="users.id")
    withdraw_reason: str | None = Field(default=None, sa_type=Text)
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)


class Objection(SQLModel, table=True):
    """A team's objection (异议) to a publication, and the organisers' decision."""

    __tablename__ = "objections"
    __table_args__ = (
        CheckConstraint("state IN ('open', 'upheld', 'rejected')", name="state"),
    )

    id: int = primary_key()
    contest_id: int = Field(foreign_key="contests.id", index=True, ondelete="CASCADE")
    publication_id: int = Field(foreign_key="publications.id", index=True, ondelete="CASCADE")
    entry_id: int | None = Field(default=None, foreign_key="entries.id", ondelete="SET NULL")
    filed_by_id: int = Field(foreign_key="users.id", index=True)
    reason: str = Field(sa_type=Text)
    state: str = Field(default="open", sa_type=String(16))
    answer: str = Field(default="", sa_type=Text)
    decision_reason: str | None = Field(default=None, sa_type=Text)
    decided_at: datetime | None = optional_time()
    decided_by_id: int | None = Field(default=None, foreign_key="users.id")
    # The optional evidence: one PDF kept in the data folder under stored_name.
    document_name: str | None = Field(default=None, max_length=255)
    document_stored: str | None = Field(default=None, max_length=255)
    document_size: int | None = None
    created_at: datetime = timestamp()
