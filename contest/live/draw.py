"""Presentation order by lot (docs/rules.md section 4, flow 6): drawn, recorded, re-shown.

A draw shuffles the round's entries (status ``in``, sorted by id) with
``random.Random(seed)``: anyone holding the seed and the list can redo it. Each draw
is a row of its own (redraws add rows, never replace), and the order is copied to
``RoundEntry.presentation_order`` (1, 2, ...). A redraw needs a reason and is refused
once the live final has left ``waiting``.
"""

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import Session, col

from contest.core import audit
from contest.core.enums import EntryStatus, LivePhase, RoundMode
from contest.core.errors import InvalidInput, StateConflict
from contest.core.i18n import _
from contest.models import Draw, Entry, LiveState, Round, RoundEntry, User

# Seeds drawn for the organiser stay short enough to read out on stage.
DRAWN_SEED_LIMIT = 1_000_000


@dataclass(frozen=True)
class DrawRecord:
    """One drawing of lots with the name of who drew it."""

    id: int
    order: list[int]
    seed: int
    drawn_at: datetime
    drawn_by_id: int | None
    drawn_by: str
    reason: str


def lock_round(db: Session, round_: Round) -> None:
    """Draws and live transitions of one round take turns (PostgreSQL; SQLite writers do)."""
    db.execute(select(col(Round.id)).where(col(Round.id) == round_.id).with_for_update())


def entries_in(db: Session, round_id: int) -> list[int]:
    """Ids of the round's entries still in it (not withdrawn, eliminated or advanced)."""
    return list(
        db.scalars(
            select(col(RoundEntry.entry_id))
            .join(Entry, col(Entry.id) == RoundEntry.entry_id)
            .where(
                col(RoundEntry.round_id) == round_id,
                col(RoundEntry.status) == EntryStatus.in_.value,
                col(Entry.withdrawn_at).is_(None),
            )
            .order_by(col(RoundEntry.entry_id))
        )
    )


def shuffled(entry_ids: Sequence[int], seed: int) -> list[int]:
    """The order a seed gives: the ids sorted, then shuffled by random.Random(seed)."""
    order = sorted(entry_ids)
    random.Random(seed).shuffle(order)
    return order


def history(db: Session, round_id: int) -> list[DrawRecord]:
    """Every draw of the round, the current (latest) first."""
    rows = db.execute(
        select(Draw, col(User.name))
        .outerjoin(User, col(User.id) == Draw.drawn_by_id)
        .where(col(Draw.round_id) == round_id)
        .order_by(col(Draw.drawn_at).desc(), col(Draw.id).desc())
    ).all()
    return [
        DrawRecord(
            id=item.id,
            order=list(item.order),
            seed=item.seed,
            drawn_at=item.drawn_at,
            drawn_by_id=item.drawn_by_id,
            drawn_by=name or "",
            reason=item.reason,
        )
        for item, name in rows
    ]


def current(db: Session, round_id: int) -> DrawRecord | None:
    found = history(db, round_id)
    return found[0] if found else None


def _live_started(db: Session, round_id: int) -> bool:
    phase = db.scalar(select(col(LiveState.phase)).where(col(LiveState.round_id) == round_id))
    return phase is not None and phase != LivePhase.waiting


def draw_order(
    db: Session, *, actor: User, round_: Round, seed: int | None = None, reason: str = ""
) -> DrawRecord:
    """Draw the presentation order (a new seed unless one is given) and record it."""
    if round_.mode != RoundMode.roadshow:
        raise StateConflict(_("Only a roadshow round has a presentation order."))
    lock_round(db, round_)
    reason = reason.strip()
    previous = current(db, round_.id)
    if previous is not None:
        if _live_started(db, round_.id):
            raise StateConflict(_("The live final has started; the order can no longer change."))
        if not reason:
            raise InvalidInput.single(
                "reason", _("This round has been drawn already: give a reason for the redraw.")
            )
    entry_ids = entries_in(db, round_.id)
    if not entry_ids:
        raise StateConflict(_("This round has no entries to draw yet."))
    seed = seed if seed is not None else secrets.randbelow(DRAWN_SEED_LIMIT)
    order = shuffled(entry_ids, seed)
    item = Draw(round_id=round_.id, seed=seed, order=order, drawn_by_id=actor.id, reason=reason)
    db.add(item)
    _write_positions(db, round_.id, order)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="round.redraw" if previous else "round.draw",
        obj=item,
        contest_id=round_.contest_id,
        before={"seed": previous.seed, "order": previous.order} if previous else None,
        after={"seed": seed, "order": order},
        reason=reason,
    )
    return DrawRecord(item.id, order, seed, item.drawn_at, actor.id, actor.name, reason)


def _write_positions(db: Session, round_id: int, order: list[int]) -> None:
    # Cleared first: (round, position) is unique, and a swap would collide half-way.
    db.execute(
        update(RoundEntry)
        .where(col(RoundEntry.round_id) == round_id)
        .values(presentation_order=None)
    )
    for position, entry_id in enumerate(order, start=1):
        db.execute(
            update(RoundEntry)
            .where(col(RoundEntry.round_id) == round_id, col(RoundEntry.entry_id) == entry_id)
            .values(presentation_order=position)
        )
