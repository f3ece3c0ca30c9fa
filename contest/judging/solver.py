"""Judge assignment for one round: k different, conflict-free judges per entry, even loads.

Pure: frozen dataclasses in, frozen dataclasses out; no database, no web, nothing else of
ours. The service layer loads the round, calls :func:`assign_judges`, and writes
``plan.removed`` and ``plan.added``; for a recusal it calls
:func:`least_loaded_eligible_judge`.

Rules. A judge is *eligible* for an entry unless they declared a conflict with it or they
share a conflict key with it (``keys``: the service computes them with
contest/judging/conflicts.py: institutions, families, companies, credit codes), unless the
organiser waived that pair (``waived_judges``). Without keys, the institution is the one
key (compared stripped and casefolded; an empty institution never conflicts).

*Fixed* assignments (manual ones, or ones whose sheet is started) are
kept as they are, count towards loads and towards the entry's k, and are never moved; an
entry that already has k or more judges gets none. *Movable* assignments (existing ones
whose sheet is not started, passed when re-balancing after the panel changed) count the
same way but may be moved to another judge; a moved one shows in ``plan.removed``. A
judge's *load* is their number of assignments in the round, fixed ones included; every
judge of the round counts, even one who can take no entry.

Feasibility. With no cap on a judge's load, a request is feasible exactly when every entry
has at least k eligible judges (its fixed judges included), so that is the only reason to
refuse; balance is optimised, never a reason to refuse.

Guarantee. Among all valid plans (fixed pairs kept, each entry ending with max(k, its
fixed and movable judges) different eligible judges), the plan returned has the smallest
possible maximum load and, at the same time, the largest possible minimum load; hence
the smallest possible spread (max - min), which is at most 1 whenever any valid plan
achieves 1 or 0.

Why the repair reaches that. A judge A can *pass* an entry e to judge B when A holds e by
a non-fixed assignment, B is eligible for e and B is not on e. Along a chain of passes
A -> ... -> B each entry moves one step: A loses one, B gains one, the judges between keep
their load. A shortest chain found by a BFS that expands each entry once uses each entry
once, so its moves stay valid when made together. The repair runs chains from a judge of
load M (the maximum) to one of load <= M - 2 while there is one, then from a judge of
load >= m + 2 to one of load m (the minimum) while there is one; each chain lowers the
sum of squared loads, so the repair ends, and the second phase never raises the maximum.
Lemma: if a set S of judges is closed under passes, every valid plan gives S at least the
load ours does. Fixed loads are the same in every plan, and so is the number of non-fixed
judges each entry gets; if ours puts one of e's non-fixed judges in S, closure means every
eligible judge outside S not fixed on e is already on e, so no plan can put more of e's
non-fixed judges outside S than ours does. At the end, let R be the judges reachable by
chains from the judges of load M: R is closed, all of R have load >= M - 1 (else a chain
would remain) and one has M, so R's average exceeds M - 1 here, hence in every plan, and
every plan has a judge of load >= M. Likewise the judges that cannot reach a judge of
load m by a chain are closed; the others, Q, therefore get at most ours in every plan,
all of Q have load <= m + 1 and one has m, so every plan has a judge of load <= m.

Speed. Conflicts stay per entry (a set of judge ids) plus one institution string per
judge, never a set of all judge-entry pairs. The greedy pass (entries with the fewest
eligible judges first, each taking the least-loaded eligible judges from a heap, ties
broken by a seeded order) usually leaves nothing to repair.
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass

# Below this many eligible judges per judge wanted, popping the load heap would skip past
# most of the panel, so scanning the panel once is cheaper.
_SCAN_FACTOR = 8
# Declared conflicts met in the heap before giving up on it for one entry and scanning.
_SKIP_BUDGET = 16


@dataclass(frozen=True, slots=True)
class JudgeRef:
    """A judge on the round's panel; ``institution`` is their affiliation."""

    id: int
    institution: str = ""
    keys: frozenset[str] = frozenset()

    @property
    def conflict_keys(self) -> frozenset[str]:
        return self.keys or _institution_key(self.institution)


@dataclass(frozen=True, slots=True)
class EntryRef:
    """An entry of the round; ``conflicted_judges``: ids of judges who declared a conflict;
    ``waived_judges``: judges the organiser allowed despite a shared key."""

    id: int
    institution: str = ""
    conflicted_judges: frozenset[int] = frozenset()
    keys: frozenset[str] = frozenset()
    waived_judges: frozenset[int] = frozenset()

    @property
    def conflict_keys(self) -> frozenset[str]:
        return self.keys or _institution_key(self.institution)


def _institution_key(institution: str) -> frozenset[str]:
    key = normalise_institution(institution)
    return frozenset((key,)) if key else frozenset()


@dataclass(frozen=True, slots=True)
class Pair:
    """One assignment: judge ``judge_id`` scores entry ``entry_id``."""

    judge_id: int
    entry_id: int


@dataclass(frozen=True, slots=True)
class AssignmentPlan:
    """What to add and remove (entry id -> judge ids, ascending) and the resulting loads."""

    added: Mapping[int, tuple[int, ...]]
    removed: Mapping[int, tuple[int, ...]]  # movable assignments moved away: delete them
    loads: Mapping[int, int]

    @property
    def spread(self) -> int:
        """Most minus least loaded judge, fixed assignments included."""
        return max(self.loads.values()) - min(self.loads.values()) if self.loads else 0

    def added_pairs(self) -> Iterator[Pair]:
        """The new assignments, entry by entry."""
        return _pairs(self.added)

    def removed_pairs(self) -> Iterator[Pair]:
        """The movable assignments to delete, entry by entry."""
        return _pairs(self.removed)


def _pairs(by_entry: Mapping[int, tuple[int, ...]]) -> Iterator[Pair]:
    for entry_id, judge_ids in by_entry.items():
        for judge_id in judge_ids:
            yield Pair(judge_id=judge_id, entry_id=entry_id)


class InfeasibleAssignment(Exception):
    """Some entries lack k eligible judges; ``lacking`` maps entry id -> eligible count."""

    def __init__(self, *, lacking: Mapping[int, int], judges_per_entry: int) -> None:
        self.lacking = dict(lacking)
        self.judges_per_entry = judges_per_entry
        shown = ", ".join(f"entry {e}: {n}" for e, n in list(self.lacking.items())[:20])
        more = ", ..." if len(self.lacking) > 20 else ""
        super().__init__(
            f"{len(self.lacking)} entries have fewer than {judges_per_entry} eligible judges "
            f"({shown}{more})"
        )


def normalise_institution(name: str) -> str:
    """The form institutions are compared in: stripped and casefolded."""
    return name.strip().casefold()


def in_conflict(judge: JudgeRef, entry: EntryRef) -> bool:
    """Whether ``judge`` may not score ``entry`` (declared conflict, or a shared key not
    waived)."""
    if judge.id in entry.conflicted_judges:
        return True
    if judge.id in entry.waived_judges:
        return False
    return not judge.conflict_keys.isdisjoint(entry.conflict_keys)


def least_loaded_eligible_judge(
    *,
    entry: EntryRef,
    judges: Sequence[JudgeRef],
    on_entry: Set[int],
    loads: Mapping[int, int],
    seed: int = 0,
) -> int | None:
    """The judge to take over ``entry`` after a recusal, or None if nobody may.

    Picks the least-loaded judge (``loads``, missing = 0) who is eligible and not in
    ``on_entry``; equal loads go to the first in an order shuffled by ``seed``, so a
    repeated call gives the same answer. The recusing judge is excluded either by their
    new declared conflict or by still being in ``on_entry``.
    """
    order = list(judges)
    random.Random(seed).shuffle(order)
    free = [j for j in order if j.id not in on_entry and not in_conflict(j, entry)]
    return min(free, key=lambda j: loads.get(j.id, 0)).id if free else None


def assign_judges(
    *,
    entries: Sequence[EntryRef],
    judges: Sequence[JudgeRef],
    judges_per_entry: int,
    fixed: Iterable[Pair] = (),
    movable: Iterable[Pair] = (),
    seed: int = 0,
) -> AssignmentPlan:
    """Complete the round so every entry has ``judges_per_entry`` judges, loads optimally even.

    Raises :class:`InfeasibleAssignment` when some entry has too few eligible judges, and
    ValueError for malformed input (k < 1, duplicate ids, a fixed or movable pair naming
    an unknown entry or judge, repeated, or in conflict). The same input and seed give the
    same plan.
    """
    if judges_per_entry < 1:
        raise ValueError(f"judges_per_entry must be at least 1, got {judges_per_entry}")
    rng = random.Random(seed)
    state = _State.build(entries, judges, rng)
    state.place(fixed, movable=False)
    state.place(movable, movable=True)
    state.refuse_if_infeasible(judges_per_entry)
    state.greedy(judges_per_entry, rng)
    state.repair()
    return state.plan()


def _refuse_duplicates(ids: Iterable[int], what: str) -> None:
    """A repeated id would count one judge or entry twice."""
    seen: set[int] = set()
    for id_ in ids:
        if id_ in seen:
            raise ValueError(f"duplicate {what} id {id_}")
        seen.add(id_)


_NOBODY: frozenset[int] = frozenset()
_HeapItem = tuple[int, float, int]  # (load, seeded tie-break, judge id)
_Move = tuple[int, int, int]  # (entry position, from judge id, to judge id)


@dataclass(slots=True)
class _State:
    """Working state: judges by id (``panel`` in a seeded order), entries by position."""

    panel: list[int]
    everyone: frozenset[int]
    entry_ids: list[int]
    # None for an empty institution, which never conflicts.
    entry_inst: list[str | None]
    # The judges of the entry's institution: one shared set per institution, not per pair.
    same_inst: list[frozenset[int]]
    declared: list[frozenset[int]]
    on: list[set[int]]  # entry -> judges on it: fixed, movable and new
    held: dict[int, set[int]]  # judge -> entries it holds by a movable or new assignment
    load: dict[int, int]
    given: dict[int, set[int]]  # entry -> its movable judges as they came in

    @classmethod
    def build(
        cls, entries: Sequence[EntryRef], judges: Sequence[JudgeRef], rng: random.Random
    ) -> _State:
        """Index the input; shuffling the panel makes every later tie-break seeded."""
        _refuse_duplicates((e.id for e in entries), "entry")
        _refuse_duplicates((j.id for j in judges), "judge")
        panel = [j.id for j in judges]
        rng.shuffle(panel)
        members: dict[str, set[int]] = {}
        for judge in judges:
            for key in judge.conflict_keys:
                members.setdefault(key, set()).add(judge.id)
        groups: dict[frozenset[str], frozenset[int]] = {}
        entry_inst: list[str | None] = []
        same_inst: list[frozenset[int]] = []
        for entry in entries:
            keys = entry.conflict_keys
            if keys not in groups:
                # One shared set per combination of keys, not per entry or pair.
                groups[keys] = frozenset().union(*(members.get(k, ()) for k in keys))
            group = groups[keys]
            same_inst.append(group - entry.waived_judges if entry.waived_judges else group)
            entry_inst.append("\x1f".join(sorted(keys)) or None)
        return cls(
            panel=panel,
            everyone=frozenset(panel),
            entry_ids=[e.id for e in entries],
            entry_inst=entry_inst,
            same_inst=same_inst,
            declared=[e.conflicted_judges for e in entries],
            on=[set() for _ in entries],
            held={j: set() for j in panel},
            load=dict.fromkeys(panel, 0),
            given={},
        )

    def free(self, j: int, e: int) -> bool:
        """Whether judge j could take entry e: eligible and not already on it."""
        return j not in self.same_inst[e] and j not in self.declared[e] and j not in self.on[e]

    def free_among(self, e: int, pool: set[int] | frozenset[int]) -> set[int] | frozenset[int]:
        """The judges of ``pool`` who could take entry e (set differences run in C)."""
        return pool.difference(self.same_inst[e], self.declared[e], self.on[e])

    def place(self, pairs: Iterable[Pair], *, movable: bool) -> None:
        """Put existing assignments in place, refusing any that could not be valid."""
        kind = "movable" if movable else "fixed"
        entry_at = {id_: e for e, id_ in enumerate(self.entry_ids)}
        for pair in pairs:
            e, j = entry_at.get(pair.entry_id), pair.judge_id
            if e is None or j not in self.load:
                raise ValueError(f"{kind} assignment {pair} names an unknown entry or judge")
            if not self.free(j, e):
                raise ValueError(f"{kind} assignment {pair} is repeated or in conflict")
            self.on[e].add(j)
            self.load[j] += 1
            if movable:
                self.held[j].add(e)
                self.given.setdefault(e, set()).add(j)

    def eligible_floors(self) -> list[int]:
        """A cheap lower bound on each entry's eligible judges.

        Exact unless a declared conflict names a judge of the entry's institution or one
        who is not on the panel.
        """
        total = len(self.panel)
        return [
            total - len(same) - len(declared)
            for same, declared in zip(self.same_inst, self.declared, strict=True)
        ]

    def refuse_if_infeasible(self, k: int) -> None:
        """Raise InfeasibleAssignment naming every entry with fewer than k eligible judges."""
        suspects = [e for e, floor in enumerate(self.eligible_floors()) if floor < k]
        # Fixed judges passed ``free`` when placed, so they are among the eligible counted.
        counts = {e: len(self.everyone - self.same_inst[e] - self.declared[e]) for e in suspects}
        lacking = {self.entry_ids[e]: n for e, n in counts.items() if n < k}
        if lacking:
            raise InfeasibleAssignment(lacking=lacking, judges_per_entry=k)

    def greedy(self, k: int, rng: random.Random) -> None:
        """Give each entry its missing judges, tightest entries first, least loaded first."""
        floors = self.eligible_floors()
        order = list(range(len(self.entry_ids)))
        rng.shuffle(order)  # seeded tie-break between entries equally constrained
        # Grouping by institution lets a run of entries share the judges parked below.
        order.sort(key=lambda e: (floors[e], self.entry_inst[e] or ""))
        heap = [(self.load[j], rng.random(), j) for j in self.panel]
        heapq.heapify(heap)
        parked: list[_HeapItem] = []  # judges of ``parked_for``, out of the heap meanwhile
        parked_for: str | None = None
        for e in order:
            need = k - len(self.on[e])
            if need <= 0:
                continue
            if self.entry_inst[e] != parked_for:
                for item in parked:
                    heapq.heappush(heap, item)
                parked, parked_for = [], self.entry_inst[e]
            picked = None
            if floors[e] >= _SCAN_FACTOR * need:
                picked = self.pick_from_heap(heap, parked, e, need)
            for j in self.pick_by_scan(e, need, rng) if picked is None else picked:
                self.on[e].add(j)
                self.held[j].add(e)
                self.load[j] += 1
                heapq.heappush(heap, (self.load[j], rng.random(), j))

    def pick_from_heap(
        self, heap: list[_HeapItem], parked: list[_HeapItem], e: int, need: int
    ) -> list[int] | None:
        """Pop the least-loaded judges free for e; None (heap as before) if too many are not.

        Judges of e's institution go to ``parked``: they stay ineligible for the whole run of
        entries from that institution, so popping them again for each would cost O(panel).
        Items whose load is outdated are dropped: a newer item for that judge is in the heap.
        """
        picked: list[_HeapItem] = []
        skipped: list[_HeapItem] = []
        while len(picked) < need and heap:
            item = heapq.heappop(heap)
            if item[0] != self.load[item[2]]:
                continue
            if item[2] in self.same_inst[e]:
                parked.append(item)
            elif self.free(item[2], e):
                picked.append(item)
            else:
                skipped.append(item)
                if len(skipped) > _SKIP_BUDGET + need:
                    break  # declared conflicts crowd the low loads: scanning is cheaper
        done = len(picked) == need
        for item in skipped if done else skipped + picked:
            heapq.heappush(heap, item)
        return [item[2] for item in picked] if done else None

    def pick_by_scan(self, e: int, need: int, rng: random.Random) -> list[int]:
        """The ``need`` least-loaded judges free for e, found by scanning the whole panel."""
        free = sorted(self.free_among(e, self.everyone))  # sorted: set order is no seed
        rng.shuffle(free)  # then the stable sort breaks equal loads in a seeded order
        free.sort(key=self.load.__getitem__)
        return free[:need]

    def repair(self) -> None:
        """Move assignments along chains until no chain lowers the max or raises the min."""
        max_is_least = False
        while self.load:
            top, bottom = max(self.load.values()), min(self.load.values())
            if top - bottom <= 1:
                return
            if not max_is_least:
                if self.augment(self.loaded(top, top), self.loaded(bottom, top - 2)):
                    continue
                max_is_least = True  # no chain can lower it: see the module docstring
            if not self.augment(self.loaded(bottom + 2, top), self.loaded(bottom, bottom)):
                return

    def loaded(self, low: int, high: int) -> list[int]:
        """The judges whose load is between ``low`` and ``high``, in panel order."""
        return [j for j in self.panel if low <= self.load[j] <= high]

    def augment(self, sources: list[int], targets: list[int]) -> bool:
        """Run one shortest chain of passes from a source to a target; False if none exists."""
        moves = self.find_chain(sources, set(targets))
        for e, a, b in moves:
            self.held[a].remove(e)
            self.held[b].add(e)
            self.on[e].remove(a)
            self.on[e].add(b)
        if moves:
            self.load[moves[-1][1]] -= 1  # the source; the others gave one and took one
            self.load[moves[0][2]] += 1  # the target
        return bool(moves)

    def find_chain(self, sources: list[int], targets: set[int]) -> list[_Move]:
        """BFS over passes; the chain as moves, target end first; empty if there is none."""
        parent: dict[int, tuple[int, int]] = {}
        unvisited = set(self.everyone).difference(sources)
        queue, expanded = deque(sources), set()
        while queue and unvisited:
            a = queue.popleft()
            for e in sorted(self.held[a]):  # sorted: set order is no seed, and no contract
                if e in expanded:
                    continue  # an entry gives the same passes from any holder: expand it once
                expanded.add(e)
                reached = sorted(self.free_among(e, unvisited))
                unvisited.difference_update(reached)
                for b in reached:
                    parent[b] = (a, e)
                hit = next((b for b in reached if b in targets), None)
                if hit is not None:
                    return self.trace(parent, hit)
                queue.extend(reached)
        return []

    @staticmethod
    def trace(parent: dict[int, tuple[int, int]], end: int) -> list[_Move]:
        """Follow parent links back from ``end`` to a source."""
        moves = []
        while end in parent:
            start, e = parent[end]
            moves.append((e, start, end))
            end = start
        return moves

    def plan(self) -> AssignmentPlan:
        """Additions and removals by entry (input order) and the loads by judge id."""
        now: list[list[int]] = [[] for _ in self.entry_ids]
        for j, entries in self.held.items():
            for e in entries:
                now[e].append(j)
        added: dict[int, tuple[int, ...]] = {}
        removed: dict[int, tuple[int, ...]] = {}
        for e, judges in enumerate(now):
            before = self.given.get(e, _NOBODY)
            if new := [j for j in judges if j not in before] if before else judges:
                added[self.entry_ids[e]] = tuple(sorted(new))
            if gone := before.difference(judges):
                removed[self.entry_ids[e]] = tuple(sorted(gone))
        return AssignmentPlan(added=added, removed=removed, loads=dict(sorted(self.load.items())))
