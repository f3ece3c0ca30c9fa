"""Which step of the tie-break chain (docs/rules.md 3.5) decided a rank.

An entry's rank is explained by the step that separated it from the entry just above
it (or, for the first of a run of equal scores, just below it): ``"median"`` when the
combined scores were equal and the medians were not; the index (0-based, in
``tiebreak_priority`` order) of the first tie-break criterion whose means differed;
None when the combined scores already differed, or when the entries are still tied
after the whole chain (they share a rank and carry ``tie``; their rows say so, not a
step, even when a step separated their group from a neighbour).
"""

import math
from collections.abc import Mapping, Sequence
from typing import Literal

from scoring.types import TOLERANCE, Normalization, RankedEntry, Ranking, Score

# "median", or the index of the tie-break criterion (in priority order) that decided.
TieBreak = Literal["median"] | int


def tie_breaks(
    ranking: Ranking,
    *,
    normalization: Normalization,
    criterion_sums: Mapping[int, Sequence[int]],
) -> dict[int, TieBreak]:
    """entry_id -> the deciding step, for the entries whose rank a tie-breaker decided.

    ``criterion_sums`` are those ``rank_round`` was given (entries tied on combined
    score and median); entries absent from the answer needed no tie-breaker.
    """
    found: dict[int, TieBreak] = {}
    lines = [line for line in ranking.entries if line.rank is not None]
    for above, below in zip(lines, lines[1:], strict=False):
        if above.rank == below.rank:
            continue
        step = _step(above, below, normalization, criterion_sums)
        if step is None:
            continue
        # The entry below is explained by the one above it; the one above keeps what
        # explained it already, else this step (it is the first of the equal run).
        # Entries still tied after the chain are explained by their tie, not a step.
        if not below.tie:
            found[below.entry_id] = step
        if not above.tie:
            found.setdefault(above.entry_id, step)
    return found


def _step(
    above: RankedEntry,
    below: RankedEntry,
    normalization: Normalization,
    criterion_sums: Mapping[int, Sequence[int]],
) -> TieBreak | None:
    a, b = above.score, below.score
    if a.combined is None or b.combined is None:
        return None
    if not _equal(a.combined, b.combined, normalization):
        return None
    medians = (a.median, b.median)
    if None not in medians and not _equal(a.median, b.median, normalization):  # type: ignore[arg-type]
        return "median"
    return _criterion_step(
        criterion_sums.get(a.entry_id, ()),
        a.judge_count,
        criterion_sums.get(b.entry_id, ()),
        b.judge_count,
    )


def _equal(x: Score, y: Score, normalization: Normalization) -> bool:
    if normalization is Normalization.zscore:
        return abs(float(x) - float(y)) <= TOLERANCE
    return x == y


def _criterion_step(
    first: Sequence[int], first_count: int, second: Sequence[int], second_count: int
) -> int | None:
    """Index of the first criterion whose means differ (exact, by cross-multiplying)."""
    if not first_count or not second_count:
        return None
    common = math.lcm(first_count, second_count)
    for index, (x, y) in enumerate(zip(first, second, strict=False)):
        if x * (common // first_count) != y * (common // second_count):
            return index
    return None
