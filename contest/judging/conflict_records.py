"""What organisers record about conflicts: institution families and exceptions; and the
list of a round's conflicts (the conflicts page and `GET /rounds/{id}/conflicts`)."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from contest.core import audit
from contest.core.errors import InvalidInput, NotFound, StateConflict
from contest.core.i18n import _
from contest.judging.assignment import round_entry_ids
from contest.judging.conflicts import Kind, detect
from contest.judging.detection import entry_side, entry_sides, load_context, reason_text
from contest.models import (
    Assignment,
    ConflictException,
    Contest,
    Entry,
    InstitutionFamily,
    Judge,
    Round,
    User,
)


def families(db: Session, contest_id: int) -> Sequence[InstitutionFamily]:
    return db.scalars(
        select(InstitutionFamily)
        .where(col(InstitutionFamily.contest_id) == contest_id)
        .order_by(col(InstitutionFamily.id))
    ).all()


def add_family(
    db: Session, *, actor: User, contest: Contest, members: Sequence[str]
) -> InstitutionFamily:
    """Names to treat as one institution (aliases, a group and its members), audited."""
    names = list(dict.fromkeys(m.strip() for m in members if m.strip()))
    if len(names) < 2:
        raise InvalidInput.single("members", _("Give at least two different names."))
    family = InstitutionFamily(contest_id=contest.id, members=names, created_by_id=actor.id)
    db.add(family)
    db.flush()
    audit.record(db, actor=actor, action="family.add", obj=family, after={"members": names})
    return family


def remove_family(db: Session, *, actor: User, contest: Contest, family_id: int) -> None:
    """Forget a family or alias the organisers added (audited with its names). Only
    conflicts go away: no assignment changes, the next assignment may use the pairs."""
    family = db.get(InstitutionFamily, family_id)
    if family is None or family.contest_id != contest.id:
        raise NotFound()
    audit.record(
        db,
        actor=actor,
        action="family.remove",
        obj=family,
        contest_id=contest.id,
        before={"members": list(family.members)},
    )
    db.delete(family)
    db.flush()


def add_exception(
    db: Session, *, actor: User, contest: Contest, judge_id: int, entry_id: int, reason: str
) -> ConflictException:
    """Let a judge score an entry despite a detected conflict; a declared one stays (409)."""
    judge, entry = db.get(Judge, judge_id), db.get(Entry, entry_id)
    if judge is None or judge.contest_id != contest.id:
        raise InvalidInput.single("judge_id", _("No such judge on this contest's panel."))
    if entry is None or entry.contest_id != contest.id:
        raise InvalidInput.single("entry_id", _("No such entry in this contest."))
    if not reason.strip():
        raise InvalidInput.single("reason", _("Say why this judge may score this entry."))
    found = load_context(db, contest.id).reason(judge.id, entry_side(entry))
    if found is None:
        raise StateConflict(_("This judge is not in conflict with this entry."))
    if found.kind == Kind.declared_entry:
        raise StateConflict(_("The judge declared this conflict; it cannot be waived."))
    item = ConflictException(
        judge_id=judge.id, entry_id=entry.id, reason=reason.strip(), created_by_id=actor.id
    )
    db.add(item)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="conflict.exception",
        obj=item,
        contest_id=contest.id,
        after={"judge_id": judge.id, "entry_id": entry.id, "conflict": reason_text(found)},
        reason=item.reason,
    )
    return item


def remove_exception(
    db: Session, *, actor: User, contest: Contest, judge_id: int, entry_id: int
) -> None:
    item = db.scalars(
        select(ConflictException)
        .join(Judge, col(Judge.id) == ConflictException.judge_id)
        .where(
            col(ConflictException.judge_id) == judge_id,
            col(ConflictException.entry_id) == entry_id,
            col(Judge.contest_id) == contest.id,
        )
    ).first()
    if item is None:
        raise NotFound()
    audit.record(
        db,
        actor=actor,
        action="conflict.exception_remove",
        obj=item,
        contest_id=contest.id,
        before={"judge_id": judge_id, "entry_id": entry_id, "reason": item.reason},
    )
    db.delete(item)
    db.flush()


@dataclass(frozen=True)
class RoundConflict:
    judge_id: int
    entry_id: int
    kind: str
    reason: str
    exception: str | None  # the organiser's reason when waived
    assigned: bool
    judge_name: str = ""
    entry_title: str = ""


def round_conflicts(db: Session, round_: Round) -> list[RoundConflict]:
    """Every conflict between the panel and the round's entries, waived ones included."""
    context = load_context(db, round_.contest_id)
    sides = entry_sides(db, round_entry_ids(db, round_))
    waivers = dict(
        ((j, e), reason)
        for j, e, reason in db.execute(
            select(
                col(ConflictException.judge_id),
                col(ConflictException.entry_id),
                col(ConflictException.reason),
            )
            .join(Judge, col(Judge.id) == ConflictException.judge_id)
            .where(col(Judge.contest_id) == round_.contest_id)
        )
    )
    assigned: set[tuple[int, int]] = set(
        db.execute(
            select(col(Assignment.judge_id), col(Assignment.entry_id)).where(
                col(Assignment.round_id) == round_.id
            )
        )
    )
    found = detect(list(context.parties.values()), sides, context.families)
    names = _names(db, round_.contest_id, {m.entry_id for m in found})
    return [
        RoundConflict(
            judge_id=m.party_id,
            entry_id=m.entry_id,
            kind=str(m.kind),
            reason=reason_text(m),
            exception=None
            if m.kind == Kind.declared_entry
            else waivers.get((m.party_id, m.entry_id)),
            assigned=(m.party_id, m.entry_id) in assigned,
            judge_name=names[0].get(m.party_id, ""),
            entry_title=names[1].get(m.entry_id, ""),
        )
        for m in found
    ]


def _names(
    db: Session, contest_id: int, entry_ids: set[int]
) -> tuple[dict[int, str], dict[int, str]]:
    judges = db.execute(
        select(col(Judge.id), col(User.name))
        .join(User, col(User.id) == Judge.user_id)
        .where(col(Judge.contest_id) == contest_id)
    )
    titles = db.execute(
        select(col(Entry.id), col(Entry.title)).where(col(Entry.id).in_(entry_ids))
    )
    return {j: n for j, n in judges}, {e: t for e, t in titles}
