"""A judge's own declarations for a contest: affiliations, companies and conflicts.

Saving replaces the affiliations, the companies and the named conflicts (institutions
and credit codes); conflicts with an entry are added and never taken back by a later
save (a judge who once said they cannot judge an entry stays out of it; the organiser
sees it on the conflicts page). The save takes effect at once: every unsubmitted
assignment now in conflict moves to another judge, as a recusal does. Audited as
`judge.declarations`, with the state before and after.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlmodel import Session, col

from contest.core import audit
from contest.core.errors import FieldError, InvalidInput, NotFound
from contest.core.i18n import _
from contest.judging.assignment import Released, release_conflicted
from contest.judging.schemas import DeclarationsIn
from contest.models import Conflict, Contest, Entry, Judge, NamedConflict, User, utcnow
from contest.setup import judges


def judge_seat(db: Session, user: User, contest_id: int) -> Judge:
    """The caller's place on the contest's panel; 404 when they have none."""
    judge = db.scalars(
        select(Judge).where(col(Judge.contest_id) == contest_id, col(Judge.user_id) == user.id)
    ).first()
    if judge is None:
        raise NotFound()
    return judge


@dataclass(frozen=True)
class DeclaredItem:
    institution: str
    credit_code: str
    entry_id: int | None
    reason: str


@dataclass(frozen=True)
class Declarations:
    judge: Judge
    conflicts: list[DeclaredItem]
    released: Sequence[Released] = ()


def read(db: Session, judge: Judge) -> Declarations:
    named = db.scalars(
        select(NamedConflict)
        .where(col(NamedConflict.judge_id) == judge.id)
        .order_by(col(NamedConflict.id))
    )
    by_entry = db.scalars(
        select(Conflict).where(col(Conflict.judge_id) == judge.id).order_by(col(Conflict.id))
    )
    items = [DeclaredItem(n.institution, n.credit_code, None, n.reason) for n in named]
    items += [DeclaredItem("", "", c.entry_id, c.reason) for c in by_entry]
    return Declarations(judge, items)


def _snapshot(db: Session, judge: Judge) -> dict[str, object]:
    return {
        "affiliations": list(judge.affiliations),
        "companies": list(judge.companies),
        "conflicts": [item.__dict__ for item in read(db, judge).conflicts],
    }


def _check_entries(db: Session, judge: Judge, data: DeclarationsIn) -> None:
    wanted = {c.entry_id for c in data.conflicts if c.entry_id is not None}
    known = set(
        db.scalars(
            select(col(Entry.id)).where(
                col(Entry.id).in_(wanted), col(Entry.contest_id) == judge.contest_id
            )
        )
    )
    for index, item in enumerate(data.conflicts):
        if item.entry_id is not None and item.entry_id not in known:
            message = _("No such entry in this contest.")
            raise InvalidInput([FieldError(("conflicts", index, "entry_id"), message)])


def save(db: Session, *, actor: User, judge: Judge, data: DeclarationsIn) -> Declarations:
    """Replace the judge's declarations, add entry conflicts, and move what they touch."""
    _check_entries(db, judge, data)
    before = _snapshot(db, judge)
    judge.affiliations = list(dict.fromkeys(data.affiliations))
    judge.companies = [c.model_dump() for c in data.companies]
    judge.declared_at = utcnow()
    db.add(judge)
    db.execute(delete(NamedConflict).where(col(NamedConflict.judge_id) == judge.id))
    for item in data.conflicts:
        if item.entry_id is not None:
            judges.declare_conflict(
                db, actor=actor, judge=judge, entry_id=item.entry_id, reason=item.reason
            )
        else:
            db.add(
                NamedConflict(
                    judge_id=judge.id,
                    institution=item.institution,
                    credit_code=item.credit_code.upper(),
                    reason=item.reason,
                )
            )
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="judge.declarations",
        obj=judge,
        before=before,
        after=_snapshot(db, judge),
    )
    released = release_conflicted(
        db, actor=actor, judge=judge, reason=_("Conflict declared by the judge.")
    )
    return Declarations(judge, read(db, judge).conflicts, released)


def seats(db: Session, user: User) -> list[tuple[Judge, Contest]]:
    """Every contest the user judges in, with their seat (declared or not yet)."""
    rows = db.execute(
        select(Judge, Contest)
        .join(Contest, col(Contest.id) == Judge.contest_id)
        .where(col(Judge.user_id) == user.id)
        .order_by(col(Contest.id).desc())
    ).all()
    return [(judge, contest) for judge, contest in rows]
