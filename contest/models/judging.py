"""Judges, conflicts, assignments and score sheets."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from contest.core.enums import SheetState
from contest.models.base import json_list, optional_time, primary_key, timestamp


class Judge(SQLModel, table=True):
    """A user's place on a contest's panel; institution is the affiliation used for conflicts."""

    __tablename__ = "judges"
    __table_args__ = (UniqueConstraint("contest_id", "user_id"),)

    id: int = primary_key()
    contest_id: int = Field(foreign_key="contests.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True)
    institution: str = Field(default="", max_length=200)
    title: str = Field(default="", max_length=100)
    expertise: list[str] = json_list()
    created_at: datetime = timestamp()


class Conflict(SQLModel, table=True):
    __tablename__ = "conflicts"
    __table_args__ = (UniqueConstraint("judge_id", "entry_id"),)

    id: int = primary_key()
    judge_id: int = Field(foreign_key="judges.id", index=True, ondelete="CASCADE")
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    reason: str = Field(default="", sa_type=Text)
    created_at: datetime = timestamp()
    created_by_id: int | None = Field(default=None, foreign_key="users.id")


class Assignment(SQLModel, table=True):
    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("round_id", "judge_id", "entry_id"),
        Index("ix_assignments_round_entry", "round_id", "entry_id"),
        CheckConstraint("source IN ('auto', 'manual', 'recusal')", name="source"),
    )

    id: int = primary_key()
    round_id: int = Field(foreign_key="rounds.id", index=True, ondelete="CASCADE")
    judge_id: int = Field(foreign_key="judges.id", index=True, ondelete="CASCADE")
    entry_id: int = Field(foreign_key="entries.id", ondelete="CASCADE")
    source: str = Field(default="auto", max_length=8)
    created_at: datetime = timestamp()


class ScoreSheet(SQLModel, table=True):
    __tablename__ = "score_sheets"
    __table_args__ = (
        UniqueConstraint("round_id", "judge_id", "entry_id"),
        Index("ix_score_sheets_round_state", "round_id", "state"),
        Index("ix_score_sheets_round_entry", "round_id", "entry_id"),
        CheckConstraint("state IN ('draft', 'submitted')", name="state"),
        CheckConstraint("revision >= 1", name="revision"),
        CheckConstraint("total_tenths >= 0", name="total_tenths"),
    )

    id: int = primary_key()
    round_id: int = Field(foreign_key="rounds.id", ondelete="CASCADE")
    judge_id: int = Field(foreign_key="judges.id", index=True, ondelete="CASCADE")
    entry_id: int = Field(foreign_key="entries.id", ondelete="CASCADE")
    state: SheetState = Field(default=SheetState.draft, sa_type=String(16))
    comment: str = Field(default="", sa_type=Text)
    revision: int = 1
    # The sum of the sheet's criterion scores, kept by every save: results read 500,000
    # sheets of a national round without summing 2.5 million scores each time.
    total_tenths: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    submitted_at: datetime | None = optional_time()


class CriterionScore(SQLModel, table=True):
    """One criterion's value on a sheet, in integer tenths of a point (27.5 -> 275)."""

    __tablename__ = "criterion_scores"
    # On SQLite the table is its key (migration 0003): a sheet's scores are stored together.
    __table_args__ = (
        CheckConstraint("value_tenths >= 0", name="value_tenths"),
        {"sqlite_with_rowid": False},
    )

    sheet_id: int = Field(foreign_key="score_sheets.id", primary_key=True, ondelete="CASCADE")
    criterion_id: int = Field(
        foreign_key="criteria.id", primary_key=True, index=True, ondelete="CASCADE"
    )
    value_tenths: int
