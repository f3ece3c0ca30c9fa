"""The judge assignment solver: hand-made rounds, then properties against exhaustive search."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contest.judging.solver import (
    AssignmentPlan,
    EntryRef,
    InfeasibleAssignment,
    JudgeRef,
    Pair,
    assign_judges,
    in_conflict,
    least_loaded_eligible_judge,
)


@dataclass(frozen=True)
class Round:
    entries: list[EntryRef]
    judges: list[JudgeRef]
    k: int
    fixed: list[Pair] = field(default_factory=list)
    seed: int = 0
    movable: list[Pair] = field(default_factory=list)

    def solve(self, seed: int | None = None) -> AssignmentPlan:
        return assign_judges(
            entries=self.entries,
            judges=self.judges,
            judges_per_entry=self.k,
            fixed=self.fixed,
            movable=self.movable,
            seed=self.seed if seed is None else seed,
        )


def conflicted(judge: JudgeRef, entry: EntryRef) -> bool:
    """The rule restated independently of the solver."""
    mine, theirs = judge.institution.strip().casefold(), entry.institution.strip().casefold()
    return (theirs != "" and mine == theirs) or judge.id in entry.conflicted_judges


def panels(round_: Round, plan: AssignmentPlan) -> dict[int, list[int]]:
    """Entry id -> all its judges once the plan is applied."""
    result: dict[int, list[int]] = {e.id: [] for e in round_.entries}
    for pair in round_.fixed + round_.movable:
        result[pair.entry_id].append(pair.judge_id)
    for pair in plan.removed_pairs():
        result[pair.entry_id].remove(pair.judge_id)
    for pair in plan.added_pairs():
        result[pair.entry_id].append(pair.judge_id)
    return result


def eligible_counts(round_: Round) -> dict[int, int]:
    return {e.id: sum(not conflicted(j, e) for j in round_.judges) for e in round_.entries}


# --- hand-made rounds -------------------------------------------------------------------


def test_assign_judges_skips_same_institution_after_normalising() -> None:
    judges = [JudgeRef(1, "fudan university"), JudgeRef(2, "SJTU"), JudgeRef(3, "Tongji")]
    entries = [EntryRef(10, "  Fudan University ")]

    plan = assign_judges(entries=entries, judges=judges, judges_per_entry=2)

    assert plan.added == {10: (2, 3)}
    assert plan.loads == {1: 0, 2: 1, 3: 1}


def test_assign_judges_empty_institutions_never_conflict() -> None:
    judges = [JudgeRef(1, ""), JudgeRef(2, "  ")]
    entries = [EntryRef(10, ""), EntryRef(11, " ")]

    plan = assign_judges(entries=entries, judges=judges, judges_per_entry=2)

    assert plan.added == {10: (1, 2), 11: (1, 2)}


def test_assign_judges_skips_declared_conflict() -> None:
    judges = [JudgeRef(1, "A"), JudgeRef(2, "B"), JudgeRef(3, "C")]
    entries = [EntryRef(10, "D", conflicted_judges=frozenset({2}))]

    plan = assign_judges(entries=entries, judges=judges, judges_per_entry=2)

    assert plan.added == {10: (1, 3)}


def test_assign_judges_keeps_fixed_and_counts_them() -> None:
    judges = [JudgeRef(1, "A"), JudgeRef(2, "B"), JudgeRef(3, "C")]
    entries = [EntryRef(10, conflicted_judges=frozenset({3})), EntryRef(11, "a")]

    plan = assign_judges(entries=entries, judges=judges, judges_per_entry=2, fixed=[Pair(1, 10)])

    assert plan.added == {10: (2,), 11: (2, 3)}
    assert plan.loads == {1: 1, 2: 2, 3: 1}


def test_assign_judges_adds_nothing_to_entry_with_k_fixed_judges() -> None:
    judges = [JudgeRef(1), JudgeRef(2), JudgeRef(3)]
    entries = [EntryRef(10), EntryRef(11)]
    fixed = [Pair(1, 10), Pair(2, 10), Pair(3, 10)]

    plan = assign_judges(entries=entries, judges=judges, judges_per_entry=2, fixed=fixed)

    assert set(plan.added) == {11}
    assert sum(plan.loads.values()) == 5
    assert plan.spread == 1


def test_assign_judges_steers_new_work_away_from_fixed_load() -> None:
    judges = [JudgeRef(1), JudgeRef(2), JudgeRef(3)]
    entries = [EntryRef(10), EntryRef(11), EntryRef(12), EntryRef(13)]

    plan = assign_judges(
        entries=entries, judges=judges, judges_per_entry=1, fixed=[Pair(1, 10), Pair(1, 11)]
    )

    assert sorted(plan.added.values()) == [(2,), (3,)]
    assert plan.loads == {1: 2, 2: 1, 3: 1}


def test_assign_judges_evens_out_what_the_greedy_pass_leaves_uneven() -> None:
    # Taking least-loaded judges entry by entry can give judge 1 both entries and judge 3
    # none; only moving an assignment along a chain reaches loads 1, 1, 1, 1.
    judges = [JudgeRef(1, "C"), JudgeRef(2, "A"), JudgeRef(3, "B"), JudgeRef(4, "")]
    round_ = Round(entries=[EntryRef(10, "A"), EntryRef(11, "B")], judges=judges, k=2)

    plans = [round_.solve(seed=seed) for seed in range(10)]

    assert all(plan.loads == {1: 1, 2: 1, 3: 1, 4: 1} for plan in plans)
    assert all(3 in plan.added[10] and 2 in plan.added[11] for plan in plans)


def test_assign_judges_reports_least_spread_when_one_is_out_of_reach() -> None:
    judges = [JudgeRef(1, "A"), JudgeRef(2, "A"), JudgeRef(3, "B")]
    entries = [EntryRef(10 + i, "a") for i in range(4)]

    plan = assign_judges(entries=entries, judges=judges, judges_per_entry=1)

    assert plan.loads == {1: 0, 2: 0, 3: 4}
    assert plan.spread == 4


def test_assign_judges_same_seed_gives_same_plan() -> None:
    round_ = Round(
        entries=[EntryRef(i, f"I{i % 3}") for i in range(40)],
        judges=[JudgeRef(100 + i, f"i{i % 4}") for i in range(9)],
        k=3,
        seed=7,
    )

    first, second = round_.solve(), round_.solve()

    assert first == second


def test_assign_judges_different_seeds_can_differ() -> None:
    round_ = Round(entries=[EntryRef(10)], judges=[JudgeRef(i) for i in range(1, 5)], k=2)

    plans = {round_.solve(seed=seed).added[10] for seed in range(20)}

    assert len(plans) > 1
    assert plans <= {pair for pair in combinations(range(1, 5), 2)}


def test_assign_judges_infeasible_names_lacking_entries_and_counts() -> None:
    judges = [JudgeRef(1, "A"), JudgeRef(2, "B"), JudgeRef(3, "C")]
    entries = [
        EntryRef(10, "A", conflicted_judges=frozenset({2})),
        EntryRef(11, ""),
        EntryRef(12, " b", conflicted_judges=frozenset({3, 99})),
    ]
    fixed = [Pair(1, 12)]

    with pytest.raises(InfeasibleAssignment) as caught:
        assign_judges(entries=entries, judges=judges, judges_per_entry=2, fixed=fixed)

    assert caught.value.lacking == {10: 1, 12: 1}
    assert caught.value.judges_per_entry == 2
    assert str(caught.value) == (
        "2 entries have fewer than 2 eligible judges (entry 10: 1, entry 12: 1)"
    )
    assert fixed == [Pair(1, 12)]


@pytest.mark.parametrize(
    ("entries", "judges", "k", "fixed", "message"),
    [
        ([EntryRef(1)], [JudgeRef(1)], 0, [], "judges_per_entry must be at least 1"),
        ([EntryRef(1), EntryRef(1)], [JudgeRef(1)], 1, [], "duplicate entry id 1"),
        ([EntryRef(1)], [JudgeRef(2), JudgeRef(2)], 1, [], "duplicate judge id 2"),
        ([EntryRef(1)], [JudgeRef(2)], 1, [Pair(3, 1)], "unknown entry or judge"),
        ([EntryRef(1)], [JudgeRef(2)], 1, [Pair(2, 4)], "unknown entry or judge"),
        ([EntryRef(1)], [JudgeRef(2)], 1, [Pair(2, 1), Pair(2, 1)], "repeated or in conflict"),
        ([EntryRef(1, "X")], [JudgeRef(2, "x ")], 1, [Pair(2, 1)], "repeated or in conflict"),
        (
            [EntryRef(1, conflicted_judges=frozenset({2}))],
            [JudgeRef(2)],
            1,
            [Pair(2, 1)],
            "repeated or in conflict",
        ),
    ],
)
def test_assign_judges_malformed_input_is_refused(
    entries: list[EntryRef], judges: list[JudgeRef], k: int, fixed: list[Pair], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        assign_judges(entries=entries, judges=judges, judges_per_entry=k, fixed=fixed)


@pytest.mark.parametrize(
    ("fixed", "movable", "message"),
    [
        ([Pair(2, 1)], [Pair(2, 1)], "movable assignment .* is repeated or in conflict"),
        ([], [Pair(3, 1)], "movable assignment .* is repeated or in conflict"),
        ([], [Pair(9, 1)], "movable assignment .* names an unknown entry or judge"),
    ],
)
def test_assign_judges_malformed_movable_is_refused(
    fixed: list[Pair], movable: list[Pair], message: str
) -> None:
    entries = [EntryRef(1, "X")]
    judges = [JudgeRef(2, "Y"), JudgeRef(3, "x")]

    with pytest.raises(ValueError, match=message):
        assign_judges(
            entries=entries, judges=judges, judges_per_entry=1, fixed=fixed, movable=movable
        )


def test_assign_judges_empty_round_gives_empty_plan() -> None:
    plan = assign_judges(entries=[], judges=[JudgeRef(1)], judges_per_entry=3)

    assert plan == AssignmentPlan(added={}, removed={}, loads={1: 0})
    assert list(plan.added_pairs()) == []


def test_plan_pairs_list_every_change() -> None:
    plan = AssignmentPlan(added={10: (1, 2), 11: (3,)}, removed={11: (2,)}, loads={})

    added, removed = list(plan.added_pairs()), list(plan.removed_pairs())

    assert added == [Pair(1, 10), Pair(2, 10), Pair(3, 11)]
    assert removed == [Pair(2, 11)]


@pytest.mark.parametrize(
    ("judge", "entry", "expected"),
    [
        (JudgeRef(1, "Fudan"), EntryRef(9, " FUDAN "), True),
        (JudgeRef(1, "Fudan"), EntryRef(9, "Fudan Univ"), False),
        (JudgeRef(1, ""), EntryRef(9, ""), False),
        (JudgeRef(1, "  "), EntryRef(9, ""), False),
        (JudgeRef(1, "A"), EntryRef(9, "B", conflicted_judges=frozenset({1})), True),
        (JudgeRef(1, "A"), EntryRef(9, "B", conflicted_judges=frozenset({2})), False),
    ],
)
def test_in_conflict_table(judge: JudgeRef, entry: EntryRef, expected: bool) -> None:
    assert in_conflict(judge, entry) is expected


def test_assign_judges_moves_movable_assignments_only_as_far_as_needed() -> None:
    judges = [JudgeRef(1), JudgeRef(2), JudgeRef(3)]
    entries = [EntryRef(10 + i) for i in range(6)]
    movable = [Pair(1, 10 + i) for i in range(6)]  # judges 2 and 3 joined the panel late

    plan = assign_judges(entries=entries, judges=judges, judges_per_entry=1, movable=movable)

    assert plan.loads == {1: 2, 2: 2, 3: 2}
    assert set(plan.removed) == set(plan.added)
    assert list(plan.removed.values()) == [(1,)] * 4
    assert sorted(plan.added.values()) == [(2,), (2,), (3,), (3,)]


def test_assign_judges_leaves_balanced_movable_assignments_alone() -> None:
    judges = [JudgeRef(1), JudgeRef(2)]
    entries = [EntryRef(10), EntryRef(11)]
    movable = [Pair(1, 10), Pair(2, 11)]

    plan = assign_judges(entries=entries, judges=judges, judges_per_entry=1, movable=movable)

    assert plan == AssignmentPlan(added={}, removed={}, loads={1: 1, 2: 1})


def test_assign_judges_moves_along_a_chain_when_no_direct_move_helps() -> None:
    # Judge 3 may take neither of judge 1's entries, so judge 1 passes one to judge 2,
    # who passes entry 12 on to judge 3.
    judges = [JudgeRef(1, "A"), JudgeRef(2, "B"), JudgeRef(3, "C")]
    entries = [EntryRef(10, "C"), EntryRef(11, "C"), EntryRef(12, "A")]
    movable = [Pair(1, 10), Pair(1, 11), Pair(2, 12)]

    plan = assign_judges(entries=entries, judges=judges, judges_per_entry=1, movable=movable)

    assert plan.loads == {1: 1, 2: 1, 3: 1}
    assert (plan.removed[12], plan.added[12]) == ((2,), (3,))
    assert sorted(plan.removed.values()) == [(1,), (2,)]


def test_assign_judges_raises_the_minimum_below_an_immovable_maximum() -> None:
    judges = [JudgeRef(1), JudgeRef(2), JudgeRef(3)]
    entries = [EntryRef(10 + i) for i in range(5)]
    fixed = [Pair(1, 10), Pair(1, 11), Pair(1, 12)]

    plan = assign_judges(
        entries=entries,
        judges=judges,
        judges_per_entry=1,
        fixed=fixed,
        movable=[Pair(2, 13), Pair(2, 14)],
    )

    assert plan.loads == {1: 3, 2: 1, 3: 1}
    assert len(plan.removed) == len(plan.added) == 1


# --- recusal ----------------------------------------------------------------------------


def test_least_loaded_eligible_judge_picks_least_loaded_free_judge() -> None:
    judges = [JudgeRef(1, "A"), JudgeRef(2, "B"), JudgeRef(3, "C"), JudgeRef(4, "D")]
    entry = EntryRef(10, "a", conflicted_judges=frozenset({2}))

    chosen = least_loaded_eligible_judge(
        entry=entry, judges=judges, on_entry={3}, loads={1: 0, 2: 0, 3: 1, 4: 2}
    )

    assert chosen == 4


def test_least_loaded_eligible_judge_treats_missing_load_as_zero() -> None:
    judges = [JudgeRef(1), JudgeRef(2)]

    chosen = least_loaded_eligible_judge(
        entry=EntryRef(10), judges=judges, on_entry=set(), loads={1: 3}
    )

    assert chosen == 2


def test_least_loaded_eligible_judge_none_when_nobody_may() -> None:
    judges = [JudgeRef(1, "A"), JudgeRef(2, "B")]

    chosen = least_loaded_eligible_judge(
        entry=EntryRef(10, "A"), judges=judges, on_entry={2}, loads={}
    )

    assert chosen is None


def test_least_loaded_eligible_judge_ties_follow_the_seed() -> None:
    judges = [JudgeRef(i) for i in range(1, 6)]

    def pick(seed: int) -> int | None:
        return least_loaded_eligible_judge(
            entry=EntryRef(10), judges=judges, on_entry={5}, loads={}, seed=seed
        )

    picks = [pick(seed) for seed in range(20)]

    assert picks == [pick(seed) for seed in range(20)]
    assert len(set(picks)) > 1
    assert set(picks) <= {1, 2, 3, 4}


# --- properties -------------------------------------------------------------------------

INSTITUTIONS = ["", " ", "Fudan", " fudan", "FUDAN ", "SJTU", "Tongji"]


@st.composite
def rounds(draw: st.DrawFn, max_entries: int, max_judges: int, max_k: int) -> Round:
    """Random rounds: institutions spelt loosely, declared conflicts, valid fixed pairs."""
    judges = [
        JudgeRef(100 + i, draw(st.sampled_from(INSTITUTIONS)))
        for i in range(draw(st.integers(1, max_judges)))
    ]
    maybe_conflicted = st.sampled_from([j.id for j in judges] + [999])  # 999: not on the panel
    entries = [
        EntryRef(
            1 + i,
            draw(st.sampled_from(INSTITUTIONS)),
            draw(st.frozensets(maybe_conflicted, max_size=3)),
        )
        for i in range(draw(st.integers(0, max_entries)))
    ]
    valid = [Pair(j.id, e.id) for e in entries for j in judges if not conflicted(j, e)]
    existing = draw(st.lists(st.sampled_from(valid), unique=True, max_size=12)) if valid else []
    cut = draw(st.integers(0, len(existing)))
    k = draw(st.integers(1, min(max_k, len(judges))))
    seed = draw(st.integers(0, 99))
    return Round(entries, judges, k, existing[:cut], seed, movable=existing[cut:])


def exhaustive(round_: Round) -> tuple[int, int, int] | None:
    """(least max load, greatest min load, least spread) over every valid completion.

    Fixed pairs stay; every entry then needs max(k - fixed, movable) more judges. Enumerates
    every choice of them for every entry, merging partial assignments that give the same
    loads; None when no valid completion exists.
    """
    position = {j.id: i for i, j in enumerate(round_.judges)}
    start = [0] * len(round_.judges)
    for pair in round_.fixed:
        start[position[pair.judge_id]] += 1
    states = {tuple(start)}
    for entry in round_.entries:
        on = {p.judge_id for p in round_.fixed if p.entry_id == entry.id}
        movable = sum(p.entry_id == entry.id for p in round_.movable)
        free = [
            position[j.id] for j in round_.judges if j.id not in on and not conflicted(j, entry)
        ]
        choices = list(combinations(free, max(movable, round_.k - len(on))))
        states = {
            tuple(n + (i in chosen) for i, n in enumerate(state))
            for state in states
            for chosen in choices
        }
    if not states:
        return None
    return (
        min(max(s) for s in states),
        max(min(s) for s in states),
        min(max(s) - min(s) for s in states),
    )


def assert_valid(round_: Round, plan: AssignmentPlan) -> None:
    """max(k, existing) distinct judges per entry, fixed kept, none in conflict, loads right."""
    judges = {j.id: j for j in round_.judges}
    loads = dict.fromkeys(judges, 0)
    chosen_by_entry = panels(round_, plan)
    existing = Counter(p.entry_id for p in round_.fixed + round_.movable)
    assert not set(plan.removed_pairs()) & set(round_.fixed)
    for entry in round_.entries:
        chosen = chosen_by_entry[entry.id]
        assert len(chosen) == len(set(chosen)) == max(round_.k, existing[entry.id])
        assert not any(conflicted(judges[j], entry) for j in chosen)
        for j in chosen:
            loads[j] += 1
    assert plan.loads == loads


def lacking_entries(round_: Round) -> dict[int, int]:
    return {e: n for e, n in eligible_counts(round_).items() if n < round_.k}


@settings(max_examples=1000, deadline=None)
@given(rounds(max_entries=6, max_judges=5, max_k=3))
@pytest.mark.slow
def test_assign_judges_matches_exhaustive_search_on_small_rounds(round_: Round) -> None:
    best, lacking = exhaustive(round_), lacking_entries(round_)
    if best is None:
        with pytest.raises(InfeasibleAssignment) as caught:
            round_.solve()
        assert caught.value.lacking == lacking != {}
        return

    plan = round_.solve()

    assert_valid(round_, plan)
    least_max, greatest_min, least_spread = best
    assert max(plan.loads.values()) == least_max
    assert min(plan.loads.values()) == greatest_min
    assert plan.spread == least_spread


@settings(max_examples=60, deadline=None)
@given(rounds(max_entries=40, max_judges=12, max_k=4))
def test_assign_judges_valid_and_deterministic_on_larger_rounds(round_: Round) -> None:
    lacking = lacking_entries(round_)
    if lacking:
        with pytest.raises(InfeasibleAssignment) as caught:
            round_.solve()
        assert caught.value.lacking == lacking
        return

    plan = round_.solve()

    assert_valid(round_, plan)
    assert round_.solve() == plan


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 30), min_size=1, max_size=150),
    st.integers(1, 4),
    st.integers(0, 99),
)
def test_assign_judges_valid_when_tight_and_loose_entries_mix(
    declared_counts: list[int], k: int, seed: int
) -> None:
    # Entries that declare conflicts with most of the panel take a different path through
    # the solver than the rest; interleaved, both must still give valid, even plans.
    judges = [JudgeRef(100 + i, f"U{i % 7}") for i in range(44)]
    entries = [
        EntryRef(i, f"u{i % 9}", frozenset(100 + (i + d) % 44 for d in range(count)))
        for i, count in enumerate(declared_counts)
    ]
    round_ = Round(entries=entries, judges=judges, k=k, seed=seed)

    plan = round_.solve()

    assert_valid(round_, plan)


def test_assign_judges_spread_at_most_one_on_a_busy_round() -> None:
    judges = [JudgeRef(1000 + i, f"univ {i % 17}") for i in range(60)]
    entries = [
        EntryRef(i, f"Univ {i % 13}", frozenset({1000 + (i * 7) % 60})) for i in range(1, 3001)
    ]
    fixed = [
        Pair(judges[i % 3].id, entries[i].id)
        for i in range(200)
        if not conflicted(judges[i % 3], entries[i])
    ]
    round_ = Round(entries=entries, judges=judges, k=5, fixed=fixed, seed=3)

    plan = round_.solve()

    assert_valid(round_, plan)
    assert (min(plan.loads.values()), max(plan.loads.values())) == (250, 250)
