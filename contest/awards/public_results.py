"""What the public sees of results: the live final's revealed scores and leaderboard,
and a contest's published finalists and winners.

Judges are never named here. On the big screen each judge is a seat number
(评委1, 评委2, ...) that stays the same for every project of the round, and comes from
a hash of the round and judge, so it says nothing of judge ids or of names.
"""

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, union
from sqlmodel import Session, col

from contest.awards import service as awards
from contest.core.enums import ContestStatus, EntryStatus
from contest.core.errors import NotFound
from contest.models import Advancement, Assignment, Contest, Entry, Round, RoundEntry, ScoreSheet
from contest.models import Track as TrackRow
from contest.results import service as results
from contest.setup import rounds
from contest.setup.contests import tracks as contest_tracks
from scoring import Score


@dataclass(frozen=True, slots=True)
class JudgeMark:
    """One judge's total for a revealed entry, by anonymous seat."""

    seat: int
    total: Score
    dropped: bool


@dataclass(frozen=True, slots=True)
class RevealedScore:
    entry_id: int
    title: str
    track_code: str
    score: Score | None
    round_score: Score | None
    judges: tuple[JudgeMark, ...]


@dataclass(frozen=True, slots=True)
class BoardLine:
    """A revealed entry's place among the revealed entries of its track."""

    rank: int
    tie: bool
    entry_id: int
    title: str
    institution: str
    score: Score


@dataclass(frozen=True, slots=True)
class TrackBoard:
    code: str
    name: str
    lines: tuple[BoardLine, ...]


@dataclass(frozen=True, slots=True)
class LiveBoard:
    """Revealed scores in the order they were revealed, and each track's leaderboard."""

    revealed: tuple[RevealedScore, ...]
    tracks: tuple[TrackBoard, ...]


def seats(db: Session, round_id: int) -> dict[int, int]:
    """judge_id -> anonymous seat number (1..n) of every judge of the round."""
    judge_ids = db.scalars(
        union(
            select(col(Assignment.judge_id)).where(col(Assignment.round_id) == round_id),
            select(col(ScoreSheet.judge_id)).where(col(ScoreSheet.round_id) == round_id),
        )
    ).all()
    ordered = sorted(judge_ids, key=lambda judge_id: _seat_key(round_id, judge_id))
    return {judge_id: seat for seat, judge_id in enumerate(ordered, start=1)}


def _seat_key(round_id: int, judge_id: int) -> str:
    return hashlib.sha256(f"tianjiao-seat:{round_id}:{judge_id}".encode()).hexdigest()


def live_board(db: Session, round_: Round, revealed: Sequence[int]) -> LiveBoard:
    """Scores of the revealed entries (docs/rules.md 3 through the results service) and their
    ranks among each other; entries scored but not yet revealed are left out."""
    if not revealed:
        empty = tuple(TrackBoard(t.code, t.name, ()) for t in contest_tracks(db, round_.contest_id))
        return LiveBoard((), empty)
    outcome = results.round_results(db, round_)
    by_entry = {line.entry_id: line for line in outcome.all_lines()}
    seat = seats(db, round_.id)
    shown = [by_entry[e] for e in revealed if e in by_entry]
    revealed_scores = tuple(_revealed(outcome, line, seat) for line in shown)
    ids = {line.entry_id for line in shown}
    boards = tuple(
        TrackBoard(t.code, t.name, _board(outcome.lines(t.code), ids)) for t in outcome.tracks
    )
    return LiveBoard(revealed_scores, boards)


def _revealed(
    outcome: results.RoundResults, line: results.ResultLine, seat: dict[int, int]
) -> RevealedScore:
    marks = sorted(
        (JudgeMark(seat.get(t.judge_id, 0), t.total, t.dropped) for t in outcome.judges(line)),
        key=lambda mark: mark.seat,
    )
    return RevealedScore(
        line.entry_id, line.title, line.track_code, line.score, line.round_score, tuple(marks)
    )


def _board(ranking: Sequence[results.ResultLine], shown: set[int]) -> tuple[BoardLine, ...]:
    """Ranks among the shown entries only: 1 + how many shown entries rank above."""
    lines = [line for line in ranking if line.entry_id in shown and line.rank is not None]
    sizes = Counter(line.rank for line in lines)
    board: list[BoardLine] = []
    place, previous = 0, None
    for position, line in enumerate(lines, start=1):
        if line.rank != previous:
            place, previous = position, line.rank
        assert line.score is not None
        tie = sizes[line.rank] > 1
        board.append(BoardLine(place, tie, line.entry_id, line.title, line.institution, line.score))
    return tuple(board)


# The public results page of a contest.


@dataclass(frozen=True, slots=True)
class Listed:
    """An entry as a public list shows it."""

    entry_id: int
    title: str
    institution: str
    leader_name: str


@dataclass(frozen=True, slots=True)
class FinalistSection:
    code: str
    name: str
    entries: tuple[Listed, ...]


@dataclass(frozen=True)
class PublicResults:
    """Finalists once the round before the final published its advancement; winners once
    the awards are published (None until then)."""

    contest: Contest
    finalists: tuple[FinalistSection, ...] | None
    finalists_published_at: datetime | None
    winners: tuple[awards.WinnerSection, ...] | None
    awards_published_at: datetime | None


def public_contest(db: Session, contest_id: int) -> Contest:
    """A contest the public may see (any but a draft); 404 otherwise."""
    contest = db.get(Contest, contest_id)
    if contest is None or contest.status == ContestStatus.draft:
        raise NotFound()
    return contest


def contest_results(db: Session, contest: Contest) -> PublicResults:
    finalists, published_at = _finalists(db, contest)
    winners = awards.winner_sections(db, contest)
    awarded_at = winners[0].published_at if winners else None
    return PublicResults(
        contest,
        finalists,
        published_at,
        tuple(winners) if winners else None,
        awarded_at,
    )


def _finalists(
    db: Session, contest: Contest
) -> tuple[tuple[FinalistSection, ...] | None, datetime | None]:
    final = awards.final_round(db, contest.id)
    before = rounds.previous_round(db, final) if final is not None else None
    decided = db.get(Advancement, before.id) if before is not None else None
    if before is None or decided is None or decided.published_at is None:
        return None, None
    rows = db.execute(
        select(
            col(TrackRow.id),
            col(Entry.id),
            col(Entry.title),
            col(Entry.institution),
            col(Entry.leader_name),
        )
        .select_from(RoundEntry)
        .join(Entry, col(Entry.id) == RoundEntry.entry_id)
        .join(TrackRow, col(TrackRow.id) == Entry.track_id)
        .where(
            col(RoundEntry.round_id) == before.id,
            col(RoundEntry.status) == EntryStatus.advanced.value,
            col(Entry.withdrawn_at).is_(None),
        )
        .order_by(col(Entry.id))
    ).all()
    sections = tuple(
        FinalistSection(
            track.code,
            track.name,
            tuple(Listed(*row[1:]) for row in rows if row[0] == track.id),
        )
        for track in contest_tracks(db, contest.id)
    )
    return sections, decided.published_at
