"""What an advancement publication freezes: the round's results as they were published.

Public pages, the 公示 PDF and exports read this snapshot, never the live tables, so a
later change (which the guards refuse while the publication stands) cannot move a
published score. Scores are kept as exact text (``format_score``, 2 decimals) and as
numbers, so pages and exports print what was published, digit for digit.
"""

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from contest.core.enums import EntryStatus
from contest.models import Entry, Publication, Round, RoundEntry
from contest.publications import service as publications
from contest.results import service as results
from scoring import Score, format_score


def _number(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def line_snapshot(
    outcome: results.RoundResults, line: results.ResultLine, *, overall: bool = False
) -> dict[str, Any]:
    """One entry's published line: scores, rank, tie, the deciding tie-break step, and
    each judge's total with whether it counted (not struck by the trimmed mean)."""
    return {
        "entry_id": line.entry_id,
        "title": line.title,
        "institution": line.institution,
        "track_code": line.track_code,
        "rank": line.rank,
        "score": _number(line.score),
        "score_text": format_score(line.score) if line.score is not None else "",
        "round_score": _number(line.round_score),
        "judge_count": line.judge_count,
        "tie": line.tie,
        "tie_break": outcome.tie_break(line, overall=overall),
        "status": line.status,
        "judges": [
            {"judge_id": j.judge_id, "total": float(j.total), "counted": not j.dropped}
            for j in outcome.judges(line)
        ],
    }


def results_snapshot(outcome: results.RoundResults, round_: Round) -> dict[str, Any]:
    """Every track's ranking of the round, with what the tie-break texts need."""
    return {
        "round_id": round_.id,
        "round_name": round_.name,
        "round_name_en": round_.name_en,
        "criterion_names": {str(k): v for k, v in outcome.criterion_names.items()},
        "tracks": [
            {
                "code": track.code,
                "name": track.name,
                "name_en": track.name_en,
                "lines": [line_snapshot(outcome, line) for line in outcome.lines(track.code)],
            }
            for track in outcome.tracks
        ],
    }


def advancement_snapshot(db: Session, round_: Round) -> dict[str, Any]:
    """The round's results as published with its advancement decision (statuses set),
    with each advancing entry's leader (the public finalist list names them)."""
    snapshot = results_snapshot(results.round_results(db, round_), round_)
    rows = db.execute(
        select(col(Entry.id), col(Entry.leader_name))
        .join(RoundEntry, col(RoundEntry.entry_id) == Entry.id)
        .where(
            col(RoundEntry.round_id) == round_.id,
            col(RoundEntry.status) == EntryStatus.advanced.value,
        )
    ).all()
    leaders = {entry_id: leader for entry_id, leader in rows}
    for track in snapshot["tracks"]:
        for line in track["lines"]:
            if line["entry_id"] in leaders:
                line["leader_name"] = leaders[line["entry_id"]]
    return snapshot


def tie_text_of(line: dict[str, Any], snapshot: dict[str, Any]) -> str:
    """并列 / the deciding tie-breaker of a published line, in the reader's language."""
    names = {int(k): v for k, v in snapshot.get("criterion_names", {}).items()}
    return results.tie_text(bool(line.get("tie")), line.get("tie_break"), names)


def published_results(db: Session, round_: Round) -> tuple[Publication, dict[str, Any]] | None:
    """The standing publication that holds the round's results, with those results as it
    froze them: the round's own advancement list, or (for the final) the awards, whose
    snapshot carries the final's ranking. None while nothing about the round stands."""
    return results_among(publications.of_contest(db, round_.contest_id, withdrawn=False), round_)


def results_among(
    items: Sequence[Publication], round_: Round
) -> tuple[Publication, dict[str, Any]] | None:
    """``published_results`` from the contest's publications already read (one query for
    a screen that polls every second)."""
    standing = [p for p in items if p.withdrawn_at is None]
    own = publications.subject_of(publications.ADVANCEMENT, round_.id)
    for item in standing:
        if item.subject == own and item.snapshot.get("tracks") is not None:
            return item, item.snapshot
    for item in standing:
        final = item.snapshot.get("final") if item.kind == publications.AWARDS else None
        if final and final.get("round_id") == round_.id:
            return item, final
    return None


def published_score(line: dict[str, Any], key: str = "score") -> Score | None:
    """A published score as the exact number its text shows (2 decimals), so every
    reader prints the published digits; ``round_score`` has no text and is kept whole."""
    if key == "score" and line.get("score_text"):
        return Fraction(Decimal(line["score_text"]))
    value = line.get(key)
    return None if value is None else Fraction(Decimal(str(value)))
