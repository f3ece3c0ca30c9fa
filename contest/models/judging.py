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
    # Declared by the judge or the organiser (contest/judging/README.md "Conflicts"):
    # other affiliations, and companies as {"name", "credit_code"} (employer, board seat,
    # investment). Both are compared with every entry's institution, company and code.
    affiliations: list[str] = json_list()
    companies: list[dict[str, str]] = json_list()
    # When the judge last saved their declarations; None: not yet (they are asked to).
    declared_at: datetime | None = optional_time()
    # A deactivated judge gets no new assignments (automatic, manual or replacement) and
    # keeps the sheets already submitted; their unsubmitted work went to other judges.
    active: bool = True
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


class NamedConflict(SQLModel, table=True):
    """A conflict a judge declared with an institution or a company (by credit code), so
    with every entry of it, present or future."""

    __tablename__ = "named_conflicts"

    id: int = primary_key()
    judge_id: int = Field(foreign_key="judges.id", index=True, ondelete="CASCADE")
    institution: str = Field(default="", max_length=200)
    credit_code: str = Field(default="", max_length=18)
    reason: str = Field(default="", sa_type=Text)
    created_at: datetime = timestamp()


class ConflictException(SQLModel, table=True):
    """An organiser's recorded exception: this judge may score this entry despite a
    detected conflict (never a declared one), with the reason (audited)."""

    __tablename__ = "conflict_exceptions"
    __table_args__ = (UniqueConstraint("judge_id", "entry_id"),)

    id: int = primary_key()
    judge_id: int = Field(foreign_key="judges.id", index=True, ondelete="CASCADE")
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    reason: str = Field(sa_type=Text)
    created_at: datetime = timestamp()
    created_by_id: int | None = Field(default=None, foreign_key="users.id")


class InstitutionFamily(SQLModel, table=True):
    """Names an organiser declared to be one institution for conflicts (aliases, groups)."""

    __tablename__ = "institution_families"

    id: int = primary_key()
    contest_id: int = Field(foreign_key="contests.id", index=True, ondelete="CASCADE")
    members: list[str] = json_list()
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
    # Feedback to the team: published to teams with the round's feedback (unsigned).
    comment: str = Field(default="", sa_type=Text)
    # A note to the committee: organisers read it, teams never do.
    committee_note: str = Field(default="", sa_type=Text)
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
