"""The fairness statistics (scoring/fairness.py) on worked examples."""

import pytest

from scoring.fairness import icc1, judge_fairness, without_judge

# Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges; their ICC(1,1) is 0.17.
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]


def _sheets(table: list[list[int]]) -> list[tuple[int, int, int]]:
    return [(j + 1, e + 1, v) for e, row in enumerate(table) for j, v in enumerate(row)]


def test_icc1_matches_shrout_and_fleiss() -> None:
    assert icc1(_sheets(SHROUT_FLEISS)) == pytest.approx(0.1657, abs=1e-4)


def test_icc1_perfect_agreement_and_undefined_cases() -> None:
    assert icc1([(1, 1, 50), (2, 1, 50), (1, 2, 90), (2, 2, 90)]) == 1
    assert icc1([(1, 1, 50), (2, 1, 60)]) is None  # one entry scored twice
    assert icc1([(1, 1, 50), (2, 1, 50), (1, 2, 50), (2, 2, 50)]) is None  # no variation


def test_icc1_unbalanced_design_uses_n0() -> None:
    # Entry 1 by three judges, entry 2 by two: n0 = (5 - 13/5) / 1 = 2.4.
    sheets = [(1, 1, 10), (2, 1, 12), (3, 1, 14), (1, 2, 20), (2, 2, 22)]
    # MSB = (3*(12-15.6)^2 + 2*(21-15.6)^2) / 1 = 97.2; MSW = (8 + 2) / 3
    msb, msw, n0 = 97.2, 10 / 3, 2.4
    assert icc1(sheets) == pytest.approx((msb - msw) / (msb + (n0 - 1) * msw))


def test_lenient_judge_and_outlier() -> None:
    # Judges 1-3 agree within a point; judge 4 gives 20 points more everywhere.
    table = [[700, 705, 710, 900], [600, 610, 605, 800], [800, 800, 795, 1000]]
    found = {j.judge_id: j for j in judge_fairness(_sheets(table))}

    assert found[4].leniency == pytest.approx(
        ((900 - 705) + (800 - 605) + (1000 - 2395 / 3)) / 3 / 10
    )
    assert found[1].leniency is not None
    assert found[1].leniency < 0
    assert found[4].outliers == 3
    assert [found[j].outliers for j in (1, 2, 3)] == [0, 0, 0]
    assert (found[4].sheets, found[4].mean) == (3, 90.0)
    assert found[4].sd == pytest.approx(8.165, abs=1e-3)


def test_judge_alone_on_entries_has_no_leniency() -> None:
    [alone] = judge_fairness([(7, 1, 500), (7, 2, 600)])

    assert (alone.leniency, alone.outliers, alone.sheets) == (None, 0, 2)


def test_without_judge_drops_only_that_judge() -> None:
    sheets = {1: [(500, 7, 1), (600, 8, 1)], 2: [(700, 7, 2)]}

    assert without_judge(sheets, 7) == {1: [(600, 8, 1)], 2: []}
