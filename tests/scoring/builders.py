"""Small builders for scoring tests: rounds written as {entry_id: {judge_id: tenths}}."""

from collections.abc import Mapping
from fractions import Fraction

from scoring import (
    RoundRules,
    RoundScores,
    SheetTotal,
    entries_needing_criteria,
    order_by_score,
    rank_round,
    score_round,
)
from scoring.types import Ranking, Score

Totals = Mapping[int, Mapping[int, int]]


def sheets_of(totals: Totals) -> list[SheetTotal]:
    return [
        SheetTotal(judge_id, entry_id, tenths)
        for entry_id, by_judge in totals.items()
        for judge_id, tenths in by_judge.items()
    ]


def score(
    totals: Totals,
    rules: RoundRules | None = None,
    *,
    tracks: Mapping[int, str] | None = None,
    previous: Mapping[int, Score] | None = None,
) -> RoundScores:
    """Score a round; every entry is in track 'startup' unless ``tracks`` says otherwise."""
    return score_round(
        sheets_of(totals),
        rules or RoundRules(),
        tracks=tracks or dict.fromkeys(totals, "startup"),
        previous=previous,
    )


def rows(ranking: Ranking) -> list[tuple[int, int | None, bool]]:
    """(entry_id, rank, tie) in ranking order."""
    return [(r.entry_id, r.rank, r.tie) for r in ranking.entries]


def rank(
    scores: RoundScores, sums: Mapping[int, list[int]] | None = None, *, by_track: bool = True
) -> tuple[Ranking, ...]:
    return rank_round(order_by_score(scores, by_track=by_track), criterion_sums=sums)


def needing(scores: RoundScores, *, by_track: bool = True) -> frozenset[int]:
    return entries_needing_criteria(order_by_score(scores, by_track=by_track))


def only_ranking(scores: RoundScores, sums: Mapping[int, list[int]] | None = None) -> Ranking:
    (ranking,) = rank(scores, sums)
    return ranking


def points(value: str) -> Fraction:
    return Fraction(value)


def ranking_of(tenths: list[int], *, track: str = "startup", unscored: int = 0) -> Ranking:
    """Entries 1..n with one judge total each, in the given order; equal totals stay tied.

    ``unscored`` entries n+1.. have no sheet.
    """
    totals = {i: {1: t} for i, t in enumerate(tenths, start=1)}
    tracks = dict.fromkeys(range(1, len(tenths) + unscored + 1), track)
    scores = score(totals, tracks=tracks)
    return only_ranking(scores, dict.fromkeys(totals, [0]))
