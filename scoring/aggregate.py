"""Rules 3 and 4: from one entry's judge totals to its round and combined scores.

Each function takes the entry's totals as ``(value, judge_id)`` pairs sorted
ascending, so that striking the first and the last pair is the trimmed mean and ties
between equal totals are settled by judge id without further work: of equal lowest
totals the lowest judge id is struck, of equal highest totals the highest judge id.
"""

import math
from collections.abc import Sequence
from fractions import Fraction
from operator import itemgetter

from scoring.types import Score

# What an aggregation returns: (judge count, round score, median, dropped judge ids).
Aggregated = tuple[int, Score, Score, tuple[int, ...]]

_value = itemgetter(0)


class FractionCache(dict[tuple[int, int], Fraction]):
    """``cache[numerator, denominator]`` is that Fraction, created once.

    100,000 entries have only a few thousand distinct scores and medians, and creating
    a Fraction (a gcd in Python) costs more than a dictionary hit.
    """

    def __missing__(self, key: tuple[int, int]) -> Fraction:
        value = self[key] = Fraction(*key)
        return value


def aggregate_exact(
    ordered: Sequence[Sequence[int]], trim: bool, fractions: FractionCache
) -> Aggregated:
    """Round score and median in points of totals given in tenths, exactly (docs/rules.md 3.3).

    ``trim`` is whether the trimmed mean applies (aggregation and judge count allow it).
    """
    n = len(ordered)
    mid = n // 2
    if n % 2:
        median = fractions[ordered[mid][0], 10]
    else:
        median = fractions[ordered[mid - 1][0] + ordered[mid][0], 20]
    total = sum(map(_value, ordered))
    if not trim:
        return n, fractions[total, 10 * n], median, ()
    low, high = ordered[0], ordered[-1]
    return n, fractions[total - low[0] - high[0], 10 * (n - 2)], median, (high[1], low[1])


def aggregate_float(ordered: list[tuple[float, int]], trim: bool) -> Aggregated:
    """Round score and median of normalised totals in points (docs/rules.md 3.3 after 3.2)."""
    n = len(ordered)
    mid = n // 2
    median = ordered[mid][0] if n % 2 else (ordered[mid - 1][0] + ordered[mid][0]) / 2
    if not trim:
        # fsum is correctly rounded, so the score does not depend on the judges' order.
        return n, math.fsum(map(_value, ordered)) / n, median, ()
    kept = math.fsum(map(_value, ordered[1:-1]))
    return n, kept / (n - 2), median, (ordered[-1][1], ordered[0][1])


def carry_over(round_score: Score, previous: Score | None, weight: Fraction) -> Score:
    """combined = (1 - w) * round score + w * previous combined (docs/rules.md 3.4).

    An entry without a previous combined score (it skipped the previous round, or
    there is none) keeps its round score: averaging with a missing 0 would punish it.
    """
    if previous is None or not weight:
        return round_score
    if isinstance(round_score, float) or isinstance(previous, float):
        return (1 - float(weight)) * float(round_score) + float(weight) * float(previous)
    # Integer arithmetic with one Fraction at the end: four Fraction operations per
    # entry would cost 0.4 s on 100,000 entries.
    a, b = round_score.as_integer_ratio()
    p, q = previous.as_integer_ratio()
    w, d = weight.as_integer_ratio()
    return Fraction((d - w) * a * q + w * p * b, d * b * q)
