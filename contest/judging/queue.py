"""What a judge sees: their rounds, the entries assigned to them, and one entry to score."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, select
from sqlmodel import Session

from contest.judging.access import ScoringTarget
from contest.judging.sheets import TODO, SheetView, read_sheet, sheet_totals
from contest.models import (
    Assignment,
    Contest,
    Criterion,
    Document,
    Entry,
    EntryMember,
    Judge,
    Round,
    ScoreSheet,
    Track,
    User,
)
from contest.setup.rounds import is_closed, is_open


@dataclass(frozen=True)
class QueueItem:
    """One entry assigned to the judge, with the state of their sheet for it."""

    round_id: int
    entry_id: int
    title: str
    track_code: str
    track_name: str
    state: str
    total_tenths: int | None
    updated_at: datetime | None


@dataclass
class RoundQueue:
    """A round the judge scores in, with its entries in the order the judge walks them."""

    contest: Contest
    round: Round
    items: list[QueueItem] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return is_open(self.round)

    @property
    def is_closed(self) -> bool:
        return is_closed(self.round)

    def count(self, state: str) -> int:
        return sum(1 for item in self.items if item.state == state)

    @property
    def next_todo(self) -> QueueItem | None:
        return next((i for i in self.items if i.state != "submitted"), None)


def _queue_rows(db: Session, user: User, round_id: int | None):  # type: ignore[no-untyped-def]
    sheet = and_(
        ScoreSheet.round_id == Assignment.round_id,
        ScoreSheet.judge_id == Assignment.judge_id,
        ScoreSheet.entry_id == Assignment.entry_id,
    )
    query = (
        select(
            Assignment.round_id,
            Entry.id,
            Entry.title,
            Track.code,
            Track.name,
            ScoreSheet.id,
            ScoreSheet.state,
            ScoreSheet.updated_at,
        )
        .join(Judge, Judge.id == Assignment.judge_id)
        .join(Entry, Entry.id == Assignment.entry_id)
        .join(Track, Track.id == Entry.track_id)
        .outerjoin(ScoreSheet, sheet)
        .where(Judge.user_id == user.id)
        .order_by(Assignment.round_id, Track.position, Track.id, Entry.id)
    )
    if round_id is not None:
        query = query.where(Assignment.round_id == round_id)
    return db.execute(query).all()


def assigned_items(db: Session, user: User, round_id: int | None = None) -> list[QueueItem]:
    """The judge's assigned entries (of one round, or all), two queries in all."""
    rows = _queue_rows(db, user, round_id)
    totals = sheet_totals(db, [row[5] for row in rows if row[5] is not None])
    return [
        QueueItem(
            round_id=r_id,
            entry_id=entry_id,
            title=title,
            track_code=code,
            track_name=track_name,
            state=str(state) if state else TODO,
            total_tenths=totals.get(sheet_id, 0) if sheet_id is not None else None,
            updated_at=updated_at,
        )
        for r_id, entry_id, title, code, track_name, sheet_id, state, updated_at in rows
    ]


def judge_rounds(db: Session, user: User) -> list[RoundQueue]:
    """Every round where the judge has assigned entries, newest contest first."""
    items = assigned_items(db, user)
    by_round: dict[int, list[QueueItem]] = defaultdict(list)
    for item in items:
        by_round[item.round_id].append(item)
    if not by_round:
        return []
    rows = db.execute(
        select(Round, Contest)
        .join(Contest, Contest.id == Round.contest_id)
        .where(Round.id.in_(by_round))
        .order_by(Contest.year.desc(), Contest.id.desc(), Round.position)
    ).all()
    return [RoundQueue(contest=c, round=r, items=by_round[r.id]) for r, c in rows]


@dataclass(frozen=True)
class ScoringPage:
    """Everything the scoring page shows, loaded in a handful of queries."""

    contest: Contest
    track: Track
    members: Sequence[str]
    documents: Sequence[Document]
    criteria: Sequence[Criterion]
    sheet: SheetView
    previous: QueueItem | None
    next: QueueItem | None
    position: int
    count: int


def scoring_page(db: Session, user: User, target: ScoringTarget) -> ScoringPage:
    round_, entry = target.round, target.entry
    contest = db.get(Contest, round_.contest_id)
    track = db.get(Track, entry.track_id)
    assert contest is not None
    assert track is not None
    queue = assigned_items(db, user, round_.id)
    index = next(i for i, item in enumerate(queue) if item.entry_id == entry.id)
    members = (
        []
        if round_.blind
        else list(
            db.scalars(
                select(EntryMember.name)
                .where(EntryMember.entry_id == entry.id)
                .order_by(EntryMember.position)
            )
        )
    )
    return ScoringPage(
        contest=contest,
        track=track,
        members=members,
        documents=db.scalars(
            select(Document)
            .where(Document.entry_id == entry.id, Document.replaced_at.is_(None))
            .order_by(Document.kind, Document.id)
        ).all(),
        criteria=db.scalars(
            select(Criterion).where(Criterion.round_id == round_.id).order_by(Criterion.position)
        ).all(),
        sheet=read_sheet(db, round_id=round_.id, judge_id=target.judge.id, entry_id=entry.id),
        previous=queue[index - 1] if index > 0 else None,
        next=queue[index + 1] if index + 1 < len(queue) else None,
        position=index + 1,
        count=len(queue),
    )
