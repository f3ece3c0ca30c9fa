"""The demo's live final and awards, run through the same services as the real thing.

``run_final`` draws the order with a fixed seed, assigns the final's judges (every
judge free of conflicts scores every finalist, judges_per_entry of them), then steps
through the live final: each finalist pitches, answers questions, is scored by its
judges (realistic values: the entry keeps its standing from the round before, each
judge has a bias of their own) and revealed; then the final finishes. ``award``
allocates the default per-track awards, settles any tie across a boundary by entry
number (with a reason), and publishes them with their certificates.
"""

import random
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlmodel import Session, col

from contest.awards import service as awards
from contest.core.enums import AwardScope, Tier
from contest.demo import scores as demo_scores
from contest.judging import assignment
from contest.judging import sheets as judging
from contest.live import draw
from contest.live import service as live
from contest.models import (
    Assignment,
    Contest,
    Criterion,
    Draw,
    Entry,
    Judge,
    LiveState,
    Round,
    RoundEntry,
    ScoreSheet,
    User,
)
from contest.results import service as results
from contest.setup import rounds
from scoring import BoundaryTie

# The seed reads as the final's date, as organisers often choose one in front of the hall.
DRAW_SEED = 20231107
ASSIGN_SEED = 2023
TIE_REASON = "演示：同分项目按报名先后（项目编号）确定奖项"


def run_final(
    db: Session, *, actor: User, round_: Round, rng: random.Random, on: date | None = None
) -> None:
    """The whole live final of ``round_``, from the draw to the final leaderboard; ``on``:
    the day it is dated (the services stamp the moment the demo is loaded)."""
    if not db.scalars(
        select(col(Assignment.id)).where(col(Assignment.round_id) == round_.id)
    ).first():
        assignment.auto_assign(db, actor=actor, round_=round_, seed=ASSIGN_SEED, held_before=True)
    order = draw.draw_order(db, actor=actor, round_=round_, seed=DRAW_SEED).order
    quality = _standing(db, round_, order, rng)
    bias = demo_scores.judge_biases(_judge_ids(db, round_), rng)
    limits = _rubric(db, round_)
    for n, entry_id in enumerate(order):
        _step(db, actor, round_, live.Action.next if n else live.Action.start)
        _step(db, actor, round_, live.Action.qa)
        _step(db, actor, round_, live.Action.score)
        entry = db.get(Entry, entry_id)
        assert entry is not None
        for judge, user in _panel(db, round_, entry_id):
            # Half the judge's usual bias: on stage, judges see the same pitch.
            share = min(quality[entry_id] + bias.get(judge.id, 0.0) / 2, 0.97)
            _submit(db, judge, user, round_, entry, limits, share, rng)
        _step(db, actor, round_, live.Action.reveal)
    _step(db, actor, round_, live.Action.finish)
    if on is not None:
        _date_final(db, round_, order, on)


# The final's day as it ran: pitches from 9:30, one every 25 minutes (8 minutes of pitch,
# 7 of questions, the judges' scores, the reveal), with a lunch break after the sixth.
SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_PITCH = time(9, 30)
PITCH_SLOT = timedelta(minutes=25)
LUNCH = timedelta(minutes=60)


def _date_final(db: Session, round_: Round, order: list[int], day: date) -> None:
    """The services stamp the moment the demo is loaded; the final's window, sheets,
    reveals and live state are dated on ``day`` instead, in Shanghai time."""
    start = datetime.combine(day, FIRST_PITCH, tzinfo=SHANGHAI)
    last = start
    for n, entry_id in enumerate(order):
        pitched = start + n * PITCH_SLOT + (LUNCH if n >= 6 else timedelta())
        scored, revealed = pitched + timedelta(minutes=17), pitched + timedelta(minutes=22)
        sheets = select(col(ScoreSheet.id)).where(
            col(ScoreSheet.round_id) == round_.id, col(ScoreSheet.entry_id) == entry_id
        )
        db.execute(
            update(ScoreSheet)
            .where(col(ScoreSheet.id).in_(sheets))
            .values(created_at=pitched, updated_at=scored, submitted_at=scored)
        )
        db.execute(
            update(RoundEntry)
            .where(col(RoundEntry.round_id) == round_.id, col(RoundEntry.entry_id) == entry_id)
            .values(revealed_at=revealed)
        )
        last = revealed
    # Lots drawn in front of the teams, before the opening.
    db.execute(
        update(Draw)
        .where(col(Draw.round_id) == round_.id)
        .values(drawn_at=start - timedelta(minutes=40))
    )
    db.execute(
        update(LiveState)
        .where(col(LiveState.round_id) == round_.id)
        .values(phase_changed_at=last + timedelta(minutes=5))
    )
    # Opened half an hour before the first pitch, closed once the last score was shown.
    round_.opens_at = start - timedelta(minutes=30)
    round_.closes_at = last + timedelta(minutes=10)
    db.add(round_)
    db.flush()


def _step(db: Session, actor: User, round_: Round, action: live.Action) -> None:
    live.apply(db, actor=actor, round_=round_, command=live.Command(action=action))


def _standing(db: Session, round_: Round, order: list[int], rng: random.Random) -> dict[int, float]:
    """entry id -> expected share of the maximum: its score in the round before, if any."""
    before = rounds.previous_round(db, round_)
    scores = results.combined_scores(db, before) if before is not None else {}
    return {e: float(scores[e]) / 100 if e in scores else rng.gauss(0.8, 0.05) for e in order}


def _judge_ids(db: Session, round_: Round) -> list[int]:
    rows = db.scalars(
        select(col(Assignment.judge_id)).where(col(Assignment.round_id) == round_.id).distinct()
    )
    return sorted(rows)


def _rubric(db: Session, round_: Round) -> list[tuple[int, int]]:
    rows = db.execute(
        select(col(Criterion.id), col(Criterion.max_tenths))
        .where(col(Criterion.round_id) == round_.id)
        .order_by(col(Criterion.position))
    ).all()
    return [(criterion_id, max_tenths) for criterion_id, max_tenths in rows]


def _panel(db: Session, round_: Round, entry_id: int) -> list[tuple[Judge, User]]:
    rows = db.execute(
        select(Judge, User)
        .join(Assignment, col(Assignment.judge_id) == Judge.id)
        .join(User, col(User.id) == Judge.user_id)
        .where(col(Assignment.round_id) == round_.id, col(Assignment.entry_id) == entry_id)
        .order_by(col(Judge.id))
    ).all()
    return [(judge, user) for judge, user in rows]


def _submit(
    db: Session,
    judge: Judge,
    user: User,
    round_: Round,
    entry: Entry,
    limits: list[tuple[int, int]],
    share: float,
    rng: random.Random,
) -> None:
    """One judge's complete sheet, through the same service as a judge's phone."""
    scores = {
        str(criterion_id): _points(max_tenths, share + rng.gauss(0, 0.03))
        for criterion_id, max_tenths in limits
    }
    pool = (
        demo_scores.STRONG
        if share >= 0.8
        else demo_scores.MIDDLE
        if share >= 0.65
        else demo_scores.WEAK
    )
    judging.save_sheet(
        db,
        judging.SheetTarget.of(round_, judge, entry),
        scores=scores,
        comment=rng.choice(pool),
        submit=True,
        actor=user,
    )


def _points(max_tenths: int, share: float) -> float:
    tenths = max(0, min(max_tenths, round(max_tenths * share)))
    return tenths / 10


def award(db: Session, *, actor: User, contest: Contest) -> list[awards.AwardLine]:
    """Default per-track awards (gold 1, silver 2, bronze 3) saved and published; a tie
    across a boundary goes to the lower entry number first, with a reason."""
    request = awards.AwardRequest(scope=AwardScope.per_track)
    found = awards.plan(db, contest=contest, request=request)
    if found.conflict is not None:
        request = awards.AwardRequest(
            scope=AwardScope.per_track,
            resolve=_by_entry_number(found.conflict.ties),
            reason=TIE_REASON,
        )
    awards.save_awards(db, actor=actor, contest=contest, request=request)
    return awards.publish_awards(db, actor=actor, contest=contest)


def _by_entry_number(ties: tuple[BoundaryTie, ...]) -> Mapping[int, Tier | None]:
    """Each tie's places, best first, handed to its entries in order of entry id."""
    resolve: dict[int, Tier | None] = {}
    for tie in ties:
        for entry_id, place in zip(sorted(tie.entry_ids), tie.places, strict=True):
            resolve[entry_id] = Tier(place.value) if place is not None else None
    return resolve
