import pytest

from scoring import judge_total


@pytest.mark.parametrize(
    ("values_tenths", "expected"),
    [
        ([], 0),
        ([275], 275),
        ([300, 250, 200, 150, 100], 1000),  # the 100-point default rubric at full marks
        ([275, 0, 183, 91, 7], 556),
    ],
)
def test_judge_total_sums_criterion_values(values_tenths, expected):
    assert judge_total(values_tenths) == expected
