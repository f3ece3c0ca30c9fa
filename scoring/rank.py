"""Rule 5: ranking, in phases so criterion means are fetched only for ties.

1. ``order_by_score(scores)``: each scope sorted by combined score, then median.
2. ``entries_needing_criteria(order)``: the entries still tied; the caller sums their
   tie-break criteria in SQL.
3. ``rank_round(order, criterion_sums=...)``: the rankings.
"""

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from operator import attrgetter
from typing import cast

from scoring.bulk import gc_paused
from scoring.ties import as_integers, group_close, group_equal, lexicographic
from scoring.types import (
    EntryScore,
    Normalization,
    RankedEntry,
    Ranking,
    RoundScores,
    ScopeOrder,
    ScoreOrder,
)

_entry_id = attrgetter("entry_id")


@gc_paused
def order_by_score(scores: RoundScores, *, by_track: bool = True) -> ScoreOrder:
    """Order each track (sorted by code), or the whole round as one scope, by combined
    score desc, then median of the judge totals desc (docs/rules.md 3.5, 3.5a).

    Equal means equal under none (exact integers); under zscore a value within 1e-9
    of its group's highest member is equal to it (see ``ties.group_close``).
    """
    return ScoreOrder(
        tuple(
            _order_scope(scope, members, scores.normalization)
            for scope, members in _scopes(scores, by_track)
        )
    )


def entries_needing_criteria(order: ScoreOrder) -> frozenset[int]:
    """Entries tied on combined score and median within their scope: ``rank_round``
    needs their tie-break criterion sums (docs/rules.md 3.5b)."""
    return frozenset(
        entry.entry_id
        for scope in order.scopes
        for group in scope.groups
        if len(group) > 1
        for entry in group
    )


@gc_paused
def rank_round(
    order: ScoreOrder, *, criterion_sums: Mapping[int, Sequence[int]] | None = None
) -> tuple[Ranking, ...]:
    """One ranking per scope of ``order`` (docs/rules.md 3.5).

    ``criterion_sums``: entry_id -> sums in tenths of the tie-break criteria over the
    entry's submitted sheets, in ``tiebreak_priority`` order; required for the entries
    ``entries_needing_criteria`` names. Their means are compared exactly (raw values,
    also under zscore). Entries equal on everything share a rank (1, 2, 2, 4), carry
    ``tie=True`` and are listed by entry id. Unscored entries follow, by entry id,
    with rank None.
    """
    sums = criterion_sums or {}
    if len({len(entry_sums) for entry_sums in sums.values()}) > 1:
        raise ValueError("criterion sums must all have one value per tie-break criterion")
    return tuple(_rank_scope(scope, sums) for scope in order.scopes)


def _rank_scope(order: ScopeOrder, criterion_sums: Mapping[int, Sequence[int]]) -> Ranking:
    ranked: list[RankedEntry] = []
    for group in order.groups:
        if len(group) == 1:
            ranked.append(RankedEntry(len(ranked) + 1, False, group[0]))
            continue
        for tied in group_equal(_by_criterion_means(group, criterion_sums)):
            # Competition ranking: one more than the number of entries strictly ahead.
            rank = len(ranked) + 1
            if len(tied) == 1:
                ranked.append(RankedEntry(rank, False, tied[0]))
            else:
                ranked.extend([RankedEntry(rank, True, e) for e in sorted(tied, key=_entry_id)])
    ranked.extend([RankedEntry(None, False, entry) for entry in order.unscored])
    return Ranking(order.scope, tuple(ranked))


def _by_criterion_means(
    group: list[EntryScore], criterion_sums: Mapping[int, Sequence[int]]
) -> list[tuple[tuple[int, ...], EntryScore]]:
    """The tied group keyed by its tie-break criterion means, in priority order (3.5b)."""
    try:
        # Tuples, so that sums given as lists and as tuples compare alike.
        keyed = [(tuple(criterion_sums[entry.entry_id]), entry) for entry in group]
    except KeyError:
        missing = [entry.entry_id for entry in group if entry.entry_id not in criterion_sums]
        raise ValueError(f"criterion sums needed for tied entries {missing}") from None
    counts = {entry.judge_count for entry in group}
    if len(counts) == 1:
        # Same number of sheets: the sums order the entries exactly as the means do.
        return keyed
    # Means, not sums: scaled by the judge counts' common multiple, each is an integer.
    common = math.lcm(*counts)
    return [(tuple([s * (common // e.judge_count) for s in sums]), e) for sums, e in keyed]


def _scopes(scores: RoundScores, by_track: bool) -> list[tuple[str | None, list[EntryScore]]]:
    if not by_track:
        return [(None, list(scores.entries.values()))]
    tracks: dict[str, list[EntryScore]] = {}
    for entry in scores.entries.values():
        tracks.setdefault(entry.track, []).append(entry)
    return [(track, tracks[track]) for track in sorted(tracks)]


def _order_scope(
    scope: str | None, members: list[EntryScore], normalization: Normalization
) -> ScopeOrder:
    scored = [entry for entry in members if entry.combined is not None]
    unscored = sorted((entry for entry in members if entry.combined is None), key=_entry_id)
    if normalization is Normalization.none:
        # Under none both are Fractions; as integers one sort orders by both, exactly.
        combined = as_integers(cast(list[Fraction], [entry.combined for entry in scored]))
        median = as_integers(cast(list[Fraction], [entry.median for entry in scored]))
        keys = lexicographic(combined, median)
        return ScopeOrder(scope, group_equal(list(zip(keys, scored, strict=True))), unscored)
    # Under zscore both are floats, compared within TOLERANCE, so one level at a time.
    groups: list[list[EntryScore]] = []
    for group in group_close([(cast(float, entry.combined), entry) for entry in scored]):
        if len(group) == 1:
            groups.append(group)
        else:
            groups.extend(group_close([(cast(float, entry.median), entry) for entry in group]))
    return ScopeOrder(scope, groups, unscored)
