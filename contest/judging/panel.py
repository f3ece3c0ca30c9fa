"""Changing a contest's panel once judging has begun: editing a judge, deactivating,
reactivating and removing one, with their unsubmitted work handed to other judges.

- **Edit**: name (the account's), institution, title, expertise. A new institution can
  put the judge in conflict with entries they hold: those unsubmitted assignments are
  released to other eligible judges, as after a declaration. The name is the account's
  own, shown wherever the person appears: it is changed here only while the account sits
  on this contest's panel alone (another contest's organisers would see their judge
  renamed), else refused naming `name`.
- **Deactivate**: no new assignments (automatic, manual, recusal's replacement); sheets
  already submitted stay and count; every unsubmitted assignment of a round not yet
  closed goes to the least-loaded eligible judge (drafts discarded, audited).
- **Remove**: only while the judge has no submitted sheet in the contest (a submitted
  sheet is a result: deactivate instead, 409); the unsubmitted work is released first,
  then the judge's place on the panel, with their conflicts and assignments, is deleted.
  The account stays (it may sit on other panels).
"""

from sqlalchemy import func, select
from sqlmodel import Session, col

from contest.core import audit
from contest.core.db import lock_row
from contest.core.enums import SheetState
from contest.core.errors import InvalidInput, StateConflict
from contest.core.i18n import _
from contest.judging.assignment import Released, release_all, release_conflicted
from contest.models import Judge, ScoreSheet, User
from contest.setup.schemas import JudgeUpdate

EDITABLE = ("institution", "title", "expertise")


def _details(judge: Judge, user: User) -> dict[str, object]:
    return {"name": user.name, **audit.snapshot(judge, [*EDITABLE, "active"])}


def update_judge(db: Session, *, actor: User, judge: Judge, data: JudgeUpdate) -> list[Released]:
    """Correct a judge's details; assignments a new institution conflicts with move on."""
    lock_row(db, judge)
    user = db.get(User, judge.user_id)
    assert user is not None  # judges.user_id is a foreign key
    before = _details(judge, user)
    changes = data.model_dump(exclude_unset=True)
    if "name" in changes:
        name = changes.pop("name")
        if name != user.name:
            _require_own_panel_only(db, judge)
        user.name = name
        db.add(user)
    for key, value in changes.items():
        setattr(judge, key, value)
    db.add(judge)
    db.flush()
    after = _details(judge, user)
    if after == before:
        return []
    audit.record(
        db,
        actor=actor,
        action="judge.update",
        obj=judge,
        before=before,
        after=after,
        contest_id=judge.contest_id,
    )
    return release_conflicted(db, actor=actor, judge=judge, reason=_("Judge's details changed."))


def _require_own_panel_only(db: Session, judge: Judge) -> None:
    elsewhere = db.scalar(
        select(func.count())
        .select_from(Judge)
        .where(col(Judge.user_id) == judge.user_id, col(Judge.contest_id) != judge.contest_id)
    )
    if elsewhere:
        raise InvalidInput.single(
            "name",
            _("This judge's account also sits on other contests' panels: its name cannot "
              "be changed from one contest."),
        )


def deactivate(db: Session, *, actor: User, judge: Judge, reason: str = "") -> list[Released]:
    """No new assignments; unsubmitted ones go to other judges; submitted sheets stay."""
    lock_row(db, judge)
    if not judge.active:
        return []
    judge.active = False
    db.add(judge)
    db.flush()
    released = release_all(db, actor=actor, judge=judge, reason=reason or _("Judge deactivated."))
    audit.record(
        db,
        actor=actor,
        action="judge.deactivate",
        obj=judge,
        contest_id=judge.contest_id,
        before={"active": True},
        after={"active": False, "released": len(released)},
        reason=reason,
    )
    return released


def reactivate(db: Session, *, actor: User, judge: Judge, reason: str = "") -> None:
    """The judge may be given entries again (by the next assignment run or by hand)."""
    lock_row(db, judge)
    if judge.active:
        return
    judge.active = True
    db.add(judge)
    audit.record(
        db,
        actor=actor,
        action="judge.reactivate",
        obj=judge,
        contest_id=judge.contest_id,
        before={"active": False},
        after={"active": True},
        reason=reason,
    )


def submitted_sheets(db: Session, judge: Judge) -> int:
    return int(
        db.scalar(
            select(func.count()).where(
                col(ScoreSheet.judge_id) == judge.id,
                col(ScoreSheet.state) == SheetState.submitted,
            )
        )
        or 0
    )


def remove(db: Session, *, actor: User, judge: Judge, reason: str = "") -> list[Released]:
    """Take a judge off the panel; refused (409) once they have submitted a sheet."""
    lock_row(db, judge)
    submitted = submitted_sheets(db, judge)
    if submitted:
        raise StateConflict(
            _(
                "This judge has submitted %(count)s score sheets, which count in the results: "
                "deactivate the judge instead of removing them."
            )
            % {"count": submitted},
            submitted=submitted,
        )
    user = db.get(User, judge.user_id)
    before = {"email": user.email if user else None, **audit.snapshot(judge)}
    judge.active = False
    db.add(judge)
    db.flush()
    released = release_all(db, actor=actor, judge=judge, reason=reason or _("Judge removed."))
    audit.record(
        db,
        actor=actor,
        action="judge.remove",
        obj=judge,
        contest_id=judge.contest_id,
        before=before,
        after={"released": len(released)},
        reason=reason,
    )
    db.delete(judge)
    db.flush()
    return released
