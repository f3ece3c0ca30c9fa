"""What every screen of the live final polls: one snapshot of the state, read fresh from
the database each time (several worker processes answer the polls).

The public (the big screen, judges' phones) sees the current project, the timers, how
many judges have submitted, the revealed scores by anonymous seat and the leaderboard;
the contest's organisers also see the judges of the current project by name.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from contest.awards import public_results
from contest.core.enums import ContestStatus, LivePhase, RoundMode
from contest.core.errors import NotFound
from contest.live import draw
from contest.live import service as live
from contest.live.schemas import (
    LeaderLine,
    LiveOut,
    OrderItemOut,
    PanelJudgeOut,
    RevealedJudge,
    RevealedOut,
    TimersOut,
    TrackBoardOut,
)
from contest.models import Contest, Entry, LiveState, Round, RoundEntry, Track, User, utcnow
from contest.setup.access import organises
from scoring import Score, format_score


@dataclass(frozen=True, slots=True)
class OrderItem:
    entry_id: int
    position: int | None  # None before the draw
    title: str
    institution: str
    leader_name: str
    track_code: str
    track_name: str
    revealed: bool


@dataclass(frozen=True)
class LiveView:
    round: Round
    contest: Contest
    state: LiveState
    order: tuple[OrderItem, ...]
    submitted: int
    expected: int
    board: public_results.LiveBoard
    panel: tuple[live.PanelLine, ...] | None
    now: datetime

    @property
    def current(self) -> OrderItem | None:
        wanted = self.state.current_entry_id
        return next((item for item in self.order if item.entry_id == wanted), None)

    @property
    def stage(self) -> str | None:
        """ "pitch" or "qa" while a project is on stage, else None."""
        if self.state.phase != LivePhase.pitching:
            return None
        return "qa" if self.state.qa_started_at is not None else "pitch"

    @property
    def drawn(self) -> bool:
        return any(item.position is not None for item in self.order)

    @property
    def actions(self) -> list[str]:
        """The steps the state allows now (the server still checks each one)."""
        phase = self.state.phase
        if phase == LivePhase.waiting:
            return ["start"] if self.drawn else []
        if phase == LivePhase.pitching:
            return (["qa"] if self.stage == "pitch" else []) + ["score", "reveal"]
        if phase == LivePhase.scoring:
            return ["reveal"]
        if phase == LivePhase.revealed:
            waiting = any(not item.revealed for item in self.order)
            return (["next"] if waiting else []) + ["finish"]
        return []


@dataclass(frozen=True)
class Audience:
    """Who polls: the round, and whether the caller organises its contest."""

    round: Round
    organiser: bool


def audience(db: Session, user: User | None, round_id: int) -> Audience:
    """A roadshow round is public unless its contest is a draft; its organisers always
    see it. Anything else is not found."""
    round_ = db.get(Round, round_id)
    if round_ is None or round_.mode != RoundMode.roadshow:
        raise NotFound()
    organiser = user is not None and organises(db, user, round_.contest_id)
    if not organiser:
        contest = db.get(Contest, round_.contest_id)
        if contest is None or contest.status == ContestStatus.draft:
            raise NotFound()
    return Audience(round_, organiser)


def public_round(db: Session, round_id: int) -> Round:
    """The round of a big screen: a roadshow round of a contest that is not a draft."""
    return audience(db, None, round_id).round


def live_view(db: Session, round_: Round, *, with_panel: bool = False) -> LiveView:
    state = live.state_of(db, round_.id)
    contest = db.get(Contest, round_.contest_id)
    assert contest is not None
    order = _order(db, round_.id)
    submitted = expected = 0
    lines = None
    if state.current_entry_id is not None:
        submitted, expected = live.submitted_count(db, round_.id, state.current_entry_id)
        if with_panel:
            lines = tuple(live.panel(db, round_.id, state.current_entry_id))
    board = public_results.live_board(db, round_, live.revealed_ids(db, round_.id))
    if with_panel and lines is None:
        lines = ()
    return LiveView(round_, contest, state, order, submitted, expected, board, lines, utcnow())


def _order(db: Session, round_id: int) -> tuple[OrderItem, ...]:
    """The drawn order; before any draw, the round's entries by number."""
    rows = db.execute(
        select(
            col(Entry.id),
            col(Entry.title),
            col(Entry.institution),
            col(Entry.leader_name),
            col(Track.code),
            col(Track.name),
            col(RoundEntry.revealed_at),
        )
        .join(Entry, col(Entry.id) == RoundEntry.entry_id)
        .join(Track, col(Track.id) == Entry.track_id)
        .where(col(RoundEntry.round_id) == round_id)
    ).all()
    details = {row[0]: row for row in rows}
    drawn = draw.current(db, round_id)
    placed: list[tuple[int | None, int]] = (
        list(enumerate(drawn.order, start=1))
        if drawn is not None
        else [(None, e) for e in draw.entries_in(db, round_id)]
    )
    return tuple(
        OrderItem(
            entry_id=e,
            position=position,
            title=details[e][1],
            institution=details[e][2],
            leader_name=details[e][3],
            track_code=details[e][4],
            track_name=details[e][5],
            revealed=details[e][6] is not None,
        )
        for position, e in placed
        if e in details
    )


def _points(score: Score | None) -> float | None:
    return float(format_score(score)) if score is not None else None


def _item(item: OrderItem) -> OrderItemOut:
    return OrderItemOut(**{name: getattr(item, name) for name in OrderItemOut.model_fields})


def to_schema(view: LiveView) -> LiveOut:
    """The view as the API answers it (the pages embed the same for their first paint)."""
    state = view.state
    current = view.current
    return LiveOut(
        round_id=view.round.id,
        round_name=view.round.name,
        contest_name=view.contest.name,
        phase=state.phase,  # type: ignore[arg-type]
        stage=view.stage,  # type: ignore[arg-type]
        revision=state.revision,
        actions=view.actions,  # type: ignore[arg-type]
        current_entry_id=state.current_entry_id,
        current=_item(current) if current else None,
        submitted=view.submitted,
        expected=view.expected,
        revealed=[
            RevealedOut(
                entry_id=r.entry_id,
                score=_points(r.score),
                score_text=format_score(r.score) if r.score is not None else "",
                round_score=_points(r.round_score),
                title=r.title,
                track_code=r.track_code,
                judges=[
                    RevealedJudge(
                        seat=m.seat, total=float(format_score(m.total)), dropped=m.dropped
                    )
                    for m in r.judges
                ],
            )
            for r in view.board.revealed
        ],
        leaderboard=[
            TrackBoardOut(
                track_code=board.code,
                track_name=board.name,
                entries=[
                    LeaderLine(
                        rank=line.rank,
                        tie=line.tie,
                        entry_id=line.entry_id,
                        title=line.title,
                        institution=line.institution,
                        score=float(format_score(line.score)),
                        score_text=format_score(line.score),
                    )
                    for line in board.lines
                ],
            )
            for board in view.board.tracks
        ],
        order=[_item(item) for item in view.order],
        timers=TimersOut(
            pitch_seconds=view.round.pitch_seconds,
            qa_seconds=view.round.qa_seconds,
            pitch_started_at=state.pitch_started_at,
            qa_started_at=state.qa_started_at,
            phase_changed_at=state.phase_changed_at if state.revision else None,
            now=view.now,
        ),
        panel=[
            PanelJudgeOut(judge_id=p.judge_id, name=p.name, state=p.state)  # type: ignore[arg-type]
            for p in view.panel
        ]
        if view.panel is not None
        else None,
    )
