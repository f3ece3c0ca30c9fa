"""What a judge sees: their rounds, the entries assigned to them, and one entry to score."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, select
from sqlmodel import Session, col

from contest.core.i18n.names import sql_name
from contest.judging.access import ScoringTarget
from contest.judging.blind import blind_entries, neutral_filename
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


def _queue_rows(db: Session, user: User, round_id: int | None) -> Sequence[Row[*tuple[Any, ...]]]:
    sheet = and_(
        col(ScoreSheet.round_id) == Assignment.round_id,
        col(ScoreSheet.judge_id) == Assignment.judge_id,
        col(ScoreSheet.entry_id) == Assignment.entry_id,
    )
    query = (
        select(
            col(Assignment.round_id),
            col(Entry.id),
            col(Entry.title),
            col(Track.code),
            sql_name(Track),
            col(ScoreSheet.id),
            col(ScoreSheet.state),
            col(ScoreSheet.updated_at),
        )
        .join(Judge, col(Judge.id) == Assignment.judge_id)
        .join(Entry, col(Entry.id) == Assignment.entry_id)
        .join(Track, col(Track.id) == Entry.track_id)
        .outerjoin(ScoreSheet, sheet)
        .where(col(Judge.user_id) == user.id)
        .order_by(col(Assignment.round_id), col(Track.position), col(Track.id), col(Entry.id))
    )
    if round_id is not None:
        query = query.where(col(Assignment.round_id) == round_id)
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
        .join(Contest, col(Contest.id) == Round.contest_id)
        .where(col(Round.id).in_(by_round))
        .order_by(col(Contest.year).desc(), col(Contest.id).desc(), col(Round.position))
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
    blind: bool = False

    def document_name(self, document: Document) -> str:
        """Blind rounds show neutral names (contest/judging/blind.py)."""
        return neutral_filename(document.kind) if self.blind else document.filename


def scoring_page(db: Session, user: User, target: ScoringTarget) -> ScoringPage:
    round_, entry = target.round, target.entry
    contest = db.get(Contest, round_.contest_id)
    track = db.get(Track, entry.track_id)
    assert contest is not None
    assert track is not None
    queue = assigned_items(db, user, round_.id)
    index = next(i for i, item in enumerate(queue) if item.entry_id == entry.id)
    blind = round_.blind or bool(blind_entries(db, user, [entry.id]))
    members = (
        []
        if blind
        else list(
            db.scalars(
                select(col(EntryMember.name))
                .where(col(EntryMember.entry_id) == entry.id)
                .order_by(col(EntryMember.position))
            )
        )
    )
    return ScoringPage(
        contest=contest,
        track=track,
        members=members,
        documents=db.scalars(
            select(Document)
            .where(col(Document.entry_id) == entry.id, col(Document.replaced_at).is_(None))
            .order_by(col(Document.kind), col(Document.id))
        ).all(),
        criteria=db.scalars(
            select(Criterion)
            .where(col(Criterion.round_id) == round_.id)
            .order_by(col(Criterion.position))
        ).all(),
        sheet=read_sheet(db, round_id=round_.id, judge_id=target.judge.id, entry_id=entry.id),
        previous=queue[index - 1] if index > 0 else None,
        next=queue[index + 1] if index + 1 < len(queue) else None,
        position=index + 1,
        count=len(queue),
        blind=blind,
    )
