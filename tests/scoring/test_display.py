"""Rule 7: two decimals, rounded half up."""

from decimal import Decimal
from fractions import Fraction

import pytest

from scoring import format_score, points, points_text


@pytest.mark.parametrize(
    ("score", "shown"),
    [
        (Fraction(238, 3), "79.33"),
        (Fraction(2675, 1000), "2.68"),  # exactly half: up
        (Fraction(2665, 1000), "2.67"),  # half-even would give 2.66
        (Fraction(325, 4), "81.25"),
        (Fraction(87), "87.00"),
        (Fraction(1, 3), "0.33"),
        (Fraction(2, 3), "0.67"),
        (Fraction(99995, 1000), "100.00"),
        (Fraction(0), "0.00"),
        (Fraction(-1, 1000), "0.00"),  # never "-0.00"
        (Fraction(-5, 1000), "-0.01"),  # half away from zero, as Decimal's ROUND_HALF_UP
        (87, "87.00"),
        (Decimal("2.675"), "2.68"),
        (2.675, "2.68"),  # the float is 2.67499999999999982236431605997495353221893310546875
        (79.33499999999999, "79.34"),  # binary noise below 1e-9 is not a real difference
        (79.3349, "79.33"),
        (70.01987, "70.02"),
    ],
)
def test_format_score_table(score, shown):
    assert format_score(score) == shown


@pytest.mark.parametrize(
    ("tenths", "shown", "number"),
    [(275, "27.5", 27.5), (200, "20.0", 20.0), (0, "0.0", 0.0), (5, "0.5", 0.5),
     (1000, "100.0", 100.0), (-5, "-0.5", -0.5)],
)
def test_points_text_and_number_of_stored_tenths(tenths: int, shown: str, number: float) -> None:
    assert points_text(tenths) == shown
    assert points(tenths) == number
