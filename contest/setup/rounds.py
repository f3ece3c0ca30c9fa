"""Rounds and their rubric: settings of docs/rules.md section 3, opening and closing."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import delete, exists, insert, select
from sqlmodel import Session, col

from contest.core import audit
from contest.core.enums import EntryStatus, RoundKind, RoundMode
from contest.core.errors import InvalidInput, StateConflict
from contest.core.i18n import _
from contest.core.validation import excerpts
from contest.models import Contest, Criterion, Entry, Round, RoundEntry, ScoreSheet, User, utcnow
from contest.setup.contests import tracks
from contest.setup.schemas import (
    CriterionIn,
    RoundCreate,
    RoundUpdate,
    default_rubric,
)

SETTINGS_FIELDS = (
    "name",
    "mode",
    "opens_at",
    "closes_at",
    "judges_per_entry",
    "aggregation",
    "trim_min_judges",
    "normalization",
    "carry_over_weight",
    "blind",
    "advance_count",
    "pitch_seconds",
    "qa_seconds",
)


class ScoringWindow(Protocol):
    """A round's scoring window: a Round, or the plain values of the save path."""

    @property
    def opens_at(self) -> datetime | None: ...

    @property
    def closes_at(self) -> datetime | None: ...


def is_open(round_: ScoringWindow) -> bool:
    """Scoring is allowed from opens_at until closes_at (open-ended if no end is set)."""
    now = utcnow()
    if round_.opens_at is None or now < round_.opens_at:
        return False
    return round_.closes_at is None or now < round_.closes_at


def is_closed(round_: ScoringWindow) -> bool:
    """Closed for good: it had a window and the window has ended."""
    return round_.closes_at is not None and utcnow() >= round_.closes_at


def rounds(db: Session, contest_id: int) -> Sequence[Round]:
    return db.scalars(
        select(Round).where(col(Round.contest_id) == contest_id).order_by(col(Round.position))
    ).all()


def criteria(db: Session, round_id: int) -> Sequence[Criterion]:
    return db.scalars(
        select(Criterion)
        .where(col(Criterion.round_id) == round_id)
        .order_by(col(Criterion.position))
    ).all()


def first_round(db: Session, contest_id: int) -> Round | None:
    return db.scalars(
        select(Round)
        .where(col(Round.contest_id) == contest_id)
        .order_by(col(Round.position))
        .limit(1)
    ).first()


def next_round(db: Session, round_: Round) -> Round | None:
    return db.scalars(
        select(Round)
        .where(col(Round.contest_id) == round_.contest_id, col(Round.position) > round_.position)
        .order_by(col(Round.position))
        .limit(1)
    ).first()


def previous_round(db: Session, round_: Round) -> Round | None:
    return db.scalars(
        select(Round)
        .where(col(Round.contest_id) == round_.contest_id, col(Round.position) < round_.position)
        .order_by(col(Round.position).desc())
        .limit(1)
    ).first()


def _check_advance_codes(db: Session, contest_id: int, advance_count: dict[str, int]) -> None:
    known = {track.code for track in tracks(db, contest_id)}
    unknown = sorted(set(advance_count) - known)
    if unknown:
        raise InvalidInput.single(
            "advance_count",
            _("Unknown track code: %(codes)s.") % {"codes": excerpts(unknown)},
        )


def _set_criteria(db: Session, round_: Round, items: list[CriterionIn]) -> None:
    db.execute(delete(Criterion).where(col(Criterion.round_id) == round_.id))
    db.flush()
    for position, item in enumerate(items):
        db.add(
            Criterion(
                round_id=round_.id,
                name=item.name,
                description=item.description,
                max_tenths=int(item.max_score * 10),
                tiebreak_priority=item.tiebreak_priority,
                position=position,
            )
        )
    db.flush()


def add_round(db: Session, *, actor: User, contest: Contest, data: RoundCreate) -> Round:
    if db.scalar(
        select(
            exists().where(col(Round.contest_id) == contest.id, col(Round.position) == data.order)
        )
    ):
        raise InvalidInput.single("order", _("Another round already has this order."))
    _check_advance_codes(db, contest.id, data.advance_count)
    values = data.model_dump(exclude={"criteria", "order"})
    if values["mode"] is None:
        values["mode"] = (
            RoundMode.roadshow if data.kind == RoundKind.final else RoundMode.online_review
        )
    round_ = Round(contest_id=contest.id, position=data.order, **values)
    db.add(round_)
    db.flush()
    _set_criteria(db, round_, data.criteria or default_rubric())
    enrol_existing_entries(db, round_)
    audit.record(db, actor=actor, action="round.create", obj=round_, after=audit.snapshot(round_))
    return round_


def has_sheets(db: Session, round_id: int) -> bool:
    return bool(db.scalar(select(exists().where(col(ScoreSheet.round_id) == round_id))))


def update_round(
    db: Session, *, actor: User, round_: Round, data: RoundUpdate, reason: str = ""
) -> Round:
    """Change settings (audited). The rubric is frozen once any judge has started scoring."""
    before = audit.snapshot(round_)
    changes = data.model_dump(exclude_unset=True)
    rubric = changes.pop("criteria", None)
    if "advance_count" in changes and changes["advance_count"] is not None:
        _check_advance_codes(db, round_.contest_id, changes["advance_count"])
    for name, value in changes.items():
        if value is None and name not in ("opens_at", "closes_at"):
            continue
        setattr(round_, name, value)
    if round_.opens_at and round_.closes_at and round_.closes_at <= round_.opens_at:
        raise InvalidInput.single("closes_at", _("The end must come after the start."))
    if rubric is not None:
        if has_sheets(db, round_.id):
            raise StateConflict(_("Judges have started scoring; the rubric can no longer change."))
        _set_criteria(db, round_, data.criteria or [])
        before["criteria"] = "replaced"
    old, new = audit.changes(before, audit.snapshot(round_))
    if new or rubric is not None:
        audit.record(
            db,
            actor=actor,
            action="round.update",
            obj=round_,
            before=old,
            after={**new, **({"criteria": len(rubric)} if rubric else {})},
            reason=reason,
        )
    db.flush()
    return round_


def open_round(db: Session, *, actor: User, round_: Round) -> Round:
    """Open scoring now; an end already past is cleared so the round stays open."""
    before = audit.snapshot(round_, ["opens_at", "closes_at"])
    now = utcnow()
    round_.opens_at = now
    if round_.closes_at is not None and round_.closes_at <= now:
        round_.closes_at = None
    audit.record(
        db,
        actor=actor,
        action="round.open",
        obj=round_,
        before=before,
        after=audit.snapshot(round_, ["opens_at", "closes_at"]),
    )
    db.flush()
    return round_


def close_round(db: Session, *, actor: User, round_: Round) -> Round:
    before = audit.snapshot(round_, ["opens_at", "closes_at"])
    now = utcnow()
    if round_.opens_at is None or round_.opens_at > now:
        round_.opens_at = now
    round_.closes_at = now
    audit.record(
        db,
        actor=actor,
        action="round.close",
        obj=round_,
        before=before,
        after=audit.snapshot(round_, ["opens_at", "closes_at"]),
    )
    db.flush()
    return round_


def enrol_existing_entries(db: Session, round_: Round) -> None:
    """The first round holds every entry: those entered before it existed join it now."""
    first = first_round(db, round_.contest_id)
    if first is None or first.id != round_.id:
        return
    enrolled = select(col(RoundEntry.entry_id)).where(col(RoundEntry.round_id) == round_.id)
    entry_ids = db.scalars(
        select(col(Entry.id)).where(
            col(Entry.contest_id) == round_.contest_id,
            col(Entry.withdrawn_at).is_(None),
            col(Entry.id).not_in(enrolled),
        )
    ).all()
    if entry_ids:
        db.execute(
            insert(RoundEntry),
            [{"round_id": round_.id, "entry_id": i, "status": EntryStatus.in_} for i in entry_ids],
        )
