"""Which step of the tie-break chain decided a rank (docs/rules.md 3.5, API ``tie_break``)."""

from scoring import Normalization, RoundRules, tie_breaks
from tests.scoring.builders import only_ranking, score

SAME = {1: 800, 2: 800, 3: 800}


def _steps(scores, sums=None, normalization=Normalization.none):
    ranking = only_ranking(scores, sums)
    return tie_breaks(ranking, normalization=normalization, criterion_sums=sums or {})


def test_tie_break_none_when_scores_differ():
    scores = score({1: {1: 900}, 2: {1: 800}})

    assert _steps(scores) == {}


def test_tie_break_median_names_both_entries():
    # Both average 80 over three judges; medians 85 and 80.
    scores = score({1: {1: 700, 2: 850, 3: 850}, 2: {1: 750, 2: 800, 3: 850}})

    assert _steps(scores) == {1: "median", 2: "median"}


def test_tie_break_second_criterion_gives_its_index():
    scores = score({1: SAME, 2: SAME, 3: {1: 500}})

    steps = _steps(scores, {1: [240, 100], 2: [240, 120]})

    assert steps == {2: 1, 1: 1}


def test_tie_break_first_criterion_compares_means():
    # Entry 1: mean 250 over two sheets; entry 2: mean 200 over four.
    scores = score({1: {1: 800, 2: 800}, 2: {3: 800, 4: 800, 5: 800, 6: 800}})

    assert _steps(scores, {1: [500], 2: [800]}) == {1: 0, 2: 0}


def test_tie_break_still_tied_rows_have_none():
    scores = score({1: SAME, 2: SAME, 3: SAME})

    steps = _steps(scores, {1: [250], 2: [240], 3: [240]})

    # Entry 1 wins on the criterion; 2 and 3 stay tied and say so by their tie.
    assert steps == {1: 0}


def test_tie_break_tied_group_below_a_median_win():
    scores = score({1: {1: 700, 2: 850, 3: 850}, 2: {1: 750, 2: 800, 3: 850},
                    3: {1: 750, 2: 800, 3: 850}})

    steps = _steps(scores, {2: [10], 3: [10]})

    assert steps == {1: "median"}


def test_tie_break_zscore_uses_tolerance():
    rules = RoundRules(normalization=Normalization.zscore)
    scores = score({1: {1: 700, 2: 850, 3: 850}, 2: {1: 750, 2: 800, 3: 850}}, rules)

    steps = _steps(scores, normalization=Normalization.zscore)

    assert set(steps.values()) <= {"median"}
