"""Score sheets: a judge's seat in a round, saving and submitting, reading, reopening.

`save_sheet` is the hot path (hundreds of saves a second at a national contest) and is
reused by the live final: one query for the rubric, an upsert of the sheet row that
locks it, then its criterion scores replaced. Saves of one sheet are serialised by that
row lock (PostgreSQL) or by the writer lock (SQLite, BEGIN IMMEDIATE), so two tabs
racing end with the last complete save, and a submit never carries a draft's values.
Draft saves are the judge's working copy and are not audited; submitting and reopening
are.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache

from sqlalchemy import Connection, Insert, Integer, bindparam, delete, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from contest.core import audit
from contest.core.enums import SheetState
from contest.core.errors import FieldError, InvalidInput, NotFound, StateConflict
from contest.core.i18n import _
from contest.core.validation import ascii_int
from contest.judging.access import TARGET
from contest.models import (
    Criterion,
    CriterionScore,
    Entry,
    Judge,
    Round,
    ScoreSheet,
    User,
    table_of,
    utcnow,
)
from contest.publications import service as publications
from contest.setup.rounds import ScoringWindow, is_closed, is_open, lock_round_for_save
from scoring import points_text

TODO = "todo"
COMMENT_MAX = 5000


@dataclass(frozen=True, slots=True)
class SheetTarget:
    """Where a sheet is saved: the ids, and the round's contest and scoring window, and
    its rubric (criterion id -> maximum in tenths) when loaded with it.

    Plain values, not ORM objects: the API's save path loads it with one Core query
    (`sheet_target`), several times cheaper than loading a Round, a Judge and an Entry,
    and a query for the rubric besides."""

    round_id: int
    contest_id: int
    judge_id: int
    entry_id: int
    opens_at: datetime | None
    closes_at: datetime | None
    limits: dict[int, int] | None = None
    # Read under the round's lock (see `sheet_target`): the window and rubric are the ones
    # the save must obey. Otherwise `save_sheet` takes the lock and reads them again.
    locked: bool = False

    @classmethod
    def of(cls, round_: Round, judge: Judge, entry: Entry) -> "SheetTarget":
        return cls(
            round_.id,
            round_.contest_id,
            judge.id,
            entry.id,
            round_.opens_at,
            round_.closes_at,
        )


# TARGET's joins and conditions, one row per criterion of the round (one row of NULLs
# for an empty rubric).
SHEET_TARGET = (
    TARGET.with_only_columns(
        col(Round.id),
        col(Round.contest_id),
        col(Judge.id),
        col(Entry.id),
        col(Round.opens_at),
        col(Round.closes_at),
        col(Criterion.id),
        col(Criterion.max_tenths),
    )
    .outerjoin(Criterion, col(Criterion.round_id) == Round.id)
    .order_by(col(Criterion.position))
)


def sheet_target(db: Session, user_id: int, round_id: int, entry_id: int) -> SheetTarget:
    """`scoring_target` as plain values, with the rubric; 404 unless the entry is
    assigned to the caller. The round's lock is taken first, so what is read here is
    what the save obeys: no rubric change or close can come between."""
    lock_round_for_save(db, round_id)
    rows = (
        db.connection()
        .execute(SHEET_TARGET, {"round_id": round_id, "user_id": user_id, "entry_id": entry_id})
        .all()
    )
    if not rows:
        raise NotFound()
    limits = {row[6]: row[7] for row in rows if row[6] is not None}
    return SheetTarget(*rows[0][:6], limits=limits, locked=True)


WINDOW = select(col(Round.opens_at), col(Round.closes_at)).where(
    col(Round.id) == bindparam("round_id")
)


def _under_lock(db: Session, target: SheetTarget) -> SheetTarget:
    """The target with its window and rubric read under the round's lock (PostgreSQL: a
    round loaded earlier in the request may have been closed or its rubric replaced
    since; on SQLite the request's transaction has held the database all along)."""
    if target.locked or db.connection().dialect.name != "postgresql":
        return target
    lock_round_for_save(db, target.round_id)
    window = db.connection().execute(WINDOW, {"round_id": target.round_id}).one()
    return replace(
        target,
        opens_at=window[0],
        closes_at=window[1],
        limits=rubric_limits(db, target.round_id),
        locked=True,
    )


def check_open(round_: ScoringWindow, now: datetime | None = None) -> None:
    if is_open(round_, now):
        return
    if is_closed(round_, now):
        raise StateConflict(_("Scoring for this round has closed."))
    raise StateConflict(_("Scoring for this round has not opened yet."))


RUBRIC = (
    select(col(Criterion.id), col(Criterion.max_tenths))
    .where(col(Criterion.round_id) == bindparam("round_id"))
    .order_by(col(Criterion.position))
)


def rubric_limits(db: Session, round_id: int) -> dict[int, int]:
    """criterion id -> maximum in tenths, in rubric order."""
    return dict(db.connection().execute(RUBRIC, {"round_id": round_id}).all())


def _tenths(value: object, max_tenths: int) -> int | str:
    """The value in tenths, or the reason it is not acceptable."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return _("Enter a number.")
    try:
        # Through str(): 27.5 stays 27.5 and 27.55 is seen as 27.55, not a binary fraction.
        number = Decimal(str(value))
    except InvalidOperation:
        return _("Enter a number.")
    if not number.is_finite():
        return _("Enter a number.")
    limit = Decimal(max_tenths) / 10
    if number < 0 or number > limit:
        return _("Enter a score from 0 to %(max)s.") % {"max": points_text(max_tenths)}
    tenths = number * 10
    if tenths != tenths.to_integral_value():
        return _("Use at most one decimal place (steps of 0.1).")
    return int(tenths)


def clean_scores(limits: Mapping[int, int], scores: Mapping[str, object]) -> dict[int, int]:
    """criterion id -> tenths, or InvalidInput naming each bad `scores.<id>`."""
    cleaned: dict[int, int] = {}
    errors: list[FieldError] = []
    for key, value in scores.items():
        criterion_id = ascii_int(str(key), 9)
        if criterion_id is None or criterion_id not in limits:
            errors.append(FieldError(("scores", str(key)), _("Unknown criterion."), "unknown"))
            continue
        tenths = _tenths(value, limits[criterion_id])
        if isinstance(tenths, str):
            errors.append(FieldError(("scores", str(key)), tenths, "score"))
        else:
            cleaned[criterion_id] = tenths
    if errors:
        raise InvalidInput(errors)
    return cleaned


def check_complete(limits: Mapping[int, int], cleaned: Mapping[int, int]) -> None:
    missing = [c for c in limits if c not in cleaned]
    if missing:
        raise InvalidInput(
            FieldError(("scores", str(c)), _("Score this criterion before submitting."), "missing")
            for c in missing
        )


@dataclass(frozen=True)
class SheetView:
    """A sheet as the judge and the API see it; state "todo" when nothing is saved yet."""

    state: str
    scores_tenths: dict[int, int] = field(default_factory=dict)
    comment: str = ""  # feedback to the team (published with the round's feedback)
    revision: int = 0
    updated_at: datetime | None = None
    submitted_at: datetime | None = None
    committee_note: str = ""  # to the committee only, never shown to teams

    @property
    def total_tenths(self) -> int:
        return sum(self.scores_tenths.values())

    @property
    def locked(self) -> bool:
        return self.state == SheetState.submitted


SHEETS = table_of(ScoreSheet)
SCORES = table_of(CriterionScore)
SHEET_KEY = ["round_id", "judge_id", "entry_id"]


@cache
def _upsert_sheet(dialect_name: str, *, keep_comment: bool, keep_note: bool = True) -> Insert:
    """Create the sheet or update it unless submitted, returning (id, revision, comment,
    committee note); a text sent as None keeps the stored one.

    One statement, built once: the row is created or locked (PostgreSQL: a racing save of
    the same sheet waits for this transaction), and a submitted sheet returns nothing.
    A new row is the only one with revision 1.
    """
    dialect_insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    statement = dialect_insert(SHEETS).values(
        round_id=bindparam("round_id"),
        judge_id=bindparam("judge_id"),
        entry_id=bindparam("entry_id"),
        state=bindparam("state"),
        comment=bindparam("comment"),
        committee_note=bindparam("committee_note"),
        total_tenths=bindparam("total_tenths"),
        revision=1,
        created_at=bindparam("now"),
        updated_at=bindparam("now"),
        submitted_at=bindparam("submitted_at"),
    )
    changes = {
        "state": statement.excluded.state,
        "total_tenths": statement.excluded.total_tenths,
        "revision": SHEETS.c.revision + 1,
        "updated_at": statement.excluded.updated_at,
        "submitted_at": statement.excluded.submitted_at,
    }
    if not keep_comment:
        changes["comment"] = statement.excluded.comment
    if not keep_note:
        changes["committee_note"] = statement.excluded.committee_note
    return statement.on_conflict_do_update(
        index_elements=SHEET_KEY,
        set_=changes,
        where=SHEETS.c.state != SheetState.submitted.value,
    ).returning(SHEETS.c.id, SHEETS.c.revision, SHEETS.c.comment, SHEETS.c.committee_note)


CLEAR_SCORES = delete(SCORES).where(SCORES.c.sheet_id == bindparam("sheet_id"))
ADD_SCORES = insert(SCORES)
# PostgreSQL: a sheet's values replaced in one round trip instead of two. It runs after
# the upsert has locked the sheet row, in a statement of its own: its snapshot then
# includes whatever a racing save of the same sheet committed before it.
REPLACE_SCORES_PG = text(
    "WITH gone AS (DELETE FROM criterion_scores WHERE sheet_id = :sheet_id"
    " AND criterion_id <> ALL(:criterion_ids))"
    " INSERT INTO criterion_scores (sheet_id, criterion_id, value_tenths)"
    " SELECT :sheet_id, v.criterion_id, v.value_tenths"
    " FROM unnest(:criterion_ids, :values) AS v(criterion_id, value_tenths)"
    " ON CONFLICT (sheet_id, criterion_id) DO UPDATE SET value_tenths = EXCLUDED.value_tenths"
).bindparams(
    bindparam("criterion_ids", type_=postgresql.ARRAY(Integer)),
    bindparam("values", type_=postgresql.ARRAY(Integer)),
)


def _replace_scores(
    connection: Connection, sheet_id: int, cleaned: Mapping[int, int], *, new_sheet: bool
) -> None:
    """The sheet's criterion values become exactly `cleaned`."""
    if not new_sheet and connection.dialect.name == "postgresql":
        connection.execute(
            REPLACE_SCORES_PG,
            {
                "sheet_id": sheet_id,
                "criterion_ids": list(cleaned),
                "values": list(cleaned.values()),
            },
        )
        return
    if not new_sheet:
        connection.execute(CLEAR_SCORES, {"sheet_id": sheet_id})
    if cleaned:
        connection.execute(
            ADD_SCORES,
            [
                {"sheet_id": sheet_id, "criterion_id": c, "value_tenths": v}
                for c, v in cleaned.items()
            ],
        )


def _check_length(field_name: str, text: str | None) -> None:
    if text is not None and len(text) > COMMENT_MAX:
        raise InvalidInput.single(
            field_name, _("Too long: at most %(max)s characters.") % {"max": COMMENT_MAX}
        )


def save_sheet(
    db: Session,
    target: SheetTarget,
    *,
    scores: Mapping[str, object],
    comment: str | None,
    submit: bool,
    actor: User | None = None,
    committee_note: str | None = None,
) -> SheetView:
    """Save the judge's sheet for an entry (a draft may be partial) or submit it (complete).

    `scores` replaces the sheet's values entirely; `comment` (feedback to the team) and
    `committee_note` None keep the stored ones.
    The caller has checked the assignment (see `sheet_target`). Raises StateConflict if
    the round is not open or the sheet is already submitted, InvalidInput for bad values.
    """
    target = _under_lock(db, target)
    # One instant for the check and the stamp: a save accepted before `closes_at` never
    # carries a later time (and a close waits for it, see setup.rounds.ROUND_LOCK).
    now = utcnow()
    check_open(target, now)
    limits = target.limits if target.limits is not None else rubric_limits(db, target.round_id)
    cleaned = clean_scores(limits, scores)
    _check_length("comment", comment)
    _check_length("committee_note", committee_note)
    if submit:
        check_complete(limits, cleaned)
    state = (SheetState.submitted if submit else SheetState.draft).value
    total = sum(cleaned.values())
    connection = db.connection()
    saved = connection.execute(
        _upsert_sheet(
            connection.dialect.name,
            keep_comment=comment is None,
            keep_note=committee_note is None,
        ),
        {
            "round_id": target.round_id,
            "judge_id": target.judge_id,
            "entry_id": target.entry_id,
            "state": state,
            "comment": comment or "",
            "committee_note": committee_note or "",
            "total_tenths": total,
            "now": now,
            "submitted_at": now if submit else None,
        },
    ).first()
    if saved is None:
        raise StateConflict(_("This sheet has been submitted and is locked."))
    sheet_id, revision, stored_comment, stored_note = saved
    _replace_scores(connection, sheet_id, cleaned, new_sheet=revision == 1)
    view = SheetView(
        state=state,
        scores_tenths=cleaned,
        comment=stored_comment,
        revision=revision,
        updated_at=now,
        submitted_at=now if submit else None,
        committee_note=stored_note,
    )
    if submit:
        audit.record(
            db,
            actor=actor,
            action="sheet.submit",
            object_type="score_sheets",
            object_id=sheet_id,
            contest_id=target.contest_id,
            after={
                "judge_id": target.judge_id,
                "entry_id": target.entry_id,
                "total_tenths": total,
            },
        )
    return view


def read_sheet(db: Session, *, round_id: int, judge_id: int, entry_id: int) -> SheetView:
    """The sheet as stored, or an empty "todo" one."""
    sheet = db.scalars(
        select(ScoreSheet).where(
            col(ScoreSheet.round_id) == round_id,
            col(ScoreSheet.judge_id) == judge_id,
            col(ScoreSheet.entry_id) == entry_id,
        )
    ).first()
    if sheet is None:
        return SheetView(state=TODO)
    values = db.execute(
        select(col(CriterionScore.criterion_id), col(CriterionScore.value_tenths)).where(
            col(CriterionScore.sheet_id) == sheet.id
        )
    ).all()
    return SheetView(
        state=str(sheet.state),
        scores_tenths=dict(values),
        comment=sheet.comment,
        revision=sheet.revision,
        updated_at=sheet.updated_at,
        submitted_at=sheet.submitted_at,
        committee_note=sheet.committee_note,
    )


def reopen_sheet(
    db: Session, *, actor: User, round_: Round, judge_id: int, entry_id: int, reason: str
) -> SheetView:
    """Set a submitted sheet back to draft, values kept; the reason goes to the audit log."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput.single("reason", _("Give a reason for reopening the sheet."))
    publications.refuse_if_frozen(db, round_)
    sheet = db.scalars(
        select(ScoreSheet)
        .join(Judge, col(Judge.id) == ScoreSheet.judge_id)
        .where(
            col(ScoreSheet.round_id) == round_.id,
            col(ScoreSheet.judge_id) == judge_id,
            col(ScoreSheet.entry_id) == entry_id,
            col(Judge.contest_id) == round_.contest_id,
        )
        .with_for_update()
    ).first()
    if sheet is None:
        raise NotFound()
    if sheet.state != SheetState.submitted:
        raise StateConflict(_("This sheet is not submitted; there is nothing to reopen."))
    fields = ["state", "submitted_at", "revision"]
    before = audit.snapshot(sheet, fields)
    sheet.state = SheetState.draft
    sheet.submitted_at = None
    sheet.revision += 1
    sheet.updated_at = utcnow()
    db.flush()
    view = read_sheet(db, round_id=round_.id, judge_id=judge_id, entry_id=entry_id)
    audit.record(
        db,
        actor=actor,
        action="sheet.reopen",
        obj=sheet,
        contest_id=round_.contest_id,
        before={**before, "total_tenths": view.total_tenths},
        after={**audit.snapshot(sheet, fields), "total_tenths": view.total_tenths},
        reason=reason,
    )
    return view


def sheet_totals(db: Session, sheet_ids: Sequence[int]) -> dict[int, int]:
    """sheet id -> total in tenths, in one query."""
    if not sheet_ids:
        return {}
    rows = db.execute(
        select(col(ScoreSheet.id), col(ScoreSheet.total_tenths)).where(
            col(ScoreSheet.id).in_(sheet_ids)
        )
    ).all()
    return {sheet_id: total for sheet_id, total in rows}


