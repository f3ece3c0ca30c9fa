"""The live roadshow final: a state machine kept in the database (contest/live/README.md).

    waiting --start--> pitching --qa--> pitching (Q&A) --score--> scoring
    pitching/scoring --reveal--> revealed --next--> pitching ... revealed --finish--> finished

``start`` takes the first entry of the drawn order (or ``entry_id``) and opens the
round for scoring; ``next`` the first entry not yet revealed (or ``entry_id``: a team
running late is skipped and comes up again later); ``reveal`` needs every judge
assigned to the entry to have submitted, unless the organiser gives
``override_reason``: the judges who have not are then taken off that entry (their
drafts kept in the audit log), so what was shown is exactly what counts. ``finish``
comes after a reveal, needs an override reason while entries have not pitched, and
closes scoring. Every transition locks the round, bumps ``revision`` and is audited;
nothing lives in process memory, so any worker process answers any poll alike.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import and_, func, select, update
from sqlmodel import Session, col

from contest.core import audit
from contest.core.enums import ContestStatus, LivePhase, RoundMode, SheetState
from contest.core.errors import InvalidInput, StateConflict
from contest.core.i18n import _
from contest.judging import assignment
from contest.live import draw
from contest.models import (
    Assignment,
    Contest,
    Judge,
    LiveState,
    Round,
    RoundEntry,
    ScoreSheet,
    User,
    utcnow,
)
from contest.setup import rounds

AUDITED_FIELDS = ["phase", "current_entry_id", "pitch_started_at", "qa_started_at", "revision"]


class Action(StrEnum):
    start = "start"
    qa = "qa"
    score = "score"
    reveal = "reveal"
    next = "next"
    finish = "finish"


CHOOSING = frozenset({Action.start, Action.next})
OVERRIDABLE = frozenset({Action.reveal, Action.finish})


@dataclass(frozen=True)
class Command:
    """An organiser's step; ``revision``, when given, must be the state's current one."""

    action: Action
    entry_id: int | None = None
    override_reason: str = ""
    revision: int | None = None


@dataclass(frozen=True)
class PanelLine:
    """A judge assigned to the current entry and where their sheet stands."""

    judge_id: int
    name: str
    state: str  # todo | draft | submitted


def state_of(db: Session, round_id: int) -> LiveState:
    """The stored state, or a fresh ``waiting`` one (not added) before anything happened."""
    found = db.get(LiveState, round_id)
    return found if found is not None else LiveState(round_id=round_id, revision=0)


def panel(db: Session, round_id: int, entry_id: int) -> list[PanelLine]:
    """The judges assigned to an entry, with their sheet's state, by name."""
    sheet = and_(
        col(ScoreSheet.round_id) == Assignment.round_id,
        col(ScoreSheet.judge_id) == Assignment.judge_id,
        col(ScoreSheet.entry_id) == Assignment.entry_id,
    )
    rows = db.execute(
        select(col(Assignment.judge_id), col(User.name), col(ScoreSheet.state))
        .join(Judge, col(Judge.id) == Assignment.judge_id)
        .join(User, col(User.id) == Judge.user_id)
        .outerjoin(ScoreSheet, sheet)
        .where(col(Assignment.round_id) == round_id, col(Assignment.entry_id) == entry_id)
        .order_by(col(User.name), col(Assignment.judge_id))
    ).all()
    return [PanelLine(judge_id, name, str(state or "todo")) for judge_id, name, state in rows]


def revealed_ids(db: Session, round_id: int) -> list[int]:
    """Entries whose score has been revealed, in the order they were."""
    return list(
        db.scalars(
            select(col(RoundEntry.entry_id))
            .where(col(RoundEntry.round_id) == round_id, col(RoundEntry.revealed_at).is_not(None))
            .order_by(col(RoundEntry.revealed_at), col(RoundEntry.presentation_order))
        )
    )


def remaining(db: Session, round_id: int) -> list[int]:
    """Entries of the drawn order still in the round and not yet revealed, in order."""
    drawn = draw.current(db, round_id)
    if drawn is None:
        return []
    inside = set(draw.entries_in(db, round_id))
    done = set(revealed_ids(db, round_id))
    return [e for e in drawn.order if e in inside and e not in done]


def apply(db: Session, *, actor: User, round_: Round, command: Command) -> LiveState:
    """Carry out one step of the live final, or refuse it (409/422) changing nothing."""
    if round_.mode != RoundMode.roadshow:
        raise StateConflict(_("Only a roadshow round is run live."))
    _check_arguments(command)
    draw.lock_round(db, round_)
    state = _locked_state(db, round_.id)
    if command.revision is not None and command.revision != state.revision:
        raise StateConflict(
            _("The live final moved on meanwhile; look at the current state and try again."),
            revision=state.revision,
        )
    if state.phase == LivePhase.finished:
        raise StateConflict(_("The live final has finished; nothing more can happen."))
    if command.action == Action.start:
        _require_open_contest(db, round_)
    before = audit.snapshot(state, AUDITED_FIELDS)
    STEPS[command.action](db, actor, round_, state, command)
    state.revision += 1
    state.phase_changed_at = utcnow()
    db.add(state)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action=f"live.{command.action.value}",
        object_type="live_states",
        object_id=round_.id,
        contest_id=round_.contest_id,
        before=before,
        after=audit.snapshot(state, AUDITED_FIELDS),
        reason=command.override_reason.strip(),
    )
    return state


def _require_open_contest(db: Session, round_: Round) -> None:
    """The big screen of a draft contest answers 404: the final cannot start unseen."""
    contest = db.get(Contest, round_.contest_id)
    if contest is not None and contest.status == ContestStatus.draft:
        raise StateConflict(
            _("This contest is still a draft: open the contest before starting the live final.")
        )


def _check_arguments(command: Command) -> None:
    if command.entry_id is not None and command.action not in CHOOSING:
        raise InvalidInput.single("entry_id", _("Only start and next can choose the project."))
    if command.override_reason.strip() and command.action not in OVERRIDABLE:
        raise InvalidInput.single(
            "override_reason", _("Only reveal and finish take an override reason.")
        )


def _locked_state(db: Session, round_id: int) -> LiveState:
    """The stored state, locked; or a new one, added only once a step succeeds, so that a
    refused step writes nothing (the round row is locked: nobody else creates it)."""
    found = db.scalars(
        select(LiveState).where(col(LiveState.round_id) == round_id).with_for_update()
    ).first()
    return found if found is not None else LiveState(round_id=round_id, revision=0)


def _not_started() -> StateConflict:
    return StateConflict(_("Start the live final first."))


def _choose(entry_id: int | None, candidates: list[int]) -> int:
    if entry_id is None:
        return candidates[0]
    if entry_id not in candidates:
        raise InvalidInput.single(
            "entry_id", _("This project is not waiting to pitch in this round.")
        )
    return entry_id


def _pitch(state: LiveState, entry_id: int) -> None:
    state.phase = LivePhase.pitching
    state.current_entry_id = entry_id
    state.pitch_started_at = utcnow()
    state.qa_started_at = None


def _start(db: Session, actor: User, round_: Round, state: LiveState, command: Command) -> None:
    if state.phase != LivePhase.waiting:
        raise StateConflict(_("The live final has already started."))
    drawn = draw.current(db, round_.id)
    if drawn is None:
        raise StateConflict(_("Draw the presentation order first."))
    if set(drawn.order) != set(draw.entries_in(db, round_.id)):
        raise StateConflict(
            _("The round's projects have changed since the draw: draw the order again.")
        )
    entry_id = _choose(command.entry_id, drawn.order)
    if not rounds.is_open(round_):
        rounds.open_round(db, actor=actor, round_=round_)
    _pitch(state, entry_id)


def _qa(db: Session, actor: User, round_: Round, state: LiveState, command: Command) -> None:
    if state.phase == LivePhase.waiting:
        raise _not_started()
    if state.phase != LivePhase.pitching:
        raise StateConflict(_("Questions follow a pitch; no project is pitching now."))
    if state.qa_started_at is not None:
        raise StateConflict(_("The questions have already started."))
    state.qa_started_at = utcnow()


def _score(db: Session, actor: User, round_: Round, state: LiveState, command: Command) -> None:
    if state.phase == LivePhase.waiting:
        raise _not_started()
    if state.phase != LivePhase.pitching:
        raise StateConflict(_("Scoring follows a pitch; no project is pitching now."))
    state.phase = LivePhase.scoring


def _reveal(db: Session, actor: User, round_: Round, state: LiveState, command: Command) -> None:
    if state.phase == LivePhase.waiting:
        raise _not_started()
    if state.phase == LivePhase.revealed:
        raise StateConflict(_("This project's score is already revealed."))
    entry_id = state.current_entry_id
    assert entry_id is not None
    lines = panel(db, round_.id, entry_id)
    missing = [line for line in lines if line.state != SheetState.submitted]
    if len(missing) == len(lines):
        raise StateConflict(_("No judge has submitted a score for this project yet."))
    reason = command.override_reason.strip()
    if missing and not reason:
        raise StateConflict(
            _(
                "%(missing)s of %(expected)s judges have not submitted yet. Wait for them, "
                "or reveal without them by giving a reason."
            )
            % {"missing": len(missing), "expected": len(lines)},
            missing=[{"judge_id": line.judge_id, "name": line.name} for line in missing],
        )
    for line in missing:
        assignment.remove_assignment(
            db,
            actor=actor,
            round_=round_,
            judge_id=line.judge_id,
            entry_id=entry_id,
            reason=_("Revealed without this judge's score: %(reason)s") % {"reason": reason},
        )
    db.execute(
        update(RoundEntry)
        .where(col(RoundEntry.round_id) == round_.id, col(RoundEntry.entry_id) == entry_id)
        .values(revealed_at=utcnow())
    )
    state.phase = LivePhase.revealed


def _next(db: Session, actor: User, round_: Round, state: LiveState, command: Command) -> None:
    if state.phase == LivePhase.waiting:
        raise _not_started()
    if state.phase != LivePhase.revealed:
        raise StateConflict(_("Reveal the current project's score before moving on."))
    left = remaining(db, round_.id)
    if not left:
        raise StateConflict(_("Every project has been revealed: finish the final."))
    _pitch(state, _choose(command.entry_id, left))


def _finish(db: Session, actor: User, round_: Round, state: LiveState, command: Command) -> None:
    if state.phase == LivePhase.waiting:
        raise _not_started()
    if state.phase != LivePhase.revealed:
        raise StateConflict(_("Reveal the current project's score before finishing."))
    left = remaining(db, round_.id)
    if left and not command.override_reason.strip():
        raise StateConflict(
            _("%(count)s projects have not pitched yet. Finish anyway only with a reason.")
            % {"count": len(left)},
            entry_ids=left,
        )
    if not rounds.is_closed(round_):
        rounds.close_round(db, actor=actor, round_=round_)
    state.phase = LivePhase.finished
    state.current_entry_id = None


Step = Callable[[Session, User, Round, LiveState, Command], None]
STEPS: dict[Action, Step] = {
    Action.start: _start,
    Action.qa: _qa,
    Action.score: _score,
    Action.reveal: _reveal,
    Action.next: _next,
    Action.finish: _finish,
}


def submitted_count(db: Session, round_id: int, entry_id: int) -> tuple[int, int]:
    """(submitted, expected) sheets of an entry's assigned judges."""
    sheet = and_(
        col(ScoreSheet.round_id) == Assignment.round_id,
        col(ScoreSheet.judge_id) == Assignment.judge_id,
        col(ScoreSheet.entry_id) == Assignment.entry_id,
        col(ScoreSheet.state) == SheetState.submitted.value,
    )
    row = db.execute(
        select(func.count(col(Assignment.id)), func.count(col(ScoreSheet.id)))
        .outerjoin(ScoreSheet, sheet)
        .where(col(Assignment.round_id) == round_id, col(Assignment.entry_id) == entry_id)
    ).one()
    return int(row[1]), int(row[0])
