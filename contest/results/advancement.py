"""Advancement (docs/rules.md 3.8): preview the top N per track, confirm, publish.

The preview is scoring's: the top N scored entries of each track, or, when a tie
crosses the N-th place, only the entries ranked above it with the tied group beside
(the organiser chooses; nothing is cut silently). Confirming sets every entry of the
round to ``advanced`` or ``eliminated`` (withdrawn ones stay withdrawn) and enrols the
advanced ones in the next round. A list that differs from the preview, or that settles
a boundary tie either way, needs a reason. Until the list is published, confirming
again replaces the decision; teams see their status once it is published.
"""

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    any_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, aliased
from sqlmodel import Session, col

from contest.core import audit
from contest.core.enums import EntryStatus
from contest.core.errors import InvalidInput, StateConflict
from contest.core.i18n import _
from contest.core.validation import excerpts
from contest.models import (
    Advancement,
    Assignment,
    Contest,
    Round,
    RoundEntry,
    ScoreSheet,
    User,
    utcnow,
)
from contest.publications import service as publications
from contest.results import notify
from contest.results import service as results
from contest.results.publication import advancement_snapshot
from contest.setup import rounds
from scoring import AdvancementPreview, Ranking, preview_advancement

# Up to this many ids go into an ordinary IN list; beyond, one array parameter.
_IN_LIST_LIMIT = 500


@dataclass(frozen=True, slots=True)
class TrackPreview:
    """One track's default selection (scoring's ``AdvancementPreview``) and ranking."""

    code: str
    name: str
    preview: AdvancementPreview
    lines: tuple[results.ResultLine, ...]

    @property
    def count(self) -> int:
        return self.preview.count

    @property
    def entry_ids(self) -> tuple[int, ...]:
        return self.preview.entry_ids

    @property
    def boundary_tie(self) -> bool:
        return self.preview.boundary_tie

    @property
    def tied_entry_ids(self) -> tuple[int, ...]:
        return self.preview.tied_entry_ids

    @property
    def places_left(self) -> int:
        return self.preview.places_left


@dataclass(frozen=True, slots=True)
class Decision:
    """The confirmed outcome of a round, as stored."""

    confirmed_at: datetime
    confirmed_by_id: int | None
    confirmed_by: str
    reason: str
    published_at: datetime | None
    advanced_ids: frozenset[int]


@dataclass(frozen=True)
class Overview:
    """Everything about a round's advancement: preview per track, the decision so far,
    and why confirming is not possible now (None when it is)."""

    round: Round
    next_round: Round | None
    tracks: tuple[TrackPreview, ...]
    results: results.RoundResults
    decision: Decision | None
    blocked: str | None

    @property
    def default_ids(self) -> frozenset[int]:
        return frozenset(i for track in self.tracks for i in track.entry_ids)

    @property
    def has_boundary_tie(self) -> bool:
        return any(track.boundary_tie for track in self.tracks)

    @property
    def entry_ids(self) -> frozenset[int]:
        """Every entry of the round (the ones a decision may name)."""
        return frozenset(line.entry_id for track in self.tracks for line in track.lines)


@dataclass(frozen=True, slots=True)
class Confirmed:
    """What a confirmation did: statuses set in the round, places added to and removed
    from the next round."""

    advanced: int
    eliminated: int
    enrolled: int
    unenrolled: int


def overview(db: Session, round_: Round, *, counts: Mapping[str, int] | None = None) -> Overview:
    """The preview with N per track from ``counts``, else the round's ``advance_count``
    (a track it leaves out advances nobody)."""
    outcome = results.round_results(db, round_)
    wanted = resolve_counts(round_, outcome.track_codes, counts)
    tracks = tuple(
        TrackPreview(
            track.code,
            track.name,
            preview_advancement(_ranking(outcome.lines(track.code)), wanted[track.code]),
            outcome.lines(track.code),
        )
        for track in outcome.tracks
    )
    next_round = rounds.next_round(db, round_)
    found = decision(db, round_)
    blocked = why_not_confirmable(round_, next_round, found)
    return Overview(round_, next_round, tracks, outcome, found, blocked)


def resolve_counts(
    round_: Round, codes: Iterable[str], counts: Mapping[str, int] | None
) -> dict[str, int]:
    """N per track code: ``counts`` where given, else the round's setting, else 0."""
    given = dict(counts or {})
    unknown = sorted(set(given) - set(codes))
    if unknown:
        message = _("Unknown track code: %(codes)s.") % {"codes": excerpts(unknown)}
        raise InvalidInput.single("counts", message)
    if any(not isinstance(n, int) or n < 0 for n in given.values()):
        raise InvalidInput.single("counts", _("Each number must be a whole number, 0 or more."))
    return {code: given.get(code, round_.advance_count.get(code, 0)) for code in codes}


def decision(db: Session, round_: Round) -> Decision | None:
    """The round's confirmed decision with who confirmed it, or None."""
    row = db.execute(
        select(Advancement, col(User.name))
        .outerjoin(User, col(User.id) == Advancement.confirmed_by_id)
        .where(col(Advancement.round_id) == round_.id)
    ).first()
    if row is None:
        return None
    item, name = row
    advanced = db.scalars(
        select(col(RoundEntry.entry_id)).where(
            col(RoundEntry.round_id) == round_.id,
            col(RoundEntry.status) == EntryStatus.advanced.value,
        )
    )
    return Decision(
        item.confirmed_at,
        item.confirmed_by_id,
        name or "",
        item.reason,
        item.published_at,
        frozenset(advanced),
    )


def why_not_confirmable(
    round_: Round, next_round: Round | None, found: Decision | None
) -> str | None:
    """The reason, for people, why the decision cannot be confirmed now; None if it can."""
    if next_round is None:
        return _("This is the last round: its results lead to the awards, not to another round.")
    if found is not None and found.published_at is not None:
        return _("The list has been published; it can no longer change.")
    if rounds.is_open(round_):
        return _("Scoring is still open. Close the round before confirming advancement.")
    if not rounds.is_closed(round_):
        return _("The round has not been held yet: advancement follows its scoring.")
    return None


def confirm_advancement(
    db: Session,
    *,
    actor: User,
    round_: Round,
    entry_ids: Collection[int],
    reason: str = "",
    counts: Mapping[str, int] | None = None,
) -> Confirmed:
    """Advance exactly ``entry_ids`` (every other entry of the round is eliminated) and
    enrol them in the next round. Checks everything before writing anything, so a
    refused request leaves the database as it was."""
    _lock(db, round_)
    view = overview(db, round_, counts=counts)
    return _confirm(db, actor, view, frozenset(entry_ids), reason)


@dataclass(frozen=True)
class Choice:
    """An organiser's choice on the advancement page, where only part of a long ranking
    is shown: rows ``shown`` start from ``base`` (the decision if there is one and
    ``from_decision``, else the preview); ``checked`` are the shown rows ticked; ``add``
    and ``remove`` name entries by number."""

    counts: Mapping[str, int] | None
    from_decision: bool
    shown: frozenset[int]
    checked: frozenset[int]
    add: frozenset[int] = frozenset()
    remove: frozenset[int] = frozenset()
    reason: str = ""


def confirm_choice(db: Session, *, actor: User, round_: Round, choice: Choice) -> Confirmed:
    """``confirm_advancement`` of what the page's form describes."""
    _lock(db, round_)
    view = overview(db, round_, counts=choice.counts)
    chosen = initial_selection(view, from_decision=choice.from_decision) - choice.shown
    chosen = ((chosen | choice.checked) | choice.add) - choice.remove
    return _confirm(db, actor, view, chosen, choice.reason)


def initial_selection(view: Overview, *, from_decision: bool) -> frozenset[int]:
    """What the page ticks before the organiser changes anything."""
    if from_decision and view.decision is not None:
        return view.decision.advanced_ids
    return view.default_ids


def _confirm(
    db: Session, actor: User, view: Overview, chosen: frozenset[int], reason: str
) -> Confirmed:
    round_ = view.round
    # A standing publication of this round (or a later one, or of the awards) names
    # itself: the organiser must withdraw it, with a reason, to change the list.
    publications.refuse_if_frozen(db, round_)
    if view.blocked is not None:
        raise StateConflict(view.blocked)
    reason = reason.strip()
    _check_entries(view, chosen)
    differs = chosen != view.default_ids
    if (differs or view.has_boundary_tie) and not reason:
        raise InvalidInput.single("reason", _reason_needed(differs))
    assert view.next_round is not None
    placed = _places(db, view.next_round)
    stale = _stale_places(db, view, placed, chosen)
    previous = view.decision
    _write_statuses(db, round_, view.next_round, chosen, stale)
    _record(db, round_, actor, reason)
    enrolled = len(chosen - placed.keys())
    confirmed = Confirmed(len(chosen), len(view.entry_ids) - len(chosen), enrolled, len(stale))
    audit.record(
        db,
        actor=actor,
        action="advancement.confirm",
        object_type="rounds",
        object_id=round_.id,
        contest_id=round_.contest_id,
        before=_decision_summary(previous),
        after=_confirm_summary(view, chosen, differs, confirmed),
        reason=reason,
    )
    db.flush()
    return confirmed


def publish_advancement(
    db: Session, *, actor: User, round_: Round, feedback: bool = False
) -> Advancement:
    """Let teams see their status in the round; with ``feedback``, the judges' comments
    too (unless they already can)."""
    _lock(db, round_)
    item = db.get(Advancement, round_.id)
    if item is None:
        raise StateConflict(_("Confirm the advancement before publishing it."))
    if item.published_at is not None:
        publications.refuse_if_standing(db, round_.contest_id, _subject(round_))
        raise StateConflict(_("The list has already been published."))
    item.published_at = utcnow()
    db.add(item)
    db.flush()
    contest = db.get(Contest, round_.contest_id)
    assert contest is not None
    publications.record(
        db,
        actor=actor,
        contest=contest,
        kind=publications.ADVANCEMENT,
        round_id=round_.id,
        snapshot=advancement_snapshot(db, round_),
    )
    audit.record(
        db,
        actor=actor,
        action="advancement.publish",
        object_type="rounds",
        object_id=round_.id,
        contest_id=round_.contest_id,
        after={"published_at": item.published_at},
    )
    if feedback and round_.feedback_published_at is None:
        publish_feedback(db, actor=actor, round_=round_)
    db.flush()
    notify.advancement_published(db, round_)
    return item


def unpublish_advancement(db: Session, *, round_: Round) -> None:
    """Take the list back from teams (its publication was withdrawn): the decision may be
    confirmed again, then published as the next version."""
    item = db.get(Advancement, round_.id)
    if item is not None and item.published_at is not None:
        item.published_at = None
        db.add(item)
        db.flush()


def _subject(round_: Round) -> str:
    return publications.subject_of(publications.ADVANCEMENT, round_.id)


def publish_feedback(db: Session, *, actor: User, round_: Round) -> Round:
    """Show each team the comments judges wrote on its submitted sheets (unsigned)."""
    if not rounds.is_closed(round_):
        raise StateConflict(_("Judges' comments can be published once the round has closed."))
    if round_.feedback_published_at is not None:
        raise StateConflict(_("The judges' comments have already been published."))
    round_.feedback_published_at = utcnow()
    db.add(round_)
    audit.record(
        db,
        actor=actor,
        action="round.publish_feedback",
        obj=round_,
        after={"feedback_published_at": round_.feedback_published_at},
    )
    db.flush()
    return round_


def among(db: Session, column: Mapped[int], ids: Collection[int]) -> ColumnElement[bool]:
    """``column IN ids`` with ONE bound parameter however many ids there are: an IN list
    of 35,000 placeholders would break PostgreSQL's limit of 65,535 parameters."""
    if len(ids) <= _IN_LIST_LIMIT:
        return column.in_(sorted(ids))
    if db.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, sorted(ids), type_=ARRAY(Integer)))
    # SQLite: the ids as one JSON text, unpacked by json_each.
    unpacked: Select[Any] = select(literal_column("value")).select_from(
        func.json_each(json.dumps(sorted(ids)))
    )
    return column.in_(unpacked)


def _ranking(lines: tuple[results.ResultLine, ...]) -> Ranking:
    return Ranking(None, tuple(line.ranked for line in lines))


def _lock(db: Session, round_: Round) -> None:
    """Two organisers confirming at once take turns (PostgreSQL; SQLite writers already do)."""
    db.execute(select(col(Round.id)).where(col(Round.id) == round_.id).with_for_update())


def _check_entries(view: Overview, chosen: frozenset[int]) -> None:
    unknown = sorted(chosen - view.entry_ids)
    if unknown:
        listed = ", ".join(map(str, unknown[:20])) + (" …" if len(unknown) > 20 else "")
        raise InvalidInput.single(
            "entry_ids", _("Not entries of this round: %(ids)s.") % {"ids": listed}
        )


def _reason_needed(differs: bool) -> str:
    if differs:
        return _("The list differs from the preview: give a reason (it goes to the audit log).")
    return _("A tie at the boundary was settled: give a reason (it goes to the audit log).")


def _places(db: Session, round_: Round) -> dict[int, str]:
    """entry_id -> status of every entry placed in a round."""
    rows = db.execute(
        select(col(RoundEntry.entry_id), col(RoundEntry.status)).where(
            col(RoundEntry.round_id) == round_.id
        )
    )
    return {entry_id: status for entry_id, status in rows}


def _stale_places(
    db: Session, view: Overview, placed: Mapping[int, str], chosen: frozenset[int]
) -> frozenset[int]:
    """Entries of this round placed in the next one by an earlier decision and no longer
    advancing; refused (409) if any of them has a score sheet there already."""
    assert view.next_round is not None
    active = {e for e, status in placed.items() if status != EntryStatus.withdrawn.value}
    stale = (active & view.entry_ids) - chosen
    if not stale:
        return frozenset()
    scored = sorted(
        db.scalars(
            select(col(ScoreSheet.entry_id))
            .where(
                col(ScoreSheet.round_id) == view.next_round.id,
                among(db, col(ScoreSheet.entry_id), stale),
            )
            .distinct()
        )
    )
    if scored:
        raise StateConflict(
            _(
                "Judges of the next round have already started on %(count)s of the entries "
                "this list leaves out: %(ids)s."
            )
            % {"count": len(scored), "ids": ", ".join(map(str, scored[:20]))},
            entry_ids=scored,
        )
    return frozenset(stale)


def _write_statuses(
    db: Session, round_: Round, next_round: Round, chosen: frozenset[int], stale: frozenset[int]
) -> None:
    """Statuses in this round, places in the next for the entries not there yet."""
    in_round = (
        col(RoundEntry.round_id) == round_.id,
        col(RoundEntry.status) != EntryStatus.withdrawn.value,
    )
    db.execute(update(RoundEntry).where(*in_round).values(status=EntryStatus.eliminated.value))
    if chosen:
        db.execute(
            update(RoundEntry)
            .where(*in_round, among(db, col(RoundEntry.entry_id), chosen))
            .values(status=EntryStatus.advanced.value)
        )
    if stale:
        db.execute(
            delete(Assignment).where(
                col(Assignment.round_id) == next_round.id,
                among(db, col(Assignment.entry_id), stale),
            )
        )
        db.execute(
            delete(RoundEntry).where(
                col(RoundEntry.round_id) == next_round.id,
                among(db, col(RoundEntry.entry_id), stale),
            )
        )
    there = aliased(RoundEntry)
    already = exists().where(
        col(there.round_id) == next_round.id, col(there.entry_id) == RoundEntry.entry_id
    )
    db.execute(
        insert(RoundEntry).from_select(
            ["round_id", "entry_id", "status"],
            select(literal(next_round.id), col(RoundEntry.entry_id), literal(EntryStatus.in_.value))
            .where(
                col(RoundEntry.round_id) == round_.id,
                col(RoundEntry.status) == EntryStatus.advanced.value,
                ~already,
            )
            .order_by(col(RoundEntry.entry_id)),
        )
    )


def _record(db: Session, round_: Round, actor: User, reason: str) -> Advancement:
    item = db.get(Advancement, round_.id) or Advancement(round_id=round_.id)
    item.confirmed_at = utcnow()
    item.confirmed_by_id = actor.id
    item.reason = reason
    item.published_at = None
    db.add(item)
    return item


def _decision_summary(found: Decision | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "entry_ids": sorted(found.advanced_ids),
        "confirmed_at": found.confirmed_at,
        "confirmed_by_id": found.confirmed_by_id,
        "reason": found.reason,
    }


def _confirm_summary(
    view: Overview, chosen: frozenset[int], differs: bool, confirmed: Confirmed
) -> dict[str, Any]:
    """What the audit log keeps: the list, the counts, and the preview it differed from."""
    default = view.default_ids
    return {
        "entry_ids": sorted(chosen),
        "advanced": confirmed.advanced,
        "eliminated": confirmed.eliminated,
        "next_round_id": view.next_round.id if view.next_round else None,
        "enrolled": confirmed.enrolled,
        "unenrolled": confirmed.unenrolled,
        "counts": {track.code: track.count for track in view.tracks},
        "per_track": {
            track.code: len(chosen & {line.entry_id for line in track.lines})
            for track in view.tracks
        },
        "differs_from_preview": differs,
        "added": sorted(chosen - default),
        "removed": sorted(default - chosen),
        "preview": {
            track.code: {
                "entry_ids": list(track.entry_ids),
                "boundary_tie": track.boundary_tie,
                "tied_entry_ids": list(track.tied_entry_ids),
                "places_left": track.places_left,
            }
            for track in view.tracks
        },
    }
