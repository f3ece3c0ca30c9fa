"""Grouping equal values exactly, or within TOLERANCE under zscore (rule 6)."""

import random
from fractions import Fraction

from scoring.ties import as_integers, group_close, group_equal, lexicographic


def test_group_close_measures_from_group_first_member():
    values = [10.0, 10.0 - 0.6e-9, 10.0 - 1.2e-9, 9.0]

    groups = group_close([(v, v) for v in values])

    assert groups == [[10.0, 10.0 - 0.6e-9], [10.0 - 1.2e-9], [9.0]]


def test_group_close_independent_of_input_order():
    values = [10.0, 10.0 - 0.6e-9, 10.0 - 1.2e-9, 10.0 - 1.7e-9, 9.0, 9.0 + 1e-10]
    expected = group_close([(v, v) for v in values])

    for seed in range(20):
        shuffled = values[:]
        random.Random(seed).shuffle(shuffled)
        assert group_close([(v, v) for v in shuffled]) == expected


def test_group_equal_exact_highest_first():
    groups = group_equal([(3, "a"), (5, "b"), (3, "c"), (4, "d")])

    assert groups == [["b"], ["d"], ["a", "c"]]


def test_as_integers_keeps_order_and_ties():
    values = [Fraction(238, 3), Fraction(325, 4), Fraction(476, 6), Fraction(79)]

    assert as_integers(values) == [952, 975, 952, 948]


def test_lexicographic_orders_like_pairs():
    first, second = [2, 2, 1, 3], [-5, 7, 100, -5]

    keys = lexicographic(first, second)

    pairs = list(zip(first, second, strict=True))
    assert sorted(range(4), key=keys.__getitem__) == sorted(range(4), key=pairs.__getitem__)
