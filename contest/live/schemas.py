"""Shapes for the live roadshow: the draw and the live state (docs/api.md "Live roadshow")."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
# Seeds go to the audit log (JSON) and the database: a signed 64-bit integer at most.
Seed = Annotated[int, Field(ge=0, le=2**63 - 1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DrawIn(Strict):
    seed: Seed | None = None
    # Required for a redraw (422 naming "reason" without one).
    reason: Reason = ""


class DrawOut(BaseModel):
    order: list[int]
    seed: int | None
    drawn_at: datetime | None
    drawn_by: str | None
    drawn_by_id: int | None = None
    reason: str = ""


class DrawHistoryOut(DrawOut):
    # Every draw of the round, the current one first.
    history: list[DrawOut]


class LiveActionIn(Strict):
    action: Literal["start", "next", "reveal", "finish", "qa", "score"]
    # start/next only: this project instead of the next in the drawn order.
    entry_id: int | None = None
    # reveal before every judge has submitted, or finish before every project pitched.
    override_reason: Reason = ""
    # When given, the step is refused (409) if the state has moved on since.
    revision: int | None = None


class RevealedJudge(BaseModel):
    # An anonymous seat number, the same for every project of the round (评委1, 评委2 ...).
    seat: int
    total: float
    dropped: bool


class RevealedOut(BaseModel):
    entry_id: int
    # Two decimals, rounded half up (docs/rules.md 3.7); score_text is the same as shown.
    score: float | None
    score_text: str
    round_score: float | None
    title: str
    track_code: str
    judges: list[RevealedJudge]


class LeaderLine(BaseModel):
    rank: int
    tie: bool
    entry_id: int
    title: str
    institution: str
    score: float
    score_text: str


class TrackBoardOut(BaseModel):
    track_code: str
    track_name: str
    entries: list[LeaderLine]


class OrderItemOut(BaseModel):
    entry_id: int
    position: int | None
    title: str
    institution: str
    leader_name: str
    track_code: str
    track_name: str
    revealed: bool


class TimersOut(BaseModel):
    pitch_seconds: int
    qa_seconds: int
    pitch_started_at: datetime | None
    qa_started_at: datetime | None
    # When the state last changed: the timers stop there once the pitch is over.
    phase_changed_at: datetime | None
    # The server's clock, so every screen counts down alike whatever its own clock says.
    now: datetime


class PanelJudgeOut(BaseModel):
    judge_id: int
    name: str
    state: Literal["todo", "draft", "submitted"]


class LiveOut(BaseModel):
    round_id: int
    round_name: str
    contest_name: str
    phase: Literal["waiting", "pitching", "scoring", "revealed", "finished"]
    # "pitch" or "qa" while a project is on stage, else null.
    stage: Literal["pitch", "qa"] | None
    revision: int
    # The steps the state allows now (start, qa, score, reveal, next, finish).
    actions: list[Literal["start", "qa", "score", "reveal", "next", "finish"]]
    current_entry_id: int | None
    current: OrderItemOut | None
    submitted: int
    expected: int
    revealed: list[RevealedOut]
    leaderboard: list[TrackBoardOut]
    order: list[OrderItemOut]
    timers: TimersOut
    # The current project's judges by name: for the contest's organisers only, else null.
    panel: list[PanelJudgeOut] | None = None
