"""A worked example of the rules of docs/rules.md section 3, checked literally.

Rubric A (max 30, tiebreak_priority 1), B (max 40), C (max 30); aggregation
trimmed_mean, trim_min_judges 5, normalization none.
"""

from fractions import Fraction

from scoring import (
    Aggregation,
    Normalization,
    RoundRules,
    carry_over,
    format_score,
)
from tests.scoring.builders import needing, only_ranking, rows, score

X, Y, Z = 1, 2, 3
RULES = RoundRules(
    aggregation=Aggregation.trimmed_mean, trim_min_judges=5, normalization=Normalization.none
)
TOTALS = {
    X: {1: 800, 2: 755, 3: 900, 4: 600, 5: 825},  # 80.0 75.5 90.0 60.0 82.5
    Y: {1: 700, 2: 800, 3: 850, 4: 900},  # 70 80 85 90
    Z: {1: 793, 2: 794, 3: 793, 4: 793, 5: 794},  # 79.3 79.4 79.3 79.3 79.4
}


def test_worked_example_x_drops_highest_and_lowest():
    x = score(TOTALS, RULES).entries[X]

    assert x.dropped_judge_ids == (3, 4)  # 90.0 by judge 3, 60.0 by judge 4
    assert x.round_score == Fraction(238, 3)  # (80.0 + 75.5 + 82.5) / 3
    assert format_score(x.round_score) == "79.33"


def test_worked_example_y_fewer_than_five_judges_plain_mean():
    y = score(TOTALS, RULES).entries[Y]

    assert y.dropped_judge_ids == ()
    assert y.round_score == Fraction("81.25")


def test_worked_example_z_equals_x_exactly_but_loses_on_median():
    scores = score(TOTALS, RULES)
    x, z = scores.entries[X], scores.entries[Z]

    assert z.round_score == x.round_score == Fraction(238, 3)  # (79.3 + 79.3 + 79.4) / 3
    assert (x.median, z.median) == (Fraction(80), Fraction("79.3"))
    assert needing(scores) == frozenset()


def test_worked_example_ranking_y_x_z_without_ties():
    ranking = only_ranking(score(TOTALS, RULES))

    assert rows(ranking) == [(Y, 1, False), (X, 2, False), (Z, 3, False)]


def test_worked_example_carry_over_weight_three_tenths():
    combined = carry_over(Fraction(90), Fraction(80), Fraction(3, 10))

    assert combined == 87  # 0.7 * 90 + 0.3 * 80
