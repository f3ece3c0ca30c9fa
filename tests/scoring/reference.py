"""docs/rules.md section 3 (normalization none) written the obvious, slow way, as a test oracle."""

import statistics
from collections.abc import Mapping, Sequence
from fractions import Fraction

from scoring import Aggregation, RoundRules
from tests.scoring.builders import Totals

# entry_id -> (rank, tie), rank None for unscored
Expected = dict[int, tuple[int | None, bool]]


def round_score(values: list[Fraction], rules: RoundRules) -> Fraction:
    values = sorted(values)
    trimmed = rules.aggregation is Aggregation.trimmed_mean and len(values) >= rules.trim_min_judges
    kept = values[1:-1] if trimmed else values
    return sum(kept, Fraction(0)) / len(kept)


def sort_keys(
    totals: Totals,
    rules: RoundRules,
    previous: Mapping[int, Fraction],
    criterion_sums: Mapping[int, Sequence[int]],
) -> dict[int, tuple[Fraction, Fraction, tuple[Fraction, ...]]]:
    """(combined, median, criterion means) per scored entry, compared lexicographically."""
    w = rules.carry_over_weight
    keys = {}
    for entry_id, by_judge in totals.items():
        if not by_judge:
            continue
        values = [Fraction(t, 10) for t in by_judge.values()]
        score = round_score(values, rules)
        combined = (1 - w) * score + w * previous[entry_id] if entry_id in previous else score
        means = tuple(Fraction(s, len(values)) for s in criterion_sums[entry_id])
        keys[entry_id] = (combined, statistics.median(values), means)
    return keys


def ranks(
    entry_ids: Sequence[int], keys: Mapping[int, tuple[Fraction, Fraction, tuple[Fraction, ...]]]
) -> Expected:
    """Competition ranking: 1 + the number strictly ahead; tie when another is equal."""
    expected: Expected = {}
    for entry_id in entry_ids:
        if entry_id not in keys:
            expected[entry_id] = (None, False)
            continue
        key = keys[entry_id]
        ahead = sum(1 for other in entry_ids if other in keys and keys[other] > key)
        equal = sum(1 for other in entry_ids if other in keys and keys[other] == key)
        expected[entry_id] = (1 + ahead, equal > 1)
    return expected
