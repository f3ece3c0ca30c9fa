"""Cutting ranked values into groups of equal ones, highest first (docs/rules.md 3.5-3.6).

Values are compared as ints, floats or tuples of ints, never as Fractions: a Fraction
comparison costs about a microsecond in Python, and ties come in groups of thousands.
"""

import math
from collections.abc import Sequence
from fractions import Fraction
from operator import itemgetter
from typing import TYPE_CHECKING, TypeVar

from scoring.types import TOLERANCE

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

    K = TypeVar("K", bound=SupportsRichComparison)
T = TypeVar("T")
_key = itemgetter(0)


def as_integers(values: Sequence[Fraction]) -> list[int]:
    """The values times their common denominator: same order, same ties, exact."""
    ratios = [value.as_integer_ratio() for value in values]
    common = math.lcm(*{denominator for _numerator, denominator in ratios})
    return [numerator * (common // denominator) for numerator, denominator in ratios]


def lexicographic(first: Sequence[int], second: Sequence[int]) -> list[int]:
    """Single integers ordered like the pairs (first, second): ints sort 3x faster."""
    low = min(second, default=0)
    span = max(second, default=0) - low + 1
    return [a * span + (b - low) for a, b in zip(first, second, strict=True)]


def group_equal(keyed: "list[tuple[K, T]]") -> list[list[T]]:
    """Items sorted by key, highest first, in groups of equal keys. Sorts ``keyed``."""
    keyed.sort(key=_key, reverse=True)
    groups: list[list[T]] = []
    head: object = None
    for value, item in keyed:
        if groups and value == head:
            groups[-1].append(item)
        else:
            groups.append([item])
            head = value
    return groups


def group_close(keyed: list[tuple[float, T]]) -> list[list[T]]:
    """Like group_equal, but a value within TOLERANCE of its group's first joins it.

    Measuring from the group's first (highest) member rather than from the previous
    value keeps 10, 10 - 0.6e-9, 10 - 1.2e-9 from chaining into one group, and as
    the groups depend only on the sorted values, the input order cannot change them.
    """
    keyed.sort(key=_key, reverse=True)
    groups: list[list[T]] = []
    head = 0.0
    for value, item in keyed:
        if groups and head - value <= TOLERANCE:
            groups[-1].append(item)
        else:
            groups.append([item])
            head = value
    return groups
