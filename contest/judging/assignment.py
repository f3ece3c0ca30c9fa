"""Who scores what in a round: automatic assignment, manual changes, and recusal.

Automatic assignment keeps, so that running it again is always safe:
- every assignment whose sheet is started (draft or submitted): a judge's work is never
  thrown away;
- every assignment an organiser made by hand, or that a recusal made;
and replaces the other automatic ones (or, when asked to rebalance, leaves them where they
are unless evening out the loads needs them moved: for late entries or judges). A kept
assignment now in conflict with its entry (a conflict declared after it was made) is
dropped when it has no sheet; with a sheet, the run is refused until the organiser
removes it (the sheet is a judge's work). The solver (contest/judging/solver.py, pure)
completes what is kept, and the plan is written as a difference: what it repeats stays
untouched, so re-running with the same seed writes nothing.

Removing an assignment whose sheet is submitted is refused (reopen the sheet first);
removing one with a draft deletes the draft, and the audit record keeps its values.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Integer, Select, and_, any_, bindparam, delete, exists, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from contest.core import audit
from contest.core.db import changed_rows
from contest.core.enums import EntryStatus, SheetState
from contest.core.errors import InvalidInput, NotFound, StateConflict
from contest.core.i18n import _
from contest.judging.access import assignment_of
from contest.judging.detection import (
    ConflictContext,
    entry_side,
    entry_sides,
    load_context,
    reason_text,
)
from contest.judging.solver import (
    EntryRef,
    InfeasibleAssignment,
    JudgeRef,
    Pair,
    assign_judges,
    in_conflict,
    least_loaded_eligible_judge,
)
from contest.models import (
    Assignment,
    CriterionScore,
    Entry,
    Judge,
    Round,
    RoundEntry,
    ScoreSheet,
    User,
    table_of,
    utcnow,
)
from contest.setup import judges
from contest.setup.rounds import first_round, is_closed

SHOWN_IN_MESSAGE = 10
# Ids per DELETE statement: under SQLite's default limit of 32,766 bound parameters.
DELETE_CHUNK = 30000


def round_entry_ids(db: Session, round_: Round) -> Select[int]:
    """The ids of the entries taking part in a round (withdrawn ones excluded).

    The first round's entries are the contest's entries; later rounds list theirs in
    round_entries (written when advancement is confirmed).
    """
    first = first_round(db, round_.contest_id)
    live = col(Entry.withdrawn_at).is_(None)
    if first is not None and first.id == round_.id:
        withdrawn_here = exists().where(
            col(RoundEntry.round_id) == round_.id,
            col(RoundEntry.entry_id) == Entry.id,
            col(RoundEntry.status) == EntryStatus.withdrawn,
        )
        return select(col(Entry.id)).where(
            col(Entry.contest_id) == round_.contest_id, live, ~withdrawn_here
        )
    return (
        select(col(Entry.id))
        .join(RoundEntry, col(RoundEntry.entry_id) == Entry.id)
        .where(
            col(RoundEntry.round_id) == round_.id,
            col(RoundEntry.status) != EntryStatus.withdrawn,
            live,
        )
    )


def lock_round(db: Session, round_: Round) -> None:
    """Serialise changes to a round's assignments (PostgreSQL; SQLite writers already are)."""
    db.execute(select(col(Round.id)).where(col(Round.id) == round_.id).with_for_update())


@dataclass(frozen=True)
class _Existing:
    id: int
    judge_id: int
    entry_id: int
    source: str
    sheet_state: str | None

    @property
    def kept(self) -> bool:
        return self.source != "auto" or self.sheet_state is not None


@dataclass(frozen=True)
class AutoAssignResult:
    assignments: int
    added: int
    kept: int
    replaced: int
    seed: int
    min_load: int
    max_load: int


def _panel_and_entries(
    db: Session, round_: Round
) -> tuple[ConflictContext, list[JudgeRef], list[EntryRef]]:
    """The panel and the round's entries with their conflict keys (contest/judging/detection.py)."""
    context = load_context(db, round_.contest_id)
    sides = entry_sides(db, round_entry_ids(db, round_))
    return context, context.judge_refs(), [context.entry_ref(side) for side in sides]


def _existing(db: Session, round_id: int) -> list[_Existing]:
    rows = db.execute(
        select(
            col(Assignment.id),
            col(Assignment.judge_id),
            col(Assignment.entry_id),
            col(Assignment.source),
            col(ScoreSheet.state),
        )
        .outerjoin(ScoreSheet, _sheet_of_assignment())
        .where(col(Assignment.round_id) == round_id)
    ).all()
    return [_Existing(*row) for row in rows]


def _sheet_of_assignment() -> ColumnElement[bool]:
    return and_(
        col(ScoreSheet.round_id) == Assignment.round_id,
        col(ScoreSheet.judge_id) == Assignment.judge_id,
        col(ScoreSheet.entry_id) == Assignment.entry_id,
    )


def _titles(db: Session, entry_ids: Sequence[int]) -> dict[int, str]:
    rows = db.execute(
        select(col(Entry.id), col(Entry.title)).where(col(Entry.id).in_(entry_ids))
    ).all()
    return dict(rows)


def _infeasible(db: Session, exc: InfeasibleAssignment) -> StateConflict:
    """A 409 that names the entries lacking eligible judges, and how many each has."""
    lacking = sorted(exc.lacking.items(), key=lambda item: (item[1], item[0]))
    titles = _titles(db, [entry_id for entry_id, _n in lacking[:SHOWN_IN_MESSAGE]])
    shown = "; ".join(
        _("%(title)s (no. %(id)s): %(eligible)s eligible")
        % {"title": titles.get(entry_id, ""), "id": entry_id, "eligible": n}
        for entry_id, n in lacking[:SHOWN_IN_MESSAGE]
    )
    more = len(lacking) - SHOWN_IN_MESSAGE
    if more > 0:
        shown += "; " + _("and %(count)s more") % {"count": more}
    message = _(
        "Not enough eligible judges: %(count)s entries have fewer than %(k)s judges free of "
        "conflicts (%(entries)s). Add judges from other institutions or lower the judges "
        "per entry. Nothing was changed."
    ) % {"count": len(lacking), "k": exc.judges_per_entry, "entries": shown}
    details = [{"entry_id": e, "eligible": n} for e, n in lacking]
    return StateConflict(message, lacking=details)


@dataclass
class _Split:
    """Existing assignments sorted for the solver."""

    fixed: list[_Existing]
    movable: list[_Existing]
    blocked: list[_Existing]  # kept, now in conflict, with a sheet: the run is refused
    dropped: list[_Existing]  # kept, now in conflict, without a sheet: deleted


def _split(
    existing: list[_Existing], entries: list[EntryRef], panel: list[JudgeRef], rebalance: bool
) -> _Split:
    by_entry = {e.id: e for e in entries}
    by_judge = {j.id: j for j in panel}
    split = _Split([], [], [], [])
    for item in existing:
        entry, judge = by_entry.get(item.entry_id), by_judge.get(item.judge_id)
        if entry is None or judge is None:
            continue  # an entry no longer in the round: kept ones stay, others go
        conflicted = in_conflict(judge, entry)
        if not item.kept:
            if rebalance and not conflicted:
                split.movable.append(item)
        elif not conflicted:
            split.fixed.append(item)
        elif item.sheet_state is not None:
            split.blocked.append(item)
        else:
            split.dropped.append(item)
    return split


def _refuse_blocked(db: Session, blocked: list[_Existing]) -> None:
    if not blocked:
        return
    titles = _titles(db, [b.entry_id for b in blocked[:SHOWN_IN_MESSAGE]])
    pairs = "; ".join(
        _("judge no. %(judge)s on %(title)s") % {"judge": b.judge_id, "title": titles[b.entry_id]}
        for b in blocked[:SHOWN_IN_MESSAGE]
    )
    raise StateConflict(
        _(
            "Some judges have started a sheet for an entry they are now in conflict with "
            "(%(pairs)s). Remove those assignments first. Nothing was changed."
        )
        % {"pairs": pairs},
        conflicted=[{"judge_id": b.judge_id, "entry_id": b.entry_id} for b in blocked],
    )


def _pairs_of(items: list[_Existing]) -> list[Pair]:
    return [Pair(judge_id=i.judge_id, entry_id=i.entry_id) for i in items]


def auto_assign(
    db: Session,
    *,
    actor: User,
    round_: Round,
    seed: int | None,
    rebalance: bool = False,
    held_before: bool = False,
) -> AutoAssignResult:
    """Give every entry of the round judges_per_entry conflict-free judges, loads even.

    Keeps what the module docstring says and replaces the other automatic assignments, in
    one transaction; with `rebalance`, those stay where they are unless balance needs them
    moved. Infeasible -> StateConflict naming the entries, and nothing changes. A closed
    round is refused, as a manual assignment is (no new judge could score it), unless
    ``held_before``: the demo loads rounds held in 2023, already closed.
    """
    lock_round(db, round_)
    if is_closed(round_) and not held_before:
        raise StateConflict(_("This round is closed: no judge can be assigned to it any more."))
    seed = random.SystemRandom().randrange(2**31) if seed is None else seed
    _context, panel, entries = _panel_and_entries(db, round_)
    existing = _existing(db, round_.id)
    split = _split(existing, entries, panel, rebalance)
    _refuse_blocked(db, split.blocked)
    try:
        plan = assign_judges(
            entries=entries,
            judges=panel,
            judges_per_entry=round_.judges_per_entry,
            fixed=_pairs_of(split.fixed),
            movable=_pairs_of(split.movable),
            seed=seed,
        )
    except InfeasibleAssignment as exc:
        raise _infeasible(db, exc) from None
    staying = set(_pairs_of(split.movable)) - set(plan.removed_pairs())
    wanted = staying | set(plan.added_pairs())
    replaced, added = _write_plan(db, round_.id, existing, split.dropped, wanted)
    loads = list(plan.loads.values()) or [0]
    result = AutoAssignResult(
        assignments=len(existing) - replaced + added,
        added=added,
        kept=len(existing) - replaced,
        replaced=replaced,
        seed=seed,
        min_load=min(loads),
        max_load=max(loads),
    )
    audit.record(
        db,
        actor=actor,
        action="assignment.auto",
        obj=round_,
        after={
            **result.__dict__,
            "rebalance": rebalance,
            "entries": len(entries),
            "judges": len(panel),
        },
    )
    return result


def _write_plan(
    db: Session,
    round_id: int,
    existing: list[_Existing],
    dropped: list[_Existing],
    planned: set[Pair],
) -> tuple[int, int]:
    """Apply the plan as a difference: replaceable assignments the plan repeats stay as
    they are, the others go, and only new pairs are inserted; (removed, added)."""
    wanted = {(p.judge_id, p.entry_id) for p in planned}
    replaceable = [e for e in existing if not e.kept]
    have = {(e.judge_id, e.entry_id) for e in replaceable}
    gone = [e.id for e in replaceable if (e.judge_id, e.entry_id) not in wanted]
    removed = _delete_unstarted(db, gone + [d.id for d in dropped])
    added = _insert_pairs(db, round_id, [Pair(j, e) for j, e in wanted - have])
    return removed, added


def _is_postgres(db: Session) -> bool:
    return db.get_bind().dialect.name == "postgresql"


def _delete_unstarted(db: Session, ids: list[int]) -> int:
    """Delete these assignments, skipping any whose sheet appeared meanwhile."""
    has_sheet = exists().where(_sheet_of_assignment())
    if _is_postgres(db):
        # One array parameter instead of hundreds of thousands of scalar ones.
        listed = col(Assignment.id) == any_(bindparam("ids", ids, type_=ARRAY(Integer)))
        return changed_rows(db, delete(Assignment).where(listed, ~has_sheet))
    removed = 0
    for start in range(0, len(ids), DELETE_CHUNK):
        chunk = ids[start : start + DELETE_CHUNK]
        removed += changed_rows(
            db, delete(Assignment).where(col(Assignment.id).in_(chunk), ~has_sheet)
        )
    return removed


def _insert_pairs(db: Session, round_id: int, pairs: list[Pair], source: str = "auto") -> int:
    """The whole plan in one go: COPY on PostgreSQL, one executemany on SQLite.

    Rows go in judge order, the order of the unique (round, judge, entry) index, so the
    database appends to it rather than jumping around.
    """
    if not pairs:
        return 0
    now = utcnow()
    rows = [
        (round_id, j, e, source, now) for j, e in sorted((p.judge_id, p.entry_id) for p in pairs)
    ]
    if _is_postgres(db):
        driver = db.connection().connection.driver_connection
        assert driver is not None  # a checked-out connection has its driver's connection
        copy_sql = "COPY assignments (round_id, judge_id, entry_id, source, created_at) FROM STDIN"
        with driver.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
        return len(rows)
    columns = ("round_id", "judge_id", "entry_id", "source", "created_at")
    db.execute(insert(table_of(Assignment)), [dict(zip(columns, row, strict=True)) for row in rows])
    return len(rows)


def round_assignments(db: Session, round_: Round) -> Sequence[Assignment]:
    return db.scalars(
        select(Assignment)
        .where(col(Assignment.round_id) == round_.id)
        .order_by(col(Assignment.entry_id), col(Assignment.judge_id))
    ).all()


def _panel_judge(db: Session, round_: Round, judge_id: int) -> Judge:
    judge = db.get(Judge, judge_id)
    if judge is None or judge.contest_id != round_.contest_id:
        raise InvalidInput.single("judge_id", _("No such judge on this contest's panel."))
    return judge


def _round_entry(db: Session, round_: Round, entry_id: int) -> Entry:
    entry = db.scalars(
        select(Entry).where(
            col(Entry.id) == entry_id, col(Entry.id).in_(round_entry_ids(db, round_))
        )
    ).first()
    if entry is None:
        raise InvalidInput.single("entry_id", _("No such entry in this round."))
    return entry


def conflict_between(db: Session, judge: Judge, entry: Entry) -> str | None:
    """Why this judge may not score this entry (contest/judging/conflicts.py), or None."""
    found = load_context(db, judge.contest_id).reason(judge.id, entry_side(entry))
    return reason_text(found) if found is not None else None


def add_assignment(
    db: Session, *, actor: User, round_: Round, judge_id: int, entry_id: int
) -> Assignment:
    """Assign one judge by hand; refused for a conflict or an existing assignment (409),
    and in a closed round (its sheets are final: a new judge could never score)."""
    judge = _panel_judge(db, round_, judge_id)
    entry = _round_entry(db, round_, entry_id)
    lock_round(db, round_)
    if is_closed(round_):
        raise StateConflict(_("This round is closed: no judge can be assigned to it any more."))
    if not judge.active:
        raise StateConflict(_("This judge is deactivated and gets no new assignments."))
    reason = conflict_between(db, judge, entry)
    if reason is not None:
        message = _("This judge is in conflict with this entry and cannot be assigned to it.")
        raise StateConflict(f"{message} {reason}", reason=reason)
    if _assignment(db, round_.id, judge_id, entry_id) is not None:
        raise StateConflict(_("This judge is already assigned to this entry."))
    item = Assignment(round_id=round_.id, judge_id=judge_id, entry_id=entry_id, source="manual")
    db.add(item)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="assignment.add",
        obj=item,
        contest_id=round_.contest_id,
        after={"round_id": round_.id, "judge_id": judge_id, "entry_id": entry_id},
    )
    return item


def _assignment(db: Session, round_id: int, judge_id: int, entry_id: int) -> Assignment | None:
    return db.scalars(
        select(Assignment).where(*assignment_of(judge_id, entry_id, round_id))
    ).first()


def _sheet(db: Session, round_id: int, judge_id: int, entry_id: int) -> ScoreSheet | None:
    return db.scalars(
        select(ScoreSheet)
        .where(
            col(ScoreSheet.round_id) == round_id,
            col(ScoreSheet.judge_id) == judge_id,
            col(ScoreSheet.entry_id) == entry_id,
        )
        .with_for_update()
    ).first()


def _discard_draft(db: Session, sheet: ScoreSheet | None) -> dict[str, object] | None:
    """Delete a draft sheet; its values are returned for the audit record."""
    if sheet is None:
        return None
    if sheet.state == SheetState.submitted:
        raise StateConflict(
            _(
                "This judge has submitted a sheet for this entry; reopen the sheet first if "
                "the assignment must go."
            )
        )
    values = db.execute(
        select(col(CriterionScore.criterion_id), col(CriterionScore.value_tenths)).where(
            col(CriterionScore.sheet_id) == sheet.id
        )
    ).all()
    draft = {
        "sheet_id": sheet.id,
        "comment": sheet.comment,
        "scores_tenths": {str(c): v for c, v in values},
    }
    db.execute(delete(CriterionScore).where(col(CriterionScore.sheet_id) == sheet.id))
    db.delete(sheet)
    return draft


def remove_assignment(
    db: Session, *, actor: User, round_: Round, judge_id: int, entry_id: int, reason: str = ""
) -> None:
    """Remove one assignment (and its draft); refused when its sheet is submitted."""
    lock_round(db, round_)
    item = _assignment(db, round_.id, judge_id, entry_id)
    if item is None:
        raise NotFound()
    draft = _discard_draft(db, _sheet(db, round_.id, judge_id, entry_id))
    audit.record(
        db,
        actor=actor,
        action="assignment.remove",
        obj=item,
        contest_id=round_.contest_id,
        before={
            **audit.snapshot(item, ["round_id", "judge_id", "entry_id", "source"]),
            "draft": draft,
        },
        reason=reason,
    )
    db.delete(item)
    db.flush()


def loads(db: Session, round_id: int) -> dict[int, int]:
    rows = db.execute(
        select(col(Assignment.judge_id), func.count())
        .where(col(Assignment.round_id) == round_id)
        .group_by(col(Assignment.judge_id))
    ).all()
    return {judge_id: int(count) for judge_id, count in rows}


def _replacement(db: Session, round_: Round, entry: Entry) -> int | None:
    """The least-loaded eligible judge not yet on the entry, or None."""
    on_entry = set(
        db.scalars(
            select(col(Assignment.judge_id)).where(
                col(Assignment.round_id) == round_.id, col(Assignment.entry_id) == entry.id
            )
        )
    )
    if len(on_entry) >= round_.judges_per_entry:
        return None
    context = load_context(db, round_.contest_id)
    return least_loaded_eligible_judge(
        entry=context.entry_ref(entry_side(entry)),
        judges=context.judge_refs(),
        on_entry=on_entry,
        loads=loads(db, round_.id),
        seed=entry.id,
    )


@dataclass(frozen=True)
class Recusal:
    replacement_judge_id: int | None
    # True when the entry needed a judge and none was free: the progress page says so.
    short: bool


RECUSAL_REASON_MAX = 1000


def recusal_reason(reason: str) -> str:
    """The reason a judge gives for stepping back: required, at most 1,000 characters."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput.single("reason", _("Say briefly why you cannot judge this entry."))
    if len(reason) > RECUSAL_REASON_MAX:
        message = _("Keep the reason under %(max)s characters.") % {"max": RECUSAL_REASON_MAX}
        raise InvalidInput.single("reason", message)
    return reason


def recuse(
    db: Session, *, user: User, judge: Judge, round_: Round, entry: Entry, reason: str
) -> Recusal:
    """A judge steps back from an entry: conflict declared, assignment (and draft) removed,
    the entry reassigned to the least-loaded eligible judge if one is free."""
    reason = recusal_reason(reason)
    if is_closed(round_):
        raise StateConflict(_("Scoring for this round has closed."))
    lock_round(db, round_)
    item = _assignment(db, round_.id, judge.id, entry.id)
    if item is None:
        raise NotFound()
    judges.declare_conflict(db, actor=user, judge=judge, entry_id=entry.id, reason=reason)
    replacement = _hand_over(db, user, round_, entry, item, "assignment.recuse", reason)
    short = replacement is None and _entry_judge_count(db, round_, entry) < round_.judges_per_entry
    return Recusal(replacement_judge_id=replacement, short=short)


def _entry_judge_count(db: Session, round_: Round, entry: Entry) -> int:
    return int(
        db.scalar(
            select(func.count()).where(
                col(Assignment.round_id) == round_.id, col(Assignment.entry_id) == entry.id
            )
        )
        or 0
    )


@dataclass(frozen=True)
class Released:
    """An assignment a new declaration took away, and who took the entry over."""

    round_id: int
    entry_id: int
    replacement_judge_id: int | None


def _unsubmitted_of(db: Session, judge: Judge) -> list[tuple[Round, Entry]]:
    """The judge's assignments whose sheet is not submitted, in rounds not yet closed."""
    submitted = exists().where(
        _sheet_of_assignment(), col(ScoreSheet.state) == SheetState.submitted
    )
    rows = db.execute(
        select(Round, Entry)
        .join(Assignment, col(Assignment.round_id) == Round.id)
        .join(Entry, col(Entry.id) == Assignment.entry_id)
        .where(col(Assignment.judge_id) == judge.id, ~submitted)
        .order_by(col(Round.position), col(Entry.id))
    ).all()
    return [(round_, entry) for round_, entry in rows if not is_closed(round_)]


def release_conflicted(db: Session, *, actor: User, judge: Judge, reason: str) -> list[Released]:
    """After a declaration: every unsubmitted assignment now in conflict goes to another
    judge, as a recusal does (draft discarded and audited). Submitted sheets stay: the
    organiser sees them on the conflicts page and decides."""
    return _release(db, actor=actor, judge=judge, reason=reason, conflicted_only=True)


def release_all(db: Session, *, actor: User, judge: Judge, reason: str) -> list[Released]:
    """A judge leaves (deactivated or removed): every unsubmitted assignment in a round
    not yet closed goes to another eligible judge, drafts discarded and audited.
    The judge must already be inactive, or they could be handed their entries back."""
    return _release(db, actor=actor, judge=judge, reason=reason, conflicted_only=False)


def _release(
    db: Session, *, actor: User, judge: Judge, reason: str, conflicted_only: bool
) -> list[Released]:
    context = load_context(db, judge.contest_id)
    released = []
    for round_, entry in _unsubmitted_of(db, judge):
        if conflicted_only and context.reason(judge.id, entry_side(entry)) is None:
            continue
        lock_round(db, round_)
        item = _assignment(db, round_.id, judge.id, entry.id)
        if item is None:
            continue
        replacement = _hand_over(db, actor, round_, entry, item, "assignment.release", reason)
        released.append(Released(round_.id, entry.id, replacement))
    return released


def _hand_over(  # noqa: PLR0913 (one audited step, each argument named)
    db: Session,
    actor: User,
    round_: Round,
    entry: Entry,
    item: Assignment,
    action: str,
    reason: str,
) -> int | None:
    """Take an entry from its judge (draft discarded) and give it to the judge the solver
    picks next, if any: the step a recusal and a released judge share, audited."""
    draft = _discard_draft(db, _sheet(db, round_.id, item.judge_id, entry.id))
    before = {
        **audit.snapshot(item, ["round_id", "judge_id", "entry_id", "source"]),
        "draft": draft,
    }
    db.delete(item)
    db.flush()
    replacement = _replacement(db, round_, entry)
    if replacement is not None:
        _insert_pairs(db, round_.id, [Pair(replacement, entry.id)], source="recusal")
    audit.record(
        db,
        actor=actor,
        action=action,
        object_type="assignments",
        object_id=item.id,
        contest_id=round_.contest_id,
        before=before,
        after={"replacement_judge_id": replacement},
        reason=reason,
    )
    return replacement
