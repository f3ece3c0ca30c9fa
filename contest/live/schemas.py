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
    # Why a tie stands, or what separated an equal score, in words ("" when nothing to say).
    tie_reason: str = ""
    entry_id: int
    title: str
    institution: str
    score: float
    score_text: str
    # Once the final has finished and the awards are published: gold, silver, bronze or
    # excellence, and the award's name as certificates say it.
    award: Literal["gold", "silver", "bronze", "excellence"] | None = None
    award_name: str = ""


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
    # Their live page reported in within the last minute.
    online: bool = False


class PresenceJudgeOut(BaseModel):
    judge_id: int
    name: str
    # How many projects of the round they score.
    entries: int
    seen_at: datetime | None
    online: bool


class PresenceOut(BaseModel):
    judges: list[PresenceJudgeOut]
    # Big screens seen in the last minute.
    screens: int


class CheckOut(BaseModel):
    key: Literal[
        "contest_open", "order_drawn", "judges_assigned", "judges_online", "screen", "timers"
    ]
    ok: bool
    title: str
    detail: str
    fix_url: str | None


class PreflightOut(BaseModel):
    ready: bool
    phase: str
    checks: list[CheckOut]
    judges: list[PresenceJudgeOut]
    screens: int


class ScreenReportIn(Strict):
    # The signature from the big screen's link (presence.screen_pass).
    screen_pass: Annotated[str, StringConstraints(max_length=200)]
    # The screen's own random id, so two screens count as two.
    screen_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")]


class CorrectionOut(BaseModel):
    version: int
    published_at: datetime
    withdrawn_at: datetime
    reason: str


class LivePublicationOut(BaseModel):
    """Where the publication of the round's results stands (the awards for the final):
    its version, 最终, every earlier version withdrawn (更正), and the notice in words."""

    version: int
    final: bool
    withdrawn: bool
    corrections: list[CorrectionOut]
    notice: str


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
    # The one step the control page puts forward now ("draw": the order is not drawn yet).
    next_step: Literal["draw", "start", "qa", "score", "reveal", "next", "finish"] | None = None
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
    # Every judge of the round and the big screens, online or not: organisers only.
    presence: PresenceOut | None = None
    # Once the round's results are published: the version, and any correction (更正).
    publication: LivePublicationOut | None = None
