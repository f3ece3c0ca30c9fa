"""Shapes for judging: assignments, score sheets, reopening, progress."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
# Seeds are stored in the audit log (JSON): keep them within a signed 64-bit integer.
Seed = Annotated[int, Field(ge=0, le=2**63 - 1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AutoAssignIn(Strict):
    seed: Seed | None = None
    # Keep unstarted automatic assignments where they are unless balance needs them moved.
    rebalance: bool = False


class AutoAssignOut(BaseModel):
    assignments: int
    added: int
    kept: int
    replaced: int
    seed: int
    min_load: int
    max_load: int


class AssignmentIn(Strict):
    judge_id: int
    entry_id: int


class AssignmentPublic(BaseModel):
    judge_id: int
    entry_id: int
    source: str


class RecuseIn(Strict):
    # Checked by the service (assignment.recusal_reason), as for the page's form; the
    # bound here only keeps the body small.
    reason: Annotated[str, Field(max_length=10_000)]


class RecuseOut(BaseModel):
    # The judge who took the entry over; null when nobody eligible was free.
    replacement_judge_id: int | None


class SheetIn(Strict):
    # Values are checked by the service (Decimal of the JSON number, 0..max, steps of 0.1)
    # so that every problem is reported as scores.<criterion_id>.
    scores: dict[str, Any]
    comment: Annotated[str, Field(max_length=5000)] | None = None
    submit: bool = False


SheetStateName = Literal["todo", "draft", "submitted"]


class SheetOut(BaseModel):
    state: SheetStateName
    total: float
    scores: dict[str, float]
    comment: str
    revision: int
    updated_at: datetime | None
    submitted_at: datetime | None


class MyAssignment(BaseModel):
    round_id: int
    entry_id: int
    title: str
    track_code: str
    state: SheetStateName
    total: float | None


class ReopenIn(Strict):
    judge_id: int
    entry_id: int
    reason: Reason


class JudgeProgress(BaseModel):
    judge_id: int
    name: str
    email: str
    institution: str
    assigned: int
    submitted: int
    drafts: int
    last_activity: datetime | None


class RoundProgress(BaseModel):
    sheets_expected: int
    sheets_submitted: int
    sheets_draft: int
    entries: int
    entries_complete: int
    entries_short_of_judges: int
    judges: list[JudgeProgress]
