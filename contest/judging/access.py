"""What a judge may reach: their seat on a contest's panel and in a round, and the entries
assigned to them.

Anything a judge was not assigned is not found (404), exactly like an unknown object.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, bindparam, exists, select
from sqlmodel import Session, col

from contest.core.enums import Role
from contest.core.errors import NotFound
from contest.models import Assignment, Entry, Judge, Round, User


def assignment_of(judge_id: Any, entry_id: Any, round_id: Any = None) -> list[ColumnElement[bool]]:
    """The conditions "this judge is assigned to this entry" (in this round, or in any
    round when `round_id` is None); values or columns."""
    conditions = [Assignment.judge_id == judge_id, Assignment.entry_id == entry_id]
    if round_id is not None:
        conditions.append(Assignment.round_id == round_id)
    return conditions


def judge_assigned_to_entry(db: Session, user: User, entry: Entry) -> bool:
    """A judge may read an entry assigned to them in any round of its contest."""
    if user.role != Role.judge:
        return False
    return bool(
        db.scalar(
            select(
                exists().where(
                    *assignment_of(col(Judge.id), entry.id),
                    col(Judge.user_id) == user.id,
                    col(Judge.contest_id) == entry.contest_id,
                )
            )
        )
    )


@dataclass(frozen=True)
class JudgeSeat:
    """A judge's place in a round: the round and their panel row in its contest."""

    round: Round
    judge: Judge


@dataclass(frozen=True)
class ScoringTarget:
    """An entry assigned to the calling judge in a round."""

    round: Round
    judge: Judge
    entry: Entry


def judge_seat(db: Session, user: User, round_id: int) -> JudgeSeat:
    """The caller's seat in a round; 404 unless they judge the round's contest."""
    row = db.execute(
        select(Round, Judge)
        .join(Judge, col(Judge.contest_id) == Round.contest_id)
        .where(col(Round.id) == round_id, col(Judge.user_id) == user.id)
    ).first()
    if row is None:
        raise NotFound()
    return JudgeSeat(round=row[0], judge=row[1])


# Built once: the save path runs it on every keystroke's autosave.
TARGET = (
    select(Round, Judge, Entry)
    .join(Judge, col(Judge.contest_id) == Round.contest_id)
    .join(Entry, col(Entry.contest_id) == Round.contest_id)
    .where(
        col(Round.id) == bindparam("round_id"),
        col(Judge.user_id) == bindparam("user_id"),
        col(Entry.id) == bindparam("entry_id"),
        exists().where(*assignment_of(Judge.id, Entry.id, Round.id)),
    )
)


def scoring_target(db: Session, user: User, round_id: int, entry_id: int) -> ScoringTarget:
    """Round, judge and entry in one query; 404 unless the entry is assigned to the caller."""
    row = db.execute(
        TARGET, {"round_id": round_id, "user_id": user.id, "entry_id": entry_id}
    ).first()
    if row is None:
        raise NotFound()
    return ScoringTarget(round=row[0], judge=row[1], entry=row[2])
