"""Rounds, their rubric, advancement decisions and the live roadshow's state."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Numeric, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from contest.core.enums import Aggregation, LivePhase, Normalization, RoundKind, RoundMode
from contest.models.base import json_dict, json_list, optional_time, primary_key, timestamp


class Round(SQLModel, table=True):
    __tablename__ = "rounds"
    __table_args__ = (
        UniqueConstraint("contest_id", "position"),
        CheckConstraint("kind IN ('preliminary', 'semifinal', 'final')", name="kind"),
        CheckConstraint("mode IN ('online_review', 'roadshow')", name="mode"),
        CheckConstraint("aggregation IN ('trimmed_mean', 'mean')", name="aggregation"),
        CheckConstraint("normalization IN ('none', 'zscore')", name="normalization"),
        CheckConstraint("judges_per_entry >= 1", name="judges_per_entry"),
        CheckConstraint("trim_min_judges >= 3", name="trim_min_judges"),
        CheckConstraint(
            "carry_over_weight >= 0 AND carry_over_weight < 1", name="carry_over_weight"
        ),
        CheckConstraint("pitch_seconds > 0 AND qa_seconds >= 0", name="timers"),
        CheckConstraint(
            "closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at", name="window"
        ),
    )

    id: int = primary_key()
    contest_id: int = Field(foreign_key="contests.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    name_en: str = Field(default="", max_length=100)
    kind: RoundKind = Field(sa_type=String(16))
    # The API calls this "order"; a reserved word in SQL, so the column is "position".
    position: int
    mode: RoundMode = Field(default=RoundMode.online_review, sa_type=String(16))
    opens_at: datetime | None = optional_time()
    closes_at: datetime | None = optional_time()
    judges_per_entry: int = 5
    aggregation: Aggregation = Field(default=Aggregation.trimmed_mean, sa_type=String(16))
    trim_min_judges: int = 5
    normalization: Normalization = Field(default=Normalization.none, sa_type=String(8))
    carry_over_weight: Decimal = Field(default=Decimal(0), sa_type=Numeric(5, 4))
    blind: bool = False
    # track code -> how many entries advance from this round
    advance_count: dict[str, int] = json_dict()
    pitch_seconds: int = 480
    qa_seconds: int = 420
    feedback_published_at: datetime | None = optional_time()
    created_at: datetime = timestamp()


class Criterion(SQLModel, table=True):
    __tablename__ = "criteria"
    __table_args__ = (
        UniqueConstraint("round_id", "position"),
        UniqueConstraint("round_id", "tiebreak_priority"),
        CheckConstraint("max_tenths > 0", name="max_tenths"),
        CheckConstraint(
            "tiebreak_priority IS NULL OR tiebreak_priority >= 1", name="tiebreak_priority"
        ),
    )

    id: int = primary_key()
    round_id: int = Field(foreign_key="rounds.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    name_en: str = Field(default="", max_length=100)
    description: str = Field(default="", sa_type=Text)
    # Points are kept in integer tenths so no score is ever a binary float.
    max_tenths: int
    tiebreak_priority: int | None = None
    position: int = 0


class Advancement(SQLModel, table=True):
    """The confirmed outcome of a round; the per-entry statuses live on RoundEntry."""

    __tablename__ = "advancements"

    round_id: int = Field(foreign_key="rounds.id", primary_key=True, ondelete="CASCADE")
    confirmed_at: datetime = timestamp()
    confirmed_by_id: int | None = Field(default=None, foreign_key="users.id")
    reason: str = Field(default="", sa_type=Text)
    published_at: datetime | None = optional_time()


class Draw(SQLModel, table=True):
    """A drawing of lots for the presentation order; redraws add rows, never replace."""

    __tablename__ = "draws"

    id: int = primary_key()
    round_id: int = Field(foreign_key="rounds.id", index=True, ondelete="CASCADE")
    seed: int
    order: list[int] = json_list()
    drawn_at: datetime = timestamp()
    drawn_by_id: int | None = Field(default=None, foreign_key="users.id")
    reason: str = Field(default="", sa_type=Text)


class LiveState(SQLModel, table=True):
    """Where the live final stands; in the database so every worker process agrees."""

    __tablename__ = "live_states"
    __table_args__ = (
        CheckConstraint(
            "phase IN ('waiting', 'pitching', 'scoring', 'revealed', 'finished')", name="phase"
        ),
    )

    round_id: int = Field(foreign_key="rounds.id", primary_key=True, ondelete="CASCADE")
    phase: LivePhase = Field(default=LivePhase.waiting, sa_type=String(16))
    current_entry_id: int | None = Field(default=None, foreign_key="entries.id")
    pitch_started_at: datetime | None = optional_time()
    qa_started_at: datetime | None = optional_time()
    phase_changed_at: datetime = timestamp()
    # Bumped on every change so that pollers can ask "anything new since N?" cheaply.
    revision: int = 0


class LivePresence(SQLModel, table=True):
    """Who is following the live final: each judge's phone and each big screen reports in
    every few seconds; the pre-flight check and the control page read the last report."""

    __tablename__ = "live_presence"
    __table_args__ = (UniqueConstraint("round_id", "key"),)

    id: int = primary_key()
    round_id: int = Field(foreign_key="rounds.id", ondelete="CASCADE")
    # "judge:<judge id>" or "screen:<the screen's own random id>"
    key: str = Field(max_length=64)
    seen_at: datetime = timestamp()
