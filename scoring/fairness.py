"""How each judge scores, and how far judges agree: the fairness view of a round. Pure.

Input: submitted sheets as ``(judge_id, entry_id, total_tenths)``; output in points.
Formulas (also in scoring/README.md "Fairness"):

- A judge's **mean** and **spread** (population standard deviation, as in 3.2) of
  their totals in the round.
- **Leniency** of judge j: the mean, over the entries j scored that others scored too,
  of t(j, e) minus the mean of the other judges' totals for e. Positive: more generous
  than the judges they shared entries with. None when j shared no entry.
- An **outlier sheet**: t(j, e) more than 2 standard deviations from the mean of the
  entry's other totals (at least 2 others; their sample standard deviation, floored at
  1 point so that others who agree exactly do not make every difference an outlier).
- **Agreement**: the one-way random-effects intra-class correlation ICC(1) over the
  entries with at least 2 sheets, for unequal numbers of judges per entry, computed in
  exact arithmetic (``fractions.Fraction``)::

      MSB = sum_i n_i (mean_i - mean)^2 / (g - 1)       g entries, N sheets in all
      MSW = sum_i sum_j (x_ij - mean_i)^2 / (N - g)
      n0  = (N - sum_i n_i^2 / N) / (g - 1)
      ICC = (MSB - MSW) / (MSB + (n0 - 1) MSW)

  1 means judges agree perfectly on which entries are better; 0 or below, that the
  differences between entries are lost in the differences between judges.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import sqrt

OUTLIER_SDS = 2
# Tenths of a point: the smallest spread of the others an outlier is measured against.
OUTLIER_SD_FLOOR_TENTHS = 10


@dataclass(frozen=True, slots=True)
class JudgeFairness:
    judge_id: int
    sheets: int
    mean: float  # points
    sd: float  # points, population
    leniency: float | None  # points
    outliers: int


def _by_entry(sheets: Sequence[tuple[int, int, int]]) -> dict[int, list[tuple[int, int]]]:
    grouped: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for judge_id, entry_id, total in sheets:
        grouped[entry_id].append((judge_id, total))
    return grouped


def _mean_sd(values: Sequence[int]) -> tuple[Fraction, float]:
    mean = Fraction(sum(values), len(values))
    variance = sum((v - mean) ** 2 for v in values) / len(values)
    return mean, sqrt(variance)


def _is_outlier(total: int, others: Sequence[int]) -> bool:
    if len(others) < 2:
        return False
    mean = Fraction(sum(others), len(others))
    sample_var = sum((v - mean) ** 2 for v in others) / (len(others) - 1)
    sd = max(sqrt(sample_var), OUTLIER_SD_FLOOR_TENTHS)
    return abs(float(total - mean)) > OUTLIER_SDS * sd


def judge_fairness(sheets: Iterable[tuple[int, int, int]]) -> list[JudgeFairness]:
    """Per judge: sheets, mean, spread, leniency and outlier sheets; by judge id."""
    rows = list(sheets)
    by_entry = _by_entry(rows)
    totals: dict[int, list[int]] = defaultdict(list)
    gaps: dict[int, list[Fraction]] = defaultdict(list)
    outliers: dict[int, int] = defaultdict(int)
    for entry_sheets in by_entry.values():
        for index, (judge_id, total) in enumerate(entry_sheets):
            totals[judge_id].append(total)
            others = [t for i, (_j, t) in enumerate(entry_sheets) if i != index]
            if others:
                gaps[judge_id].append(total - Fraction(sum(others), len(others)))
            outliers[judge_id] += _is_outlier(total, others)
    found = []
    for judge_id in sorted(totals):
        mean, sd = _mean_sd(totals[judge_id])
        own = gaps[judge_id]
        leniency = float(sum(own, Fraction(0)) / len(own)) / 10 if own else None
        found.append(
            JudgeFairness(
                judge_id,
                len(totals[judge_id]),
                float(mean) / 10,
                sd / 10,
                leniency,
                outliers[judge_id],
            )
        )
    return found


def icc1(sheets: Iterable[tuple[int, int, int]]) -> float | None:
    """ICC(1) of the module docstring; None with fewer than 2 entries scored twice, or
    when it is undefined (no variation at all)."""
    groups = [
        [t for _j, t in entry] for entry in _by_entry(list(sheets)).values() if len(entry) >= 2
    ]
    g, n = len(groups), sum(len(group) for group in groups)
    if g < 2 or n - g < 1:
        return None
    grand = Fraction(sum(sum(group) for group in groups), n)
    means = [Fraction(sum(group), len(group)) for group in groups]
    ssb = sum(len(grp) * (m - grand) ** 2 for grp, m in zip(groups, means, strict=True))
    ssw = sum(sum((x - m) ** 2 for x in grp) for grp, m in zip(groups, means, strict=True))
    msb, msw = Fraction(ssb) / (g - 1), Fraction(ssw) / (n - g)
    n0 = (n - Fraction(sum(len(grp) ** 2 for grp in groups), n)) / (g - 1)
    denominator = msb + (n0 - 1) * msw
    return float((msb - msw) / denominator) if denominator else None


def without_judge(
    sheets: Mapping[int, Sequence[tuple[int, ...]]], judge_id: int
) -> dict[int, list[tuple[int, ...]]]:
    """Sheets grouped by entry (rows starting ``(total_tenths, judge_id)``) without one
    judge's: the leave-one-out scenario of the cut-off check."""
    return {e: [row for row in rows if row[1] != judge_id] for e, rows in sheets.items()}
