"""Rule 5: ranking and its tie-breakers, normalization none."""

from fractions import Fraction

import pytest

from scoring import RoundRules
from tests.scoring.builders import needing, only_ranking, rank, rows, score

SAME = {1: 800, 2: 800, 3: 800}


def test_rank_tie_surviving_median_and_criteria_shares_rank():
    scores = score({1: {1: 900}, 2: SAME, 3: SAME, 4: {1: 700}})

    ranking = only_ranking(scores, {2: [240, 200], 3: [240, 200]})

    assert rows(ranking) == [(1, 1, False), (2, 2, True), (3, 2, True), (4, 4, False)]


def test_rank_tie_broken_by_second_tiebreak_criterion():
    scores = score({1: SAME, 2: SAME})

    ranking = only_ranking(scores, {1: [240, 100], 2: [240, 120]})

    assert rows(ranking) == [(2, 1, False), (1, 2, False)]


def test_rank_criteria_compare_means_not_sums():
    # Entry 1: two judges, criterion sum 500 -> mean 250; entry 2: four judges, 800 -> 200.
    scores = score({1: {1: 800, 2: 800}, 2: {3: 800, 4: 800, 5: 800, 6: 800}})

    ranking = only_ranking(scores, {1: [500], 2: [800]})

    assert rows(ranking) == [(1, 1, False), (2, 2, False)]


def test_rank_median_breaks_equal_combined_scores():
    # Both average 80 over three judges; medians 85 and 80.
    scores = score({1: {1: 700, 2: 850, 3: 850}, 2: {1: 750, 2: 800, 3: 850}})

    assert needing(scores) == frozenset()
    assert rows(only_ranking(scores)) == [(1, 1, False), (2, 2, False)]


def test_rank_exact_equality_of_fractions_with_different_judge_counts():
    # 79.33... from three kept totals equals 238/3 from plain mean of three: equal means equal.
    scores = score({1: {1: 800, 2: 755, 3: 900, 4: 600, 5: 825}, 2: {1: 800, 2: 755, 3: 825}})

    assert scores.entries[1].combined == scores.entries[2].combined == Fraction(238, 3)
    assert needing(scores) == frozenset({1, 2})


def test_rank_unscored_entries_last_without_rank():
    scores = score({5: {1: 600}, 1: {1: 700}}, tracks={1: "s", 3: "s", 5: "s", 2: "s"})

    ranking = only_ranking(scores)

    assert rows(ranking) == [(1, 1, False), (5, 2, False), (2, None, False), (3, None, False)]
    assert ranking.entries[-1].score.combined is None


def test_rank_tied_entries_listed_by_entry_id():
    scores = score({9: SAME, 4: SAME, 7: SAME})

    ranking = only_ranking(scores, {9: [1], 4: [1], 7: [1]})

    assert rows(ranking) == [(4, 1, True), (7, 1, True), (9, 1, True)]


def test_rank_without_tiebreak_criteria_ties_stay_tied():
    scores = score({1: SAME, 2: SAME})

    ranking = only_ranking(scores, {1: [], 2: []})

    assert rows(ranking) == [(1, 1, True), (2, 1, True)]


def test_rank_missing_criterion_sums_for_tied_entry_raises():
    scores = score({1: SAME, 2: SAME})

    with pytest.raises(ValueError, match=r"criterion sums needed for tied entries \[2\]"):
        only_ranking(scores, {1: [240]})


def test_rank_per_track_and_overall():
    totals = {1: {1: 900}, 2: {1: 800}, 3: {1: 850}, 4: {1: 700}}
    tracks = {1: "startup", 2: "creative", 3: "startup", 4: "creative"}
    scores = score(totals, tracks=tracks)

    creative, startup = rank(scores)
    (overall,) = rank(scores, by_track=False)

    assert (creative.scope, rows(creative)) == ("creative", [(2, 1, False), (4, 2, False)])
    assert (startup.scope, rows(startup)) == ("startup", [(1, 1, False), (3, 2, False)])
    assert (overall.scope, [r.entry_id for r in overall.entries]) == (None, [1, 3, 2, 4])


def test_entries_needing_criteria_only_within_scope():
    tracks = {1: "startup", 2: "creative", 3: "creative"}
    scores = score({1: SAME, 2: SAME, 3: SAME}, tracks=tracks)

    assert needing(scores) == frozenset({2, 3})
    assert needing(scores, by_track=False) == frozenset({1, 2, 3})


def test_rank_orders_by_combined_not_round_score():
    rules = RoundRules(carry_over_weight=Fraction(1, 2))
    # Entry 1: round 80, combined (80 + 100) / 2 = 90; entry 2: round 85, no previous.
    scores = score({1: {1: 800}, 2: {1: 850}}, rules, previous={1: Fraction(100)})

    assert rows(only_ranking(scores)) == [(1, 1, False), (2, 2, False)]


def test_rank_criterion_sums_of_different_lengths_rejected():
    scores = score({1: SAME, 2: SAME})

    with pytest.raises(ValueError, match="one value per tie-break criterion"):
        only_ranking(scores, {1: [240, 100], 2: [240]})


@pytest.mark.parametrize("by_track", [True, False])
def test_rank_empty_round_and_unscored_only_round(by_track):
    empty = score({}, tracks={})
    unscored = score({}, tracks={2: "startup", 1: "startup"})

    assert [rows(r) for r in rank(empty, by_track=by_track)] == ([] if by_track else [[]])
    assert [rows(r) for r in rank(unscored, by_track=by_track)] == [
        [(1, None, False), (2, None, False)]
    ]
