"""Shapes for results and advancement (docs/api.md: "Results, advancement, awards")."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

NormalizationName = Literal["none", "zscore"]
Count = Annotated[int, Field(ge=0, le=1_000_000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JudgeTotalOut(BaseModel):
    judge_id: int
    # Points, normalised under zscore.
    total: float
    dropped: bool


class ResultOut(BaseModel):
    entry_id: int
    track_code: str
    rank: int | None
    # The combined score (after carry-over), full precision; null when unscored.
    score: float | None
    round_score: float | None
    judge_count: int
    tie: bool
    # The tie-break step that decided the rank: "median" or "criterion:<id>"; null when
    # none was needed (or the entry is still tied: ``tie``).
    tie_break: str | None = None
    status: str
    title: str
    judges: list[JudgeTotalOut]


class TrackAdvancementOut(BaseModel):
    count: int
    entry_ids: list[int]
    boundary_tie: bool
    tied_entry_ids: list[int]
    places_left: int


class DecisionOut(BaseModel):
    confirmed_at: datetime
    confirmed_by_id: int | None
    reason: str
    published_at: datetime | None
    entry_ids: list[int]


class AdvancementOut(BaseModel):
    per_track: dict[str, TrackAdvancementOut]
    # The confirmed decision, if any (null before the first confirmation).
    decision: DecisionOut | None = None
    # Why it cannot be confirmed now; null when it can.
    blocked: str | None = None


class AdvancementIn(Strict):
    entry_ids: list[int]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = ""
    # N per track for this confirmation, instead of the round's advance_count.
    counts: dict[str, Count] | None = None


class AdvancementConfirmOut(BaseModel):
    advanced: int
    eliminated: int
    enrolled: int
    unenrolled: int


class PublishIn(Strict):
    feedback: bool = False


class PublishOut(BaseModel):
    published_at: datetime | None
    feedback_published_at: datetime | None


class JudgeFairnessOut(BaseModel):
    judge_id: int
    name: str
    sheets: int
    mean: float
    sd: float
    leniency: float | None
    outliers: int


class UnstableEntryOut(BaseModel):
    entry_id: int
    title: str
    margin: float | None
    advances: bool | None
    reasons: list[str]


class CutoffOut(BaseModel):
    unstable_entry_ids: list[int]
    entries: list[UnstableEntryOut]
    count: int
    gap: float | None
    noise: float | None
    within_noise: bool


class FairnessOut(BaseModel):
    judges: list[JudgeFairnessOut]
    icc: float | None
    cutoff: dict[str, CutoffOut]
