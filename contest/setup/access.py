"""Who organises what: the predicate and the caller-scoped loaders every organiser route
uses.

Reads are scoped by the caller (an organiser loads only contests they organise), so an
object the caller may not see is simply not found (404), exactly as if it did not exist.
"""

from typing import Any, TypeVar

from sqlalchemy import exists, select
from sqlmodel import Session, col

from contest.core.enums import Role
from contest.core.errors import Forbidden, NotFound
from contest.core.i18n import _
from contest.models import Contest, ContestOrganiser, Entry, Judge, Round, User
from contest.setup import team

Owned = TypeVar("Owned", Contest, Round, Judge, Entry)


def organises(db: Session, user: User, contest_id: int) -> bool:
    if user.role != Role.organiser:
        return False
    return bool(
        db.scalar(
            select(
                exists().where(
                    col(ContestOrganiser.contest_id) == contest_id,
                    col(ContestOrganiser.user_id) == user.id,
                )
            )
        )
    )


def _organised(
    db: Session, user: User, model: type[Owned], contest_id: Any, object_id: int
) -> Owned:
    """The object if its contest (the column `contest_id`) is one the caller organises;
    else 404."""
    found = db.scalars(
        select(model)
        .join(ContestOrganiser, col(ContestOrganiser.contest_id) == contest_id)
        .where(col(model.id) == object_id, col(ContestOrganiser.user_id) == user.id)
    ).first()
    if found is None:
        raise NotFound()
    return found


def organised_contest(db: Session, user: User, contest_id: int) -> Contest:
    return _organised(db, user, Contest, Contest.id, contest_id)


def organised_round(db: Session, user: User, round_id: int) -> Round:
    return _organised(db, user, Round, Round.contest_id, round_id)


def organised_judge(db: Session, user: User, judge_id: int) -> Judge:
    return _organised(db, user, Judge, Judge.contest_id, judge_id)


def organised_entry(db: Session, user: User, entry_id: int) -> Entry:
    return _organised(db, user, Entry, Entry.contest_id, entry_id)


def owned_contest(db: Session, user: User, contest_id: int) -> Contest:
    """The contest if the caller owns it (only the owner manages the team); 404 if they
    are not in its team at all, 403 if they are but do not own it."""
    contest = organised_contest(db, user, contest_id)
    if not team.is_owner(db, user, contest.id):
        raise Forbidden(_("Only the contest's owner adds people to its team or removes them."))
    return contest
