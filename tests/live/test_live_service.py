"""The live final's services below the API: anonymous seats, the leaderboard of revealed
entries, and the steps the state allows."""

from sqlalchemy import update
from sqlmodel import Session

from contest.awards import public_results
from contest.live import service as live
from contest.live import view as live_view
from contest.models import RoundEntry, utcnow
from tests.live_setup import arrange_final, score


def reveal(db: Session, round_id: int, *entry_ids: int) -> None:
    for entry_id in entry_ids:
        db.execute(
            update(RoundEntry)
            .where(RoundEntry.round_id == round_id, RoundEntry.entry_id == entry_id)
            .values(revealed_at=utcnow())
        )
    db.commit()


def test_seats_number_every_judge_of_the_round_and_stay_put(db: Session, world):  # type: ignore[no-untyped-def]
    final = arrange_final(db, world, judges=5)

    first = public_results.seats(db, final.round.id)
    again = public_results.seats(db, final.round.id)

    assert first == again
    assert sorted(first) == sorted(j.id for j in final.judges)
    assert sorted(first.values()) == [1, 2, 3, 4, 5]


def test_the_board_ranks_revealed_entries_among_themselves_with_ties(db: Session, world):  # type: ignore[no-untyped-def]
    final = arrange_final(db, world, entries=4)
    a, b, c, d = final.entries  # a and c are startup, b and d creative
    score(db, final, a, shift=10)
    score(db, final, c, shift=10)
    score(db, final, b)
    score(db, final, d, shift=50)
    reveal(db, final.round.id, a.id, c.id, b.id)

    board = public_results.live_board(db, final.round, [a.id, c.id, b.id])

    startup, creative = board.tracks
    assert [(line.entry_id, line.rank, line.tie) for line in startup.lines] in (
        [(a.id, 1, True), (c.id, 1, True)],
        [(c.id, 1, True), (a.id, 1, True)],
    )
    # d scored higher but is not revealed: b is first among the revealed.
    assert [(line.entry_id, line.rank) for line in creative.lines] == [(b.id, 1)]
    assert [r.entry_id for r in board.revealed] == [a.id, c.id, b.id]


def test_the_allowed_steps_follow_the_phase(db: Session, world):  # type: ignore[no-untyped-def]
    final = arrange_final(db, world)
    view = live_view.live_view(db, final.round)
    assert view.actions == []  # nothing drawn yet

    state = live.state_of(db, final.round.id)
    for phase, qa, expected in (
        ("pitching", False, ["qa", "score", "reveal"]),
        ("pitching", True, ["score", "reveal"]),
        ("scoring", False, ["reveal"]),
        ("revealed", False, ["next", "finish"]),
        ("finished", False, []),
    ):
        state.phase = phase
        state.qa_started_at = utcnow() if qa else None
        shown = live_view.LiveView(
            final.round, world.contest, state, view.order, 0, 0, view.board, None, utcnow()
        )
        assert shown.actions == expected, phase
