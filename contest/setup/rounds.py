"""Rounds and their rubric: settings of docs/rules.md section 3, opening and closing."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import delete, exists, insert, select
from sqlmodel import Session, col

from contest.core import audit
from contest.core.db import advisory_lock, lock_row
from contest.core.enums import EntryStatus, RoundKind, RoundMode
from contest.core.errors import InvalidInput, StateConflict
from contest.core.i18n import _
from contest.core.validation import excerpts
from contest.models import (
    Advancement,
    Contest,
    Criterion,
    Entry,
    Round,
    RoundEntry,
    ScoreSheet,
    User,
    utcnow,
)
from contest.publications import service as publications
from contest.setup.contests import tracks
from contest.setup.schemas import (
    CriterionIn,
    RoundCreate,
    RoundUpdate,
    default_rubric,
)

SETTINGS_FIELDS = (
    "name",
    "name_en",
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


# The advisory lock space of rounds (core.db.advisory_lock), keyed by the round's id.
# Every score save holds it shared until it commits; whatever changes what a save
# depends on (the rubric, the window: updating, opening, closing) takes it exclusively.
# So a change waits for the saves in flight and the saves after it see it: closing is a
# barrier, and a rubric is never replaced under a save (docs/rules.md, "Races").
ROUND_LOCK = 19


def lock_round_for_save(db: Session, round_id: int) -> None:
    """A save's share of the round's lock; the first thing a save does."""
    advisory_lock(db, ROUND_LOCK, round_id, shared=True)


def lock_round_for_change(db: Session, round_: Round) -> None:
    """Wait for the saves in flight, keep new ones out, and re-read the round (an
    organiser's concurrent change is then seen, not overwritten). Call it first."""
    advisory_lock(db, ROUND_LOCK, round_.id, shared=False)
    lock_row(db, round_)


def is_open(round_: ScoringWindow, now: datetime | None = None) -> bool:
    """Scoring is allowed from opens_at until closes_at (open-ended if no end is set)."""
    now = now or utcnow()
    if round_.opens_at is None or now < round_.opens_at:
        return False
    return round_.closes_at is None or now < round_.closes_at


def is_closed(round_: ScoringWindow, now: datetime | None = None) -> bool:
    """Closed for good: it had a window and the window has ended."""
    return round_.closes_at is not None and (now or utcnow()) >= round_.closes_at


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
                name_en=item.name_en,
                description=item.description,
                max_tenths=int(item.max_score * 10),
                tiebreak_priority=item.tiebreak_priority,
                position=position,
            )
        )
    db.flush()


def add_round(db: Session, *, actor: User, contest: Contest, data: RoundCreate) -> Round:
    lock_row(db, contest)  # two organisers adding rounds at one order: the second gets 422
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
    lock_round_for_change(db, round_)
    before = audit.snapshot(round_)
    changes = data.model_dump(exclude_unset=True)
    renamed = _english_names_only(db, round_, data.criteria)
    if renamed is not None:  # only the criteria's English names: allowed at any time
        changes.pop("criteria")
    _refuse_frozen_changes(db, round_, changes)
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
    if renamed:
        old["criteria_en"] = [c.name_en for c, _name in renamed]
        new["criteria_en"] = [name for _c, name in renamed]
        for criterion, name in renamed:
            criterion.name_en = name
            db.add(criterion)
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


def _english_names_only(
    db: Session, round_: Round, items: list[CriterionIn] | None
) -> list[tuple[Criterion, str]] | None:
    """When a new rubric is the saved one but for criteria's English names: the criteria
    whose English name changes, with their new name (an empty list: no change at all).
    None when the rubric itself changes. English names change nothing judges score, so
    they stay editable after scoring has started and under a publication."""
    if items is None:
        return None
    saved = criteria(db, round_.id)
    if len(saved) != len(items):
        return None
    for criterion, item in zip(saved, items, strict=True):
        if (
            criterion.name != item.name
            or criterion.description != item.description
            or criterion.max_tenths != int(item.max_score * 10)
            or criterion.tiebreak_priority != item.tiebreak_priority
        ):
            return None
    return [
        (criterion, item.name_en)
        for criterion, item in zip(saved, items, strict=True)
        if criterion.name_en != item.name_en
    ]


# Settings that change published scores or let sheets change again: refused while a
# publication stands over the round (withdraw it first, with a reason).
FROZEN_SETTINGS = (
    "aggregation",
    "normalization",
    "carry_over_weight",
    "trim_min_judges",
    "criteria",
    "opens_at",
    "closes_at",
)


def _refuse_frozen_changes(db: Session, round_: Round, changes: dict[str, object]) -> None:
    touched = [
        name
        for name in FROZEN_SETTINGS
        if name in changes and (name == "criteria" or changes[name] != getattr(round_, name))
    ]
    if touched:
        publications.refuse_if_frozen(db, round_)


def advancement_published(db: Session, round_: Round) -> bool:
    found = db.get(Advancement, round_.id)
    return found is not None and found.published_at is not None


def open_round(db: Session, *, actor: User, round_: Round, reason: str = "") -> Round:
    """Open scoring now; an end already past is cleared so the round stays open.

    Refused (409) while a publication stands over the round or once its advancement is
    published; reopening a closed round is audited with the organiser's reason."""
    lock_round_for_change(db, round_)
    publications.refuse_if_frozen(db, round_)
    if advancement_published(db, round_):
        raise StateConflict(
            _("This round's advancement has been published; scoring cannot open again.")
        )
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
        reason=reason.strip(),
    )
    db.flush()
    return round_


def close_round(db: Session, *, actor: User, round_: Round) -> Round:
    """End scoring now. A barrier: the saves in flight commit first, and `now` is read
    after them, so no acknowledged save carries a later time than `closes_at`."""
    lock_round_for_change(db, round_)
    before = audit.snapshot(round_, ["opens_at", "closes_at"])
    now = utcnow()
    if round_.opens_at is None or round_.opens_at >= now:
        # Closed before it opened: an empty window still ends after it starts (the table's
        # check), which a start equal to the end broke with a 500.
        round_.opens_at = now - timedelta(seconds=1)
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
