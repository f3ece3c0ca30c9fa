"""Time the scoring engine on a national-scale round (docs/rules.md section 8).

100,000 entries x 5 judges (500,000 sheet totals) from 2,000 judges in two tracks,
handed over as the results service will: one (judge_id, entry_id, total_tenths) per
submitted sheet. Prints one line per phase: wall-clock and CPU seconds (CPU time is
steadier when other processes share the machine).

    .venv/bin/python bench/results_engine.py      (or python -m bench.results_engine)
"""

import os
import random
import sys
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import TypeVar

# Run as a script, the repository root is not on sys.path; scoring/ is all we need.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scoring import (  # noqa: E402
    Normalization,
    RoundRules,
    Score,
    SheetTotal,
    allocate_awards,
    entries_needing_criteria,
    order_by_score,
    preview_advancement,
    rank_round,
    score_round,
)

ENTRIES = 100_000
JUDGES = 2_000
JUDGES_PER_ENTRY = 5
TIEBREAK_CRITERIA = 2
ADVANCE_PER_TRACK = 35_000
T = TypeVar("T")
Data = tuple[list[SheetTotal], dict[int, str], dict[int, Score]]


def generate(seed: int = 1) -> Data:
    """Totals around 70 points, judges of varying severity, so zscore has work to do."""
    rng = random.Random(seed)
    tracks = {entry_id: ("startup", "creative")[entry_id % 2] for entry_id in range(ENTRIES)}
    severity = [round(rng.gauss(0, 50)) for _ in range(JUDGES)]
    sheets = []
    for entry_id in range(ENTRIES):
        quality = 550 + int(rng.random() * 300)
        first = rng.randrange(JUDGES)
        for k in range(JUDGES_PER_ENTRY):
            judge_id = (first + 401 * k) % JUDGES  # 5 distinct judges per entry
            total = quality + severity[judge_id] + int(rng.random() * 81) - 40
            sheets.append(SheetTotal(judge_id, entry_id, min(1000, max(0, total))))
    previous: dict[int, Score] = {e: Fraction(rng.randrange(5000, 9500), 100) for e in tracks}
    return sheets, tracks, previous


def timed(rows: list[tuple[str, float, float]], label: str, run: Callable[[], T]) -> T:
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    rows.append((label, time.perf_counter() - wall, time.process_time() - cpu))
    return result


def bench(name: str, rules: RoundRules, data: Data) -> None:
    sheets, tracks, previous = data
    carried = previous if rules.carry_over_weight else None
    rows: list[tuple[str, float, float]] = []
    scores = timed(
        rows, "score_round", lambda: score_round(sheets, rules, tracks=tracks, previous=carried)
    )
    order = timed(rows, "order_by_score", lambda: order_by_score(scores))
    needed = timed(rows, "entries_needing_criteria", lambda: entries_needing_criteria(order))
    # Stand-in for the SQL query summing the tie-break criteria of the needed entries.
    sums = {e: [(e * 7 + k) % 300 for k in range(TIEBREAK_CRITERIA)] for e in needed}
    rankings = timed(rows, "rank_round", lambda: rank_round(order, criterion_sums=sums))
    subtotal = [sum(wall for _, wall, _cpu in rows), sum(cpu for _, _wall, cpu in rows)]
    timed(
        rows,
        "preview_advancement",
        lambda: [preview_advancement(r, ADVANCE_PER_TRACK) for r in rankings],
    )
    timed(rows, "allocate_awards", lambda: allocate_awards(rankings))
    ties = sum(r.tie for ranking in rankings for r in ranking.entries)
    print(f"\n{name}: {len(needed):,} entries needed criterion sums, {ties:,} still tied")
    print(f"  {'phase':<28}{'wall s':>8}{'cpu s':>8}")
    for label, wall, cpu in rows[:4]:
        print(f"  {label:<28}{wall:>8.3f}{cpu:>8.3f}")
    print(f"  {'= scores and ranking':<28}{subtotal[0]:>8.3f}{subtotal[1]:>8.3f}")
    for label, wall, cpu in rows[4:]:
        print(f"  {label:<28}{wall:>8.3f}{cpu:>8.3f}")


def main() -> None:
    start = time.perf_counter()
    data = generate()
    print(
        f"{ENTRIES:,} entries x {JUDGES_PER_ENTRY} judges = {len(data[0]):,} sheet totals, "
        f"{JUDGES:,} judges, 2 tracks (generated in {time.perf_counter() - start:.1f} s; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    bench("none, trimmed mean", RoundRules(), data)
    bench("none, trimmed mean, carry-over 0.3", RoundRules(carry_over_weight=Fraction(3, 10)), data)
    bench("zscore, trimmed mean", RoundRules(normalization=Normalization.zscore), data)


if __name__ == "__main__":
    main()
