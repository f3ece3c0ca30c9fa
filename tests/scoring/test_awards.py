"""Rule 9: award tiers, ties across a tier boundary and their resolution."""

import pytest

from scoring import (
    Allocation,
    AwardConflict,
    BoundaryTie,
    TieProblem,
    Tier,
    allocate_awards,
)
from tests.scoring.builders import rank, ranking_of, score

G, S, B, E = Tier.gold, Tier.silver, Tier.bronze, Tier.excellence


def tiers_of(result):
    assert not isinstance(result, AwardConflict), result
    return [(a.entry_id, a.tier) for a in result]


def test_awards_default_counts_gold_one_silver_two_bronze_three():
    ranking = ranking_of([990, 980, 970, 960, 950, 940, 930])

    result = allocate_awards([ranking])

    assert tiers_of(result) == [(1, G), (2, S), (3, S), (4, B), (5, B), (6, B)]
    assert result[0] == Allocation(1, G, "startup")


def test_awards_tie_inside_one_tier_needs_nothing():
    ranking = ranking_of([990, 980, 980, 960])

    assert tiers_of(allocate_awards([ranking])) == [(1, G), (2, S), (3, S), (4, B)]


def test_awards_two_tied_for_first_with_one_gold_reported():
    ranking = ranking_of([990, 990, 970])

    result = allocate_awards([ranking])

    assert result == AwardConflict(
        ties=(BoundaryTie("startup", 1, (1, 2), (G, S), TieProblem.unresolved),)
    )


def test_awards_two_tied_for_first_resolved_gold_and_silver():
    ranking = ranking_of([990, 990, 970])

    result = allocate_awards([ranking], resolve={2: G, 1: S})

    assert tiers_of(result) == [(2, G), (1, S), (3, S)]


@pytest.mark.parametrize(
    "resolve",
    [
        {1: G, 2: G},  # two golds for one gold place
        {1: S, 2: S},  # the gold place left empty
        {1: G},  # entry 2 left without the silver place the tie spans
        {1: G, 2: B},
    ],
)
def test_awards_inconsistent_resolve_reported(resolve):
    ranking = ranking_of([990, 990, 970])

    result = allocate_awards([ranking], resolve=resolve)

    assert isinstance(result, AwardConflict)
    assert [(t.entry_ids, t.problem) for t in result.ties] == [((1, 2), TieProblem.mismatch)]


def test_awards_tie_across_last_place_resolved_with_no_award():
    # Bronze places are 4-6; entries 6 and 7 tie for the last one.
    ranking = ranking_of([990, 980, 970, 960, 950, 940, 940, 900])

    unresolved = allocate_awards([ranking])
    resolved = allocate_awards([ranking], resolve={7: B, 6: None})

    assert isinstance(unresolved, AwardConflict)
    assert unresolved.ties[0].places == (B, None)
    assert tiers_of(resolved)[-1] == (7, B)
    assert 6 not in [entry_id for entry_id, _ in tiers_of(resolved)]


def test_awards_resolve_for_untied_entry_is_stray():
    ranking = ranking_of([990, 980])

    result = allocate_awards([ranking], resolve={2: G})

    assert result == AwardConflict(ties=(), stray_entry_ids=(2,))


def test_awards_custom_tiers_filled_in_canonical_order():
    ranking = ranking_of([990, 980, 970, 960])

    result = allocate_awards([ranking], tiers=[(E, 2), (G, 1), (B, 0)])

    assert tiers_of(result) == [(1, G), (2, E), (3, E)]


def test_awards_unscored_entries_get_nothing():
    ranking = ranking_of([990], unscored=4)

    assert tiers_of(allocate_awards([ranking])) == [(1, G)]


def test_awards_per_track_and_overall():
    totals = {1: {1: 990}, 2: {1: 980}, 3: {1: 970}, 4: {1: 960}}
    tracks = {1: "startup", 2: "startup", 3: "creative", 4: "creative"}
    scores = score(totals, tracks=tracks)

    per_track = allocate_awards(rank(scores), tiers=[(G, 1)])
    overall = allocate_awards(rank(scores, by_track=False), tiers=[(G, 1)])

    assert per_track == (Allocation(3, G, "creative"), Allocation(1, G, "startup"))
    assert overall == (Allocation(1, G, "startup"),)


def test_awards_conflicts_listed_for_every_track():
    totals = {1: {1: 990}, 2: {1: 990}, 3: {1: 970}, 4: {1: 970}}
    tracks = {1: "startup", 2: "startup", 3: "creative", 4: "creative"}
    scores = score(totals, tracks=tracks)

    result = allocate_awards(rank(scores, dict.fromkeys(totals, [0])))

    assert isinstance(result, AwardConflict)
    assert [(t.scope, t.entry_ids) for t in result.ties] == [
        ("creative", (3, 4)),
        ("startup", (1, 2)),
    ]


@pytest.mark.parametrize("tiers", [[(G, 1), (G, 2)], [(G, -1)], [("platinum", 1)]])
def test_awards_invalid_tiers_rejected(tiers):
    with pytest.raises(ValueError):
        allocate_awards([ranking_of([990])], tiers=tiers)
