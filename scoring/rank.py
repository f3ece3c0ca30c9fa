"""Rule 5: ranking, in two phases so criterion means are fetched only for ties.

1. ``entries_needing_criteria(scores)``: the entries still tied on combined score and
   median within their scope; the caller sums their tie-break criteria in SQL.
2. ``rank_round(scores, criterion_sums=...)``: the rankings.
"""

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from operator import attrgetter
from typing import cast

from scoring.bulk import gc_paused
from scoring.ties import as_integers, group_close, group_equal, lexicographic
from scoring.types import EntryScore, Normalization, RankedEntry, Ranking, RoundScores

_entry_id = attrgetter("entry_id")


@gc_paused
def entries_needing_criteria(scores: RoundScores, *, by_track: bool = True) -> frozenset[int]:
    """Entries tied on combined score and median in their scope (SPEC 3.5a), which
    need their tie-break criterion sums for ``rank_round``."""
    needed: set[int] = set()
    for _scope, members in _scopes(scores, by_track):
        for group in _score_groups(members, scores.normalization):
            if len(group) > 1:
                needed.update(map(_entry_id, group))
    return frozenset(needed)


@gc_paused
def rank_round(
    scores: RoundScores,
    *,
    criterion_sums: Mapping[int, Sequence[int]] | None = None,
    by_track: bool = True,
) -> tuple[Ranking, ...]:
    """Rank every entry per track (sorted by track code) or overall (SPEC 3.5).

    Order: combined score desc, then median desc, then each tie-break criterion's mean
    over the entry's submitted sheets desc. ``criterion_sums``: entry_id -> sums in
    tenths of the tie-break criteria in ``tiebreak_priority`` order; required for the
    entries ``entries_needing_criteria`` names. Criterion means are raw values, so they
    compare exactly under zscore too. Entries equal on everything share a rank (1, 2,
    2, 4), carry ``tie=True`` and are listed by entry id. Unscored entries follow,
    by entry id, with rank None.
    """
    sums = criterion_sums or {}
    return tuple(
        _rank_scope(scope, members, scores.normalization, sums)
        for scope, members in _scopes(scores, by_track)
    )


def _rank_scope(
    scope: str | None,
    members: list[EntryScore],
    normalization: Normalization,
    criterion_sums: Mapping[int, Sequence[int]],
) -> Ranking:
    ranked: list[RankedEntry] = []
    groups = _score_groups(members, normalization)
    criteria = _criterion_keys(groups, criterion_sums)
    for group in groups:
        if len(group) == 1:
            ranked.append(RankedEntry(len(ranked) + 1, False, group[0]))
            continue
        for tied in group_equal([(criteria[entry.entry_id], entry) for entry in group]):
            # Competition ranking: one more than the number of entries strictly ahead.
            rank, tie = len(ranked) + 1, len(tied) > 1
            ranked.extend(RankedEntry(rank, tie, entry) for entry in sorted(tied, key=_entry_id))
    unscored = sorted((e for e in members if e.combined is None), key=_entry_id)
    ranked.extend(RankedEntry(None, False, entry) for entry in unscored)
    return Ranking(scope, tuple(ranked))


def _scopes(scores: RoundScores, by_track: bool) -> list[tuple[str | None, list[EntryScore]]]:
    if not by_track:
        return [(None, list(scores.entries.values()))]
    tracks: dict[str, list[EntryScore]] = {}
    for entry in scores.entries.values():
        tracks.setdefault(entry.track, []).append(entry)
    return [(track, tracks[track]) for track in sorted(tracks)]


def _score_groups(
    members: list[EntryScore], normalization: Normalization
) -> list[list[EntryScore]]:
    """Scored entries in rank order, grouped while combined score and median are equal."""
    scored = [entry for entry in members if entry.combined is not None]
    if normalization is Normalization.none:
        # Under none both are Fractions; as integers one sort orders by both, exactly.
        combined = as_integers(cast(list[Fraction], [entry.combined for entry in scored]))
        median = as_integers(cast(list[Fraction], [entry.median for entry in scored]))
        return group_equal(list(zip(lexicographic(combined, median), scored, strict=True)))
    # Under zscore both are floats, compared within TOLERANCE, so one level at a time.
    groups: list[list[EntryScore]] = []
    for group in group_close([(cast(float, entry.combined), entry) for entry in scored]):
        if len(group) == 1:
            groups.append(group)
        else:
            groups.extend(group_close([(cast(float, entry.median), entry) for entry in group]))
    return groups


def _criterion_keys(
    groups: list[list[EntryScore]], criterion_sums: Mapping[int, Sequence[int]]
) -> dict[int, tuple[int, ...]]:
    """For entries in tie groups: criterion means as integers, in priority order (3.5b)."""
    tied = [entry for group in groups if len(group) > 1 for entry in group]
    missing = sorted(entry.entry_id for entry in tied if entry.entry_id not in criterion_sums)
    if missing:
        raise ValueError(f"criterion sums needed for tied entries {missing[:20]}")
    if len({len(criterion_sums[entry.entry_id]) for entry in tied}) > 1:
        raise ValueError("criterion sums of tied entries differ in length")
    # Means, not sums: tied entries may have had different numbers of judges. Each mean
    # sum/n is scaled by the judge counts' common multiple to compare as an integer.
    common = math.lcm(*{entry.judge_count for entry in tied})
    keys: dict[int, tuple[int, ...]] = {}
    for entry in tied:
        scale = common // entry.judge_count
        keys[entry.entry_id] = tuple([total * scale for total in criterion_sums[entry.entry_id]])
    return keys
