"""Rule 2: z-score normalisation, worked by hand."""

import math
from fractions import Fraction

import pytest

from scoring import Normalization, RoundRules, normalised_total, zscore_params
from tests.scoring.builders import only_ranking, rows, score, sheets_of

ZSCORE = RoundRules(normalization=Normalization.zscore)

# A harsh judge 1 scores entries 1-3, a lenient judge 2 entries 4-6, one sheet each.
HARSH_AND_LENIENT = {
    1: {1: 600},  # 60
    2: {1: 700},  # 70
    3: {1: 800},  # 80
    4: {2: 850},  # 85
    5: {2: 900},  # 90
    6: {2: 950},  # 95
}
# m_1 = 70, s_1 = sqrt((100 + 0 + 100) / 3) = sqrt(200/3)
# m_2 = 90, s_2 = sqrt((25 + 0 + 25) / 3) = sqrt(50/3)
# M = (60 + 70 + 80 + 85 + 90 + 95) / 6 = 80
# S = sqrt((400 + 100 + 0 + 25 + 100 + 225) / 6) = sqrt(850/6)
# z = (t - m_j) / s_j: entries 1 and 4 -> -sqrt(3/2), 2 and 5 -> 0, 3 and 6 -> +sqrt(3/2)
# t' = M + S * z, so with D = S * sqrt(3/2) = sqrt(850/6 * 3/2) = sqrt(212.5) = 14.5774...
D = math.sqrt(212.5)


def test_zscore_params_by_hand():
    params = zscore_params(sheets_of(HARSH_AND_LENIENT))

    assert params.mean == pytest.approx(80, abs=1e-12)
    assert params.std == pytest.approx(math.sqrt(850 / 6), abs=1e-12)
    assert params.judges[1].mean == pytest.approx(70, abs=1e-12)
    assert params.judges[1].std == pytest.approx(math.sqrt(200 / 3), abs=1e-12)
    assert params.judges[2].mean == pytest.approx(90, abs=1e-12)
    assert params.judges[2].std == pytest.approx(math.sqrt(50 / 3), abs=1e-12)


@pytest.mark.parametrize(
    ("judge_id", "tenths", "expected"),
    [(1, 600, 80 - D), (1, 700, 80), (1, 800, 80 + D), (2, 850, 80 - D), (2, 950, 80 + D)],
)
def test_normalised_total_by_hand(judge_id, tenths, expected):
    params = zscore_params(sheets_of(HARSH_AND_LENIENT))

    assert normalised_total(params, judge_id, tenths) == pytest.approx(expected, abs=1e-9)


def test_zscore_round_scores_by_hand():
    scores = score(HARSH_AND_LENIENT, ZSCORE)

    got = {entry_id: entry.round_score for entry_id, entry in scores.entries.items()}
    expected = {1: 80 - D, 2: 80, 3: 80 + D, 4: 80 - D, 5: 80, 6: 80 + D}
    assert got == pytest.approx(expected, abs=1e-9)


def test_zscore_ranking_equal_within_tolerance_then_criteria():
    # Raw order would be 6, 5, 4, 3, 2, 1; normalised, 3 and 6 are equal (80 + D),
    # so are 2 and 5, and 1 and 4. Criterion means separate 3 from 6 only.
    scores = score(HARSH_AND_LENIENT, ZSCORE)
    sums = {1: [100], 2: [150], 3: [300], 4: [100], 5: [150], 6: [250]}

    ranking = only_ranking(scores, sums)

    assert rows(ranking) == [
        (3, 1, False),
        (6, 2, False),
        (2, 3, True),
        (5, 3, True),
        (1, 5, True),
        (4, 5, True),
    ]


def test_zscore_judge_with_fewer_than_three_totals_keeps_raw():
    params = zscore_params(sheets_of({1: {1: 600, 2: 900}, 2: {1: 700, 2: 650}}))

    assert params.judges == {}
    assert normalised_total(params, 1, 600) == 60.0


def test_zscore_judge_with_zero_spread_keeps_raw():
    totals = {1: {1: 700, 2: 500}, 2: {1: 700, 2: 600}, 3: {1: 700, 2: 800}}

    params = zscore_params(sheets_of(totals))

    assert set(params.judges) == {2}  # judge 1 gave 70 three times
    assert normalised_total(params, 1, 700) == 70.0


def test_zscore_score_round_matches_normalised_total():
    totals = {1: {1: 600, 2: 910}, 2: {1: 705, 2: 800}, 3: {1: 800, 2: 655}, 4: {3: 500}}
    scores = score(totals, RoundRules(normalization="zscore", aggregation="mean"))
    params = scores.zscore
    assert params is not None

    for entry_id, by_judge in totals.items():
        values = [normalised_total(params, j, t) for j, t in by_judge.items()]
        assert scores.entries[entry_id].round_score == pytest.approx(
            sum(values) / len(values), abs=1e-12
        )


def test_zscore_of_empty_round_is_empty():
    params = zscore_params([])

    assert (params.mean, params.std, params.judges) == (0.0, 0.0, {})


def test_zscore_carry_over_with_exact_previous_score():
    rules = RoundRules(normalization="zscore", carry_over_weight=Fraction(1, 2))

    scores = score(HARSH_AND_LENIENT, rules, previous={2: Fraction(90)})

    assert scores.entries[2].combined == pytest.approx((80 + 90) / 2, abs=1e-9)
    assert scores.entries[5].combined == pytest.approx(80, abs=1e-9)
