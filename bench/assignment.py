"""Judge assignment at the scale of docs/rules.md section 8.

Run ``python -m bench.assignment`` from the repository root.

The instance (fixed seed): 100,000 entries, 2,000 judges from 300 institutions, 5 judges
per entry. Declared conflicts are read the harder way: 1% of all judge-entry pairs, i.e.
20 random judges per entry, 2,000,000 pairs. 70% of entries come from the judges' 300
institutions (a tenth of those spelt in upper case with stray spaces, to exercise the
normalisation), the rest from 3,000 other institutions. 1% of entries already have two
fixed judges (sheets started). The result is checked independently of the solver:
(1) every entry has exactly k distinct judges, (2) none in conflict, (3) max - min load <= 1.

With ``--families`` (the default) the conflict rules of contest/judging/conflicts.py
apply, as the service applies them: institutions are universities (001大学 …), a fifth
of the judges work at one of their hospitals (001大学附属第一医院, same family), a tenth
of the entries are companies spelt with suffixes and full-width brackets, and every
judge and entry gets its conflict keys from ``party_keys`` / ``entry_keys`` (timed
apart, as "conflict keys time").
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from collections import Counter
from dataclasses import dataclass

from contest.judging.conflicts import EntrySide, Families, Party, entry_keys, party_keys
from contest.judging.solver import (
    AssignmentPlan,
    EntryRef,
    JudgeRef,
    Pair,
    assign_judges,
    in_conflict,
)

TARGET_SECONDS = 10.0


@dataclass(frozen=True)
class Instance:
    entries: list[EntryRef]
    judges: list[JudgeRef]
    fixed: list[Pair]
    k: int


def build(
    *, entries: int, judges: int, institutions: int, k: int, conflict_rate: float, seed: int
) -> Instance:
    """The benchmark instance; every random choice comes from ``seed``."""
    rng = random.Random(seed)
    names = [f"Univ-{i:03d}" for i in range(institutions)]
    panel = [JudgeRef(id=10_000 + i, institution=rng.choice(names)) for i in range(judges)]
    judge_ids = [j.id for j in panel]
    per_entry = round(conflict_rate * judges)
    refs = [
        EntryRef(
            id=1 + i,
            institution=_entry_institution(rng, names),
            conflicted_judges=frozenset(rng.sample(judge_ids, per_entry)),
        )
        for i in range(entries)
    ]
    fixed = _fixed(rng, refs, panel, count=entries // 100)
    return Instance(entries=refs, judges=panel, fixed=fixed, k=k)


def _entry_institution(rng: random.Random, names: list[str]) -> str:
    """70% one of the judges' institutions (some spelt differently), 30% from elsewhere."""
    if rng.random() >= 0.7:
        return f"Elsewhere-{rng.randrange(3000):04d}"
    name = rng.choice(names)
    return f"  {name.upper()} " if rng.random() < 0.1 else name


def _fixed(
    rng: random.Random, entries: list[EntryRef], panel: list[JudgeRef], count: int
) -> list[Pair]:
    """Two eligible judges each for ``count`` random entries, as if their sheets were started."""
    pairs = []
    for entry in rng.sample(entries, count):
        norm = entry.institution.strip().casefold()
        ok = [
            j
            for j in rng.sample(panel, 40)
            if j.institution.casefold() != norm and j.id not in entry.conflicted_judges
        ]
        pairs += [Pair(judge_id=j.id, entry_id=entry.id) for j in ok[:2]]
    return pairs


def _university(name: str) -> str:
    """Univ-007 (any case, stray spaces) -> 007大学; other names unchanged."""
    name = name.strip()
    return f"{name[5:]}大学" if name.casefold().startswith("univ-") else name


def with_families(instance: Instance, rng: random.Random) -> Instance:
    """The same instance under the family rules: hospitals of universities, companies."""
    families = Families()
    judges = []
    for judge in instance.judges:
        name = _university(judge.institution)
        if rng.random() < 0.2:
            name += "附属第一医院"
        judges.append(JudgeRef(judge.id, name, party_keys(Party(judge.id, name), families)))
    entries = []
    for entry in instance.entries:
        name = _university(entry.institution)
        company = f"{name}（集团）科技有限公司" if rng.random() < 0.1 else ""
        keys = entry_keys(EntrySide(entry.id, name, company), families)
        entries.append(EntryRef(entry.id, name, entry.conflicted_judges, keys))
    by_id = {j.id: j for j in judges}
    fixed = [
        p for p in instance.fixed if not in_conflict(by_id[p.judge_id], entries[p.entry_id - 1])
    ]
    return Instance(entries=entries, judges=judges, fixed=fixed, k=instance.k)


def verify(instance: Instance, plan: AssignmentPlan) -> Counter[int]:
    """Check the three properties without the solver's code; return the loads."""
    if instance.judges and instance.judges[0].keys:
        return _verify_keys(instance, plan)
    by_id = {j.id: j.institution.strip().casefold() for j in instance.judges}
    panels: dict[int, list[int]] = {e.id: [] for e in instance.entries}
    for pair in instance.fixed:
        panels[pair.entry_id].append(pair.judge_id)
    for entry_id, judge_ids in plan.added.items():
        panels[entry_id].extend(judge_ids)
    for entry in instance.entries:
        chosen = panels[entry.id]
        assert len(chosen) == len(set(chosen)) == instance.k, (entry.id, chosen)
        norm = entry.institution.strip().casefold()
        for judge_id in chosen:
            assert by_id[judge_id] != norm, (entry.id, judge_id)
            assert judge_id not in entry.conflicted_judges, (entry.id, judge_id)
    loads = Counter({j.id: 0 for j in instance.judges})
    loads.update(judge_id for chosen in panels.values() for judge_id in chosen)
    assert loads == Counter(plan.loads)
    assert max(loads.values()) - min(loads.values()) <= 1, "loads differ by more than 1"
    return loads


def _verify_keys(instance: Instance, plan: AssignmentPlan) -> Counter[int]:
    """As verify, with conflicts as shared keys (the family rules)."""
    by_id = {j.id: j.keys for j in instance.judges}
    panels: dict[int, list[int]] = {e.id: [] for e in instance.entries}
    for pair in instance.fixed:
        panels[pair.entry_id].append(pair.judge_id)
    for entry_id, judge_ids in plan.added.items():
        panels[entry_id].extend(judge_ids)
    for entry in instance.entries:
        chosen = panels[entry.id]
        assert len(chosen) == len(set(chosen)) == instance.k, (entry.id, chosen)
        for judge_id in chosen:
            assert not (by_id[judge_id] & entry.keys), (entry.id, judge_id)
            assert judge_id not in entry.conflicted_judges, (entry.id, judge_id)
    loads = Counter({j.id: 0 for j in instance.judges})
    loads.update(judge_id for chosen in panels.values() for judge_id in chosen)
    assert loads == Counter(plan.loads)
    assert max(loads.values()) - min(loads.values()) <= 1, "loads differ by more than 1"
    return loads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--judges", type=int, default=2_000)
    parser.add_argument("--institutions", type=int, default=300)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--conflict-rate", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=20230610)
    parser.add_argument("--no-families", dest="families", action="store_false")
    args = parser.parse_args()

    started = time.perf_counter()
    instance = build(
        entries=args.entries,
        judges=args.judges,
        institutions=args.institutions,
        k=args.k,
        conflict_rate=args.conflict_rate,
        seed=args.seed,
    )
    keyed = time.perf_counter()
    if args.families:
        instance = with_families(instance, random.Random(args.seed))
    built, cpu = time.perf_counter(), time.process_time()
    plan = assign_judges(
        entries=instance.entries,
        judges=instance.judges,
        judges_per_entry=instance.k,
        fixed=instance.fixed,
        seed=args.seed,
    )
    solved, cpu = time.perf_counter(), time.process_time() - cpu
    loads = verify(instance, plan)
    verified = time.perf_counter()

    declared = sum(len(e.conflicted_judges) for e in instance.entries)
    rows = [
        ("entries", f"{len(instance.entries):,}"),
        ("judges", f"{len(instance.judges):,}"),
        ("judges per entry", str(instance.k)),
        ("declared conflict pairs", f"{declared:,}"),
        ("fixed assignments", f"{len(instance.fixed):,}"),
        ("build time", f"{keyed - started:.2f} s"),
        ("conflict keys time", f"{built - keyed:.2f} s"),
        ("solve time", f"{solved - built:.2f} s"),
        ("solve CPU time", f"{cpu:.2f} s"),
        ("verify time", f"{verified - solved:.2f} s"),
        ("load min / max", f"{min(loads.values())} / {max(loads.values())}"),
        ("peak memory", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB"),
        ("verdict", "PASS" if solved - built < TARGET_SECONDS else "SLOW"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value:>12}")


if __name__ == "__main__":
    main()
