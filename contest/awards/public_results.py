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
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import select, union
from sqlmodel import Session, col

from contest.awards import service as awards
from contest.core.enums import ContestStatus, EntryStatus, Tier
from contest.core.errors import NotFound
from contest.models import (
    Advancement,
    Assignment,
    Contest,
    Entry,
    Publication,
    Round,
    RoundEntry,
    ScoreSheet,
)
from contest.models import Track as TrackRow
from contest.publications import service as publications
from contest.results import publication
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
    """A revealed entry's place among the revealed entries of its track. ``tie_reason``
    says why a tie stands (or, for an equal score, what separated it), in words."""

    rank: int
    tie: bool
    entry_id: int
    title: str
    institution: str
    score: Score
    tie_reason: str = ""


@dataclass(frozen=True, slots=True)
class TrackBoard:
    code: str
    name: str
    lines: tuple[BoardLine, ...]
    name_en: str = ""  # English screens show it when set (contest/core/i18n/names.py)


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


def live_board(
    db: Session,
    round_: Round,
    revealed: Sequence[int],
    published: Sequence[Publication] | None = None,
) -> LiveBoard:
    """Scores of the revealed entries (docs/rules.md 3 through the results service) and their
    ranks among each other; entries scored but not yet revealed are left out. Once the
    round's results are published (the final's with the awards), they are read from the
    standing publication's snapshot: the screen shows what was published, digit for digit.
    ``published``: the contest's publications, when the caller has read them already."""
    if not revealed:
        empty = tuple(
            TrackBoard(t.code, t.name, (), t.name_en) for t in contest_tracks(db, round_.contest_id)
        )
        return LiveBoard((), empty)
    if published is None:
        published = publications.of_contest(db, round_.contest_id, withdrawn=False)
    frozen = publication.results_among(published, round_)
    if frozen is not None:
        return _published_board(db, round_, revealed, frozen[1])
    outcome = results.round_results(db, round_)
    by_entry = {line.entry_id: line for line in outcome.all_lines()}
    seat = seats(db, round_.id)
    shown = [by_entry[e] for e in revealed if e in by_entry]
    revealed_scores = tuple(_revealed(outcome, line, seat) for line in shown)
    ids = {line.entry_id for line in shown}
    boards = tuple(
        TrackBoard(
            t.code,
            t.name,
            _board(
                [_Ranked.of(line, outcome.tie_break_text(line)) for line in outcome.lines(t.code)],
                ids,
            ),
            t.name_en,
        )
        for t in outcome.tracks
    )
    return LiveBoard(revealed_scores, boards)


@dataclass(frozen=True, slots=True)
class _Ranked:
    """A ranked line as the leaderboard needs it, computed or published."""

    entry_id: int
    rank: int | None
    title: str
    institution: str
    score: Score | None
    tie_text: str

    @classmethod
    def of(cls, line: results.ResultLine, tie_text: str) -> "_Ranked":
        return cls(line.entry_id, line.rank, line.title, line.institution, line.score, tie_text)


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


def _published_board(
    db: Session, round_: Round, revealed: Sequence[int], snapshot: dict[str, Any]
) -> LiveBoard:
    """The board from a publication's snapshot: its scores, judges' totals, ranks and ties."""
    seat = seats(db, round_.id)
    lines = {line["entry_id"]: line for t in snapshot.get("tracks", []) for line in t["lines"]}
    shown = [lines[e] for e in revealed if e in lines]
    revealed_scores = tuple(
        RevealedScore(
            line["entry_id"], line["title"], line["track_code"],
            publication.published_score(line), publication.published_score(line, "round_score"),
            tuple(sorted(
                (JudgeMark(seat.get(j["judge_id"], 0), Fraction(Decimal(str(j["total"]))),
                           not j["counted"]) for j in line.get("judges", [])),
                key=lambda mark: mark.seat,
            )),
        )
        for line in shown
    )  # fmt: skip
    ids = {line["entry_id"] for line in shown}
    boards = tuple(
        TrackBoard(
            t["code"],
            t["name"],
            _board(
                [
                    _Ranked(line["entry_id"], line["rank"], line["title"], line["institution"],
                            publication.published_score(line),
                            publication.tie_text_of(line, snapshot))
                    for line in t["lines"]
                ],
                ids,
            ),
            t.get("name_en", ""),
        )
        for t in snapshot.get("tracks", [])
    )
    return LiveBoard(revealed_scores, boards)


def _board(ranking: Sequence[_Ranked], shown: set[int]) -> tuple[BoardLine, ...]:
    """Ranks among the shown entries only: 1 + how many shown entries rank above."""
    lines = [line for line in ranking if line.entry_id in shown and line.rank is not None]
    sizes = Counter(line.rank for line in lines)
    scores = Counter(line.score for line in lines)
    board: list[BoardLine] = []
    place, previous = 0, None
    for position, line in enumerate(lines, start=1):
        if line.rank != previous:
            place, previous = position, line.rank
        assert line.score is not None
        tie = sizes[line.rank] > 1
        # 并列 for a shared place; the deciding tie-breaker only when the entry it was
        # separated from is on the board too (same score shown).
        reason = results.tie_text(True, None, {}) if tie else (
            line.tie_text if scores[line.score] > 1 else ""
        )
        board.append(
            BoardLine(place, tie, line.entry_id, line.title, line.institution, line.score, reason)
        )
    return tuple(board)


def round_publication(
    db: Session, round_: Round, items: Sequence[Publication]
) -> "PublicationState | None":
    """Where the publication of the round's results stands (the awards, for the final whose
    ranking they froze), from the contest's publications ``items`` (withdrawn ones too)."""
    own = publications.subject_of(publications.ADVANCEMENT, round_.id)
    finals = any(
        (p.snapshot.get("final") or {}).get("round_id") == round_.id
        for p in items
        if p.kind == publications.AWARDS
    )
    subject = publications.AWARDS if finals else own
    versions = sorted((p for p in items if p.subject == subject), key=lambda p: -p.version)
    return _state(db, versions)


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
    name_en: str = ""


@dataclass(frozen=True, slots=True)
class Correction:
    """An earlier version taken back: when, and why (更正)."""

    version: int
    published_at: datetime
    withdrawn_at: datetime
    reason: str


@dataclass(frozen=True)
class PublicationState:
    """Where a published list stands: its version, its objection window (公示期), whether
    it is final (最终), and the corrections before it. ``withdrawn`` is set while the
    newest version is withdrawn and no correction is published yet (the list is hidden)."""

    version: int
    published_at: datetime
    objections_close_at: datetime
    final: bool
    window_open: bool
    corrections: tuple[Correction, ...]
    withdrawn: Correction | None = None

    @property
    def corrected(self) -> bool:
        return bool(self.corrections) and self.withdrawn is None


@dataclass(frozen=True, slots=True)
class PublishedAward:
    """An award as its publication froze it. ``award`` is the line itself, so lists
    written for saved awards (``line.award.custom_name``, ``line.tier``) read it alike."""

    tier: Tier
    custom_name: str
    track_code: str
    track_name: str
    title: str
    institution: str
    leader_name: str
    custom_name_en: str = ""
    track_name_en: str = ""

    @property
    def award(self) -> "PublishedAward":
        return self


@dataclass(frozen=True)
class PublicResults:
    """Finalists once the round before the final published its advancement; winners once
    the awards are published (None until then), both as their publications froze them."""

    contest: Contest
    finalists: tuple[FinalistSection, ...] | None
    finalists_published_at: datetime | None
    winners: tuple[awards.WinnerSection, ...] | None
    awards_published_at: datetime | None
    finalists_state: PublicationState | None = None
    winners_state: PublicationState | None = None


def public_contest(db: Session, contest_id: int) -> Contest:
    """A contest the public may see (any but a draft); 404 otherwise."""
    contest = db.get(Contest, contest_id)
    if contest is None or contest.status == ContestStatus.draft:
        raise NotFound()
    return contest


def contest_results(db: Session, contest: Contest) -> PublicResults:
    final = awards.final_round(db, contest.id)
    before = rounds.previous_round(db, final) if final is not None else None
    finalists_state = (
        publication_state(db, contest.id, f"round:{before.id}") if before is not None else None
    )
    winners_state = publication_state(db, contest.id, publications.AWARDS)
    finalists, published_at = _published_finalists(db, contest, before)
    winners, awarded_at = _published_winners(db, contest)
    return PublicResults(
        contest,
        finalists,
        published_at,
        winners,
        awarded_at,
        finalists_state,
        winners_state,
    )


def publication_state(db: Session, contest_id: int, subject: str) -> PublicationState | None:
    """The subject's newest version and its history, for the public notices."""
    return _state(db, publications.history(db, contest_id, subject))


def _state(db: Session, versions: Sequence[Publication]) -> PublicationState | None:
    """From every version of a subject, newest first. Open objections are counted only
    when they decide something (最终 once the window is over)."""
    if not versions:
        return None
    newest = versions[0]
    corrections = tuple(
        Correction(p.version, p.published_at, p.withdrawn_at, p.withdraw_reason or "")
        for p in versions
        if p.withdrawn_at is not None
    )
    open_count = 0
    if newest.withdrawn_at is None and not publications.window_open(newest):
        open_count = publications.open_objections(db, [newest.id]).get(newest.id, 0)
    withdrawn = corrections[0] if newest.withdrawn_at is not None else None
    return PublicationState(
        version=newest.version,
        published_at=newest.published_at,
        objections_close_at=newest.objections_close_at,
        final=publications.is_final(newest, open_count),
        window_open=publications.window_open(newest),
        corrections=corrections,
        withdrawn=withdrawn,
    )


def _published_finalists(
    db: Session, contest: Contest, before: Round | None
) -> tuple[tuple[FinalistSection, ...] | None, datetime | None]:
    """The finalists from the standing publication's snapshot; lists published before
    publications were recorded (no snapshot) are read from the tables."""
    if before is None:
        return None, None
    found = publications.standing(db, contest.id, f"round:{before.id}")
    if found is None:
        return _finalists(db, contest)
    sections = tuple(
        FinalistSection(
            track["code"],
            track["name"],
            tuple(
                Listed(line["entry_id"], line["title"], line["institution"],
                       line.get("leader_name", ""))
                for line in sorted(track["lines"], key=lambda line: line["entry_id"])
                if line["status"] == EntryStatus.advanced.value
            ),
            track.get("name_en", ""),
        )
        for track in found.snapshot.get("tracks", [])
    )
    return sections, found.published_at


def _published_winners(
    db: Session, contest: Contest
) -> tuple[tuple[awards.WinnerSection, ...] | None, datetime | None]:
    found = publications.standing(db, contest.id, publications.AWARDS)
    if found is None:
        winners = awards.winner_sections(db, contest)
        return (tuple(winners) if winners else None), (
            winners[0].published_at if winners else None
        )
    lines = [
        PublishedAward(
            Tier(item["tier"]), item.get("custom_name", ""), item["track_code"],
            item["track_name"], item["title"], item["institution"], item.get("leader_name", ""),
            item.get("custom_name_en", ""), item.get("track_name_en", ""),
        )
        for item in found.snapshot.get("awards", [])
    ]
    if not lines:
        return None, None
    overall = any(item.get("scope") == "overall" for item in found.snapshot.get("awards", []))
    if overall:
        return (awards.WinnerSection(None, "", tuple(lines), found.published_at),), (
            found.published_at
        )
    sections = [
        awards.WinnerSection(
            code, items[0].track_name, items, found.published_at, items[0].track_name_en
        )
        for code, items in _grouped(lines)
    ]
    return tuple(sections), found.published_at


def _grouped(lines: Sequence[PublishedAward]) -> list[tuple[str, tuple[PublishedAward, ...]]]:
    groups: dict[str, list[PublishedAward]] = {}
    for line in lines:
        groups.setdefault(line.track_code, []).append(line)
    return [(code, tuple(items)) for code, items in groups.items()]


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
            track.name_en,
        )
        for track in contest_tracks(db, contest.id)
    )
    return sections, decided.published_at
