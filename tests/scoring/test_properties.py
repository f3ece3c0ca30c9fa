"""Hypothesis properties of the scoring rules (docs/rules.md section 3)."""

import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from scoring import (
    Aggregation,
    AwardConflict,
    Normalization,
    RoundRules,
    RoundScores,
    Tier,
    allocate_awards,
    entries_needing_criteria,
    normalised_total,
    order_by_score,
    preview_advancement,
    rank_round,
    score_round,
)
from scoring.types import Ranking
from tests.scoring import reference
from tests.scoring.builders import sheets_of

FAST = settings(max_examples=150, deadline=None)
TRACKS = ("startup", "creative")
# Few distinct totals, so that exact ties (and ties surviving the median) are common.
OUTLIER = st.integers(0, 500)
TENTHS = st.one_of(st.sampled_from([600, 700, 750, 800, 900]), st.integers(0, 1000))


@dataclass
class Round:
    totals: dict[int, dict[int, int]]  # entry_id -> {judge_id: tenths}; {} = unscored
    tracks: dict[int, str]
    sums: dict[int, tuple[int, ...]]  # tie-break criterion sums of every entry
    previous: dict[int, Fraction] = field(default_factory=dict)

    def score(self, rules: RoundRules) -> RoundScores:
        return score_round(
            sheets_of(self.totals), rules, tracks=self.tracks, previous=self.previous
        )

    def rank(self, scores: RoundScores, *, by_track: bool = True) -> tuple[Ranking, ...]:
        order = order_by_score(scores, by_track=by_track)
        sums = {entry_id: self.sums[entry_id] for entry_id in entries_needing_criteria(order)}
        return rank_round(order, criterion_sums=sums)


@st.composite
def rounds(draw, max_entries=8, judges=6, min_judges=0):
    totals = {}
    for entry_id in range(1, draw(st.integers(1, max_entries)) + 1):
        panel = draw(
            st.lists(st.integers(1, judges), min_size=min_judges, max_size=judges, unique=True)
        )
        totals[entry_id] = {judge_id: draw(TENTHS) for judge_id in panel}
    criterion = st.sampled_from([100, 200, 250])  # coarse: some ties survive the criteria
    return Round(
        totals=totals,
        tracks={entry_id: draw(st.sampled_from(TRACKS)) for entry_id in totals},
        sums={entry_id: draw(st.tuples(criterion, criterion)) for entry_id in totals},
        previous={
            entry_id: Fraction(draw(st.integers(500, 1000)), 10)
            for entry_id in totals
            if draw(st.booleans())
        },
    )


exact_rules = st.builds(
    RoundRules,
    aggregation=st.sampled_from(Aggregation),
    trim_min_judges=st.integers(3, 6),
    carry_over_weight=st.sampled_from([Fraction(0), Fraction(3, 10), Fraction(1, 2)]),
)
any_rules = st.builds(
    RoundRules,
    aggregation=st.sampled_from(Aggregation),
    trim_min_judges=st.integers(3, 6),
    normalization=st.sampled_from(Normalization),
    carry_over_weight=st.sampled_from([Fraction(0), Fraction(3, 10)]),
)


def struck_values(data: Round, scores: RoundScores, entry_id: int) -> list[float | int]:
    """The values the trimmed mean struck from the entry (judge ids may be relabelled).

    Under z-score these are the normalised totals: two judges whose different raw totals
    normalise to the same value are tied, and the rule strikes the one with the lower
    (or higher) judge id, so relabelling the judges may strike the other raw total.
    """
    entry = scores.entries[entry_id]
    totals = data.totals[entry_id]
    if scores.zscore is None:
        return sorted(totals[j] for j in entry.dropped_judge_ids)
    return sorted(normalised_total(scores.zscore, j, totals[j]) for j in entry.dropped_judge_ids)


def outcome(data: Round, scores: RoundScores) -> tuple[object, ...]:
    """Everything a result shows, with dropped judges as the values they had."""
    entries = {
        entry_id: (
            e.track,
            e.judge_count,
            e.round_score,
            e.combined,
            e.median,
            struck_values(data, scores, entry_id),
        )
        for entry_id, e in scores.entries.items()
    }
    rankings = [
        (r.scope, [(x.entry_id, x.rank, x.tie) for x in r.entries]) for r in data.rank(scores)
    ]
    return entries, rankings


# -- reference oracle ---------------------------------------------------------------


@FAST
@given(data=rounds(), rules=exact_rules, by_track=st.booleans())
def test_property_ranking_matches_reference_implementation(data, rules, by_track):
    scores = data.score(rules)

    rankings = data.rank(scores, by_track=by_track)

    keys = reference.sort_keys(data.totals, rules, data.previous, data.sums)
    needed = entries_needing_criteria(order_by_score(scores, by_track=by_track))
    for ranking in rankings:
        members = [r.entry_id for r in ranking.entries]
        expected = reference.ranks(members, keys)
        assert {r.entry_id: (r.rank, r.tie) for r in ranking.entries} == expected
        ranked = [r.rank for r in ranking.entries if r.rank is not None]
        assert ranked == sorted(ranked)
        # criterion sums were asked for exactly the entries tied on combined score and median
        firsts = Counter(keys[e][:2] for e in members if e in keys)
        tied = {e for e in members if e in keys and firsts[keys[e][:2]] > 1}
        assert needed & set(members) == tied


@FAST
@given(data=rounds(), rules=exact_rules)
def test_property_round_scores_match_reference(data, rules):
    scores = data.score(rules)

    for entry_id, by_judge in data.totals.items():
        values = [Fraction(t, 10) for t in by_judge.values()]
        expected = reference.round_score(values, rules) if values else None
        assert scores.entries[entry_id].round_score == expected


# -- invariance -------------------------------------------------------------------


# Judge 2's 800 and judge 3's 400 are each that judge's mean, so both normalise to the
# round mean, 60.0, which is also judge 1's raw 600 (all equal: left raw): the entry's
# three values tie, and which raw totals are struck depends on the judges' ids.
THREE_TIED_NORMALISED_TOTALS = Round(
    totals={1: {1: 600, 2: 700, 3: 300}, 2: {1: 600, 2: 800, 3: 400}, 3: {1: 600, 2: 900, 3: 500}},
    tracks=dict.fromkeys((1, 2, 3), "startup"),
    sums=dict.fromkeys((1, 2, 3), (100, 100)),
)


@FAST
@given(data=rounds(), rules=any_rules, seed=st.integers(0, 2**32))
@example(
    data=THREE_TIED_NORMALISED_TOTALS,
    rules=RoundRules(Aggregation.trimmed_mean, 3, Normalization.zscore),
    seed=0,
)
def test_property_permuting_records_judges_and_entries_changes_nothing(data, rules, seed):
    rng = random.Random(seed)
    judges = sorted({j for by_judge in data.totals.values() for j in by_judge})
    relabel = dict(zip(judges, rng.sample(range(100, 200), len(judges)), strict=True))
    entry_order = list(data.totals)
    rng.shuffle(entry_order)
    permuted = Round(
        totals={
            e: {relabel[j]: t for j, t in reversed(list(data.totals[e].items()))}
            for e in entry_order
        },
        tracks={e: data.tracks[e] for e in entry_order},
        sums=data.sums,
        previous=data.previous,
    )
    sheets = sheets_of(permuted.totals)
    rng.shuffle(sheets)

    before = outcome(data, data.score(rules))
    after = outcome(
        permuted, score_round(sheets, rules, tracks=permuted.tracks, previous=data.previous)
    )

    assert after == before


@FAST
@given(data=rounds(min_judges=3), rules=exact_rules, high=OUTLIER, low=OUTLIER)
def test_property_trimmed_mean_ignores_how_extreme_the_extremes_are(data, rules, high, low):
    # Raising the highest total or lowering the lowest changes nothing once trimming applies.
    rules = RoundRules(trim_min_judges=rules.trim_min_judges)
    entry_id, by_judge = next(iter(data.totals.items()))
    assume(len(by_judge) >= rules.trim_min_judges)
    ordered = sorted(by_judge, key=lambda j: (by_judge[j], j))
    moved = dict(by_judge)
    moved[ordered[-1]] += high
    moved[ordered[0]] -= low

    before = data.score(rules).entries[entry_id]
    after = Round({entry_id: moved}, data.tracks, data.sums).score(rules).entries[entry_id]

    assert (after.round_score, after.median) == (before.round_score, before.median)


@FAST
@given(data=rounds(min_judges=3), rules=exact_rules, high=OUTLIER, low=OUTLIER)
def test_property_outlier_pair_is_what_gets_dropped(data, rules, high, low):
    # One total >= the max and one <= the min from two more judges are exactly the two
    # struck, so the score becomes the mean of all the original totals; median unchanged.
    # (It is not the original trimmed mean, which left out the original max and min.)
    rules = RoundRules(trim_min_judges=rules.trim_min_judges)
    entry_id, by_judge = next(iter(data.totals.items()))
    assume(len(by_judge) >= rules.trim_min_judges)
    extended = {**by_judge, 901: max(by_judge.values()) + high, 902: min(by_judge.values()) - low}

    before = data.score(rules).entries[entry_id]
    after = Round({entry_id: extended}, data.tracks, data.sums).score(rules).entries[entry_id]

    assert sorted(extended[j] for j in after.dropped_judge_ids) == [extended[902], extended[901]]
    assert after.round_score == Fraction(sum(by_judge.values()), 10 * len(by_judge))
    assert after.median == before.median


@st.composite
def full_panels(draw):
    """Every judge scores every entry (>= 3 each), so every judge is normalised."""
    judges = draw(st.integers(2, 4))
    entries = draw(st.integers(3, 7))
    totals = {
        e: {j: draw(st.integers(0, 1000)) for j in range(1, judges + 1)}
        for e in range(1, entries + 1)
    }
    return Round(
        totals=totals,
        tracks=dict.fromkeys(totals, "startup"),
        sums={e: (draw(st.sampled_from([100, 200])),) for e in totals},
    )


def _well_separated(values: list[float]) -> bool:
    """No two values in the band where the 1e-9 tolerance could see them differently."""
    ordered = sorted(values)
    return all(b - a < 1e-11 or b - a > 1e-6 for a, b in zip(ordered, ordered[1:], strict=False))


@FAST
@given(
    data=full_panels(),
    aggregation=st.sampled_from(Aggregation),
    a=st.integers(1, 4),
    b=st.integers(-300, 300),
)
def test_property_zscore_affine_rescaling_of_one_judge_keeps_ranking(data, aggregation, a, b):
    # t -> a*t + b for judge 1 leaves its z-scores unchanged. M and S move, but then every
    # normalised total moves by the same increasing map g(x) = M' + S'/S * (x - M), so
    # scores map through g and the ranking is unchanged (no carry-over, every judge
    # normalised: a judge left raw would not move with g).
    rules = RoundRules(aggregation=aggregation, normalization=Normalization.zscore)
    rescaled = {e: {**by, 1: a * by[1] + b} for e, by in data.totals.items()}
    before = data.score(rules)
    after = Round(rescaled, data.tracks, data.sums).score(rules)
    assert before.zscore is not None
    assert after.zscore is not None
    judges = {j for by_judge in data.totals.values() for j in by_judge}
    assume(set(before.zscore.judges) == set(after.zscore.judges) == judges)  # spread > 0
    for scores in (before, after):
        assume(_well_separated([e.combined for e in scores.entries.values()]))
        assume(_well_separated([e.median for e in scores.entries.values()]))

    def g(x: float) -> float:
        return after.zscore.mean + after.zscore.std / before.zscore.std * (x - before.zscore.mean)

    for entry_id, entry in before.entries.items():
        assert abs(after.entries[entry_id].round_score - g(entry.round_score)) < 1e-9
    assert _rows(data.rank(after)) == _rows(data.rank(before))


def _rows(rankings: tuple[Ranking, ...]) -> list[list[tuple[int, int | None, bool]]]:
    return [[(r.entry_id, r.rank, r.tie) for r in ranking.entries] for ranking in rankings]


# -- advancement and awards ---------------------------------------------------------


@FAST
@given(data=rounds(max_entries=10), rules=exact_rules, count=st.integers(0, 11))
def test_property_advancement_never_cuts_inside_a_tie(data, rules, count):
    for ranking in data.rank(data.score(rules)):
        scored = [r for r in ranking.entries if r.rank is not None]
        rank_of = {r.entry_id: r.rank for r in scored}

        preview = preview_advancement(ranking, count)

        chosen = set(preview.entry_ids)
        assert chosen <= set(rank_of)
        # no entry left out shares a rank with a chosen one, or ranks above it
        for entry in scored:
            if entry.entry_id not in chosen and chosen:
                assert entry.rank > max(rank_of[e] for e in chosen)
        if preview.boundary_tie:
            tied = preview.tied_entry_ids
            assert len({rank_of[e] for e in tied}) == 1
            assert set(tied) == {e for e, r in rank_of.items() if r == rank_of[tied[0]]}
            assert len(chosen) < count < len(chosen) + len(tied)
            assert preview.places_left == count - len(chosen)
        else:
            assert len(chosen) == min(count, len(scored))
            assert preview.tied_entry_ids == ()


tier_counts = st.lists(
    st.tuples(st.sampled_from(Tier), st.integers(0, 3)), unique_by=lambda t: t[0], max_size=4
)


def _places(tiers: list[tuple[Tier, int]]) -> list[Tier]:
    counts = dict(tiers)
    return [tier for tier in Tier for _ in range(counts.get(tier, 0))]


def _check_allocations(rankings, tiers, allocations, resolve: Mapping[int, Tier | None]):
    places = _places(tiers)
    tier_of = {a.entry_id: a.tier for a in allocations}
    assert len(tier_of) == len(allocations)  # one award per entry at most
    for ranking in rankings:
        scored = [r for r in ranking.entries if r.rank is not None]
        given = Counter(tier_of[r.entry_id] for r in scored if r.entry_id in tier_of)
        assert given == Counter(places[: len(scored)])  # counts respected, places filled
        assert all(r.entry_id not in tier_of for r in ranking.entries if r.rank is None)
        by_rank: dict[int, set[Tier | None]] = {}
        for r in scored:
            if r.entry_id not in resolve:
                by_rank.setdefault(r.rank, set()).add(tier_of.get(r.entry_id))
        assert all(len(tiers_given) == 1 for tiers_given in by_rank.values())


@FAST
@given(
    data=rounds(max_entries=10),
    rules=exact_rules,
    tiers=tier_counts,
    by_track=st.booleans(),
    seed=st.integers(0, 2**32),
)
def test_property_awards_never_split_a_tie_silently(data, rules, tiers, by_track, seed):
    rankings = data.rank(data.score(rules), by_track=by_track)

    result = allocate_awards(rankings, tiers=tiers)

    if not isinstance(result, AwardConflict):
        _check_allocations(rankings, tiers, result, {})
        return
    assert result.ties
    assert not result.stray_entry_ids
    resolve: dict[int, Tier | None] = {}
    rng = random.Random(seed)
    for tie in result.ties:
        assert len(set(tie.places)) > 1  # only ties that really cross a boundary
        ranks = {
            r.rank for ranking in rankings for r in ranking.entries if r.entry_id in tie.entry_ids
        }
        assert ranks == {tie.rank}
        places = list(tie.places)
        rng.shuffle(places)
        resolve.update(zip(tie.entry_ids, places, strict=True))

    resolved = allocate_awards(rankings, tiers=tiers, resolve=resolve)

    assert not isinstance(resolved, AwardConflict)
    _check_allocations(rankings, tiers, resolved, resolve)
    assert all(dict((a.entry_id, a.tier) for a in resolved).get(e) == t for e, t in resolve.items())
