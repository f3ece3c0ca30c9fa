"""Rules 3 (aggregation) and 4 (carry-over), normalization none."""

from fractions import Fraction

import pytest

from scoring import Aggregation, Normalization, RoundRules, carry_over, score_entries, score_round
from tests.scoring.builders import score

TRIMMED = RoundRules()
MEAN = RoundRules(aggregation=Aggregation.mean)


@pytest.mark.parametrize(
    ("rules", "by_judge", "expected", "dropped"),
    [
        # trimmed mean, 5 judges: drop one highest and one lowest
        (TRIMMED, {1: 800, 2: 755, 3: 900, 4: 600, 5: 825}, Fraction(238, 3), (3, 4)),
        # fewer than trim_min_judges: plain mean
        (TRIMMED, {1: 700, 2: 800, 3: 850, 4: 900}, Fraction("81.25"), ()),
        (TRIMMED, {7: 555}, Fraction("55.5"), ()),
        # six judges: still only one of each end dropped
        (TRIMMED, {1: 100, 2: 200, 3: 300, 4: 400, 5: 500, 6: 600}, Fraction(35), (6, 1)),
        # equal lowest: the lowest judge id is struck; equal highest: the highest id
        (TRIMMED, {1: 700, 2: 700, 3: 800, 4: 900, 5: 900}, Fraction(80), (5, 1)),
        # all equal: two distinct judges are struck, score unchanged
        (TRIMMED, {4: 500, 9: 500, 2: 500, 3: 500, 8: 500}, Fraction(50), (9, 2)),
        # aggregation mean never trims
        (MEAN, {1: 800, 2: 755, 3: 900, 4: 600, 5: 825}, Fraction("77.6"), ()),
        # trim_min_judges 3 trims three judges down to the middle one
        (RoundRules(trim_min_judges=3), {1: 100, 2: 950, 3: 400}, Fraction(40), (2, 1)),
        (RoundRules(trim_min_judges=6), {1: 100, 2: 200, 3: 300, 4: 400, 5: 550}, Fraction(31), ()),
    ],
)
def test_round_score_aggregation_table(rules, by_judge, expected, dropped):
    entry = score({1: by_judge}, rules).entries[1]

    assert entry.round_score == expected
    assert entry.dropped_judge_ids == dropped
    assert entry.judge_count == len(by_judge)


@pytest.mark.parametrize(
    ("by_judge", "median"),
    [
        ({1: 800}, Fraction(80)),
        ({1: 800, 2: 755}, Fraction("77.75")),  # even count: mean of the middle two
        ({1: 700, 2: 800, 3: 850, 4: 900}, Fraction("82.5")),
        ({1: 800, 2: 755, 3: 900, 4: 600, 5: 825}, Fraction(80)),
    ],
)
def test_median_odd_and_even_counts(by_judge, median):
    assert score({1: by_judge}).entries[1].median == median


def test_round_score_is_exact_fraction_without_rounding():
    entry = score({1: {1: 1, 2: 0, 3: 0}}).entries[1]

    assert entry.round_score == Fraction(1, 30)
    assert isinstance(entry.round_score, Fraction)


def test_unscored_entry_has_no_scores():
    scores = score({1: {1: 800}}, tracks={1: "startup", 2: "startup"})

    unscored = scores.entries[2]
    assert (unscored.judge_count, unscored.round_score, unscored.combined, unscored.median) == (
        0,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("round_score", "previous", "weight", "expected"),
    [
        (Fraction(90), Fraction(80), Fraction(3, 10), Fraction(87)),
        (Fraction(90), Fraction(80), Fraction(0), Fraction(90)),
        (Fraction(238, 3), Fraction("81.25"), Fraction(1, 2), Fraction(1927, 24)),
        (Fraction(90), None, Fraction(3, 10), Fraction(90)),  # no previous: round score
        (90.0, 80.0, Fraction(3, 10), pytest.approx(87.0, abs=1e-12)),
    ],
)
def test_carry_over_table(round_score, previous, weight, expected):
    assert carry_over(round_score, previous, weight) == expected


def test_score_round_carry_over_only_for_entries_with_previous_score():
    rules = RoundRules(carry_over_weight=Fraction(3, 10))

    scores = score({1: {1: 900}, 2: {1: 900}}, rules, previous={1: Fraction(80)})

    assert (scores.entries[1].round_score, scores.entries[1].combined) == (90, 87)
    assert (scores.entries[2].round_score, scores.entries[2].combined) == (90, 90)


def test_score_round_float_previous_taken_at_exact_binary_value():
    rules = RoundRules(carry_over_weight=Fraction(1, 2))

    entry = score({1: {1: 900}}, rules, previous={1: 0.1}).entries[1]

    assert entry.combined == (Fraction(90) + Fraction(0.1)) / 2


def test_score_round_rejects_sheet_for_entry_outside_round():
    with pytest.raises(ValueError, match="not in the round"):
        score({1: {1: 800}}, tracks={2: "startup"})


def test_score_round_rejects_two_sheets_from_one_judge():
    from scoring import score_round

    with pytest.raises(ValueError, match="same judge"):
        score_round([(1, 1, 800), (1, 1, 700)], RoundRules(), tracks={1: "startup"})


@pytest.mark.parametrize("rules", [TRIMMED, MEAN, RoundRules(normalization=Normalization.zscore)])
def test_score_entries_matches_score_round_and_ignores_extra_columns(rules):
    sheets = [(j, e, 500 + 37 * j * e % 400) for e in (1, 2, 3) for j in range(1, 6)]
    tracks = {1: "startup", 2: "startup", 3: "creative", 4: "creative"}
    # Rows as the results service passes them: (total, judge, entry, *tie-break values).
    by_entry: dict[int, list[tuple[int, ...]]] = {4: []}
    for judge_id, entry_id, tenths in sheets:
        by_entry.setdefault(entry_id, []).append((tenths, judge_id, entry_id, 99, 7))

    grouped = score_entries(by_entry, rules, tracks=tracks)

    assert grouped == score_round(sheets, rules, tracks=tracks)
    assert grouped.entries[4].combined is None


def test_score_entries_rejects_what_score_round_rejects():
    with pytest.raises(ValueError, match="not in the round"):
        score_entries({1: [(800, 1)]}, RoundRules(), tracks={2: "startup"})
    with pytest.raises(ValueError, match="same judge"):
        score_entries({1: [(800, 1), (700, 1)]}, RoundRules(), tracks={1: "startup"})
