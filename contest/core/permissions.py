"""Who may see and do what: named predicates and caller-scoped loaders.

Reads are scoped by the caller (an organiser loads only contests they
organise), so an object the caller may not see is simply not found (404),
exactly as if it did not exist.
"""

from sqlalchemy import exists, select
from sqlmodel import Session

from contest.core.enums import Role
from contest.core.errors import NotFound
from contest.models import Assignment, Contest, ContestOrganiser, Entry, Judge, Round, User


def organises(db: Session, user: User, contest_id: int) -> bool:
    if user.role != Role.organiser:
        return False
    return bool(
        db.scalar(
            select(
                exists().where(
                    ContestOrganiser.contest_id == contest_id, ContestOrganiser.user_id == user.id
                )
            )
        )
    )


def organised_contest(db: Session, user: User, contest_id: int) -> Contest:
    contest = db.scalars(
        select(Contest)
        .join(ContestOrganiser, ContestOrganiser.contest_id == Contest.id)
        .where(Contest.id == contest_id, ContestOrganiser.user_id == user.id)
    ).first()
    if contest is None:
        raise NotFound()
    return contest


def organised_round(db: Session, user: User, round_id: int) -> Round:
    round_ = db.scalars(
        select(Round)
        .join(ContestOrganiser, ContestOrganiser.contest_id == Round.contest_id)
        .where(Round.id == round_id, ContestOrganiser.user_id == user.id)
    ).first()
    if round_ is None:
        raise NotFound()
    return round_


def organised_judge(db: Session, user: User, judge_id: int) -> Judge:
    judge = db.scalars(
        select(Judge)
        .join(ContestOrganiser, ContestOrganiser.contest_id == Judge.contest_id)
        .where(Judge.id == judge_id, ContestOrganiser.user_id == user.id)
    ).first()
    if judge is None:
        raise NotFound()
    return judge


def organised_entry(db: Session, user: User, entry_id: int) -> Entry:
    entry = db.scalars(
        select(Entry)
        .join(ContestOrganiser, ContestOrganiser.contest_id == Entry.contest_id)
        .where(Entry.id == entry_id, ContestOrganiser.user_id == user.id)
    ).first()
    if entry is None:
        raise NotFound()
    return entry


def judge_profile(db: Session, user: User, contest_id: int) -> Judge | None:
    """The user's place on a contest's panel, if they are a judge there."""
    if user.role != Role.judge:
        return None
    return db.scalars(
        select(Judge).where(Judge.contest_id == contest_id, Judge.user_id == user.id)
    ).first()


def is_assigned(db: Session, judge_id: int, round_id: int, entry_id: int) -> bool:
    return bool(
        db.scalar(
            select(
                exists().where(
                    Assignment.round_id == round_id,
                    Assignment.judge_id == judge_id,
                    Assignment.entry_id == entry_id,
                )
            )
        )
    )


def judge_assigned_to_entry(db: Session, user: User, entry: Entry) -> bool:
    """A judge may read an entry assigned to them in any round of its contest."""
    if user.role != Role.judge:
        return False
    return bool(
        db.scalar(
            select(
                exists().where(
                    Assignment.entry_id == entry.id,
                    Assignment.judge_id == Judge.id,
                    Judge.user_id == user.id,
                    Judge.contest_id == entry.contest_id,
                )
            )
        )
    )


def owns_entry(user: User, entry: Entry) -> bool:
    return user.role == Role.team and entry.owner_id == user.id


def can_read_entry(db: Session, user: User, entry: Entry) -> bool:
    return (
        owns_entry(user, entry)
        or organises(db, user, entry.contest_id)
        or judge_assigned_to_entry(db, user, entry)
    )


def readable_entry(db: Session, user: User, entry_id: int) -> Entry:
    entry = db.get(Entry, entry_id)
    if entry is None or not can_read_entry(db, user, entry):
        raise NotFound()
    return entry
