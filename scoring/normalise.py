"""Rule 2: z-score normalisation of judge totals across a round."""

import math
import operator
from collections.abc import Iterable, Mapping, Sequence

from scoring.types import JudgeStats, ZScoreParams

# docs/rules.md 3.2: a judge with fewer totals than this keeps their raw totals.
MIN_TOTALS_TO_NORMALISE = 3


def _stats(count: int, total: int, total_sq: int) -> tuple[float, float]:
    """Population mean and std in points, from integer sums of tenths."""
    # n*sum(t^2) - sum(t)^2 is n^2 times the variance, computed exactly on integers so
    # that a judge who gave identical totals is recognised by a 0, not by 1e-17.
    spread = count * total_sq - total * total
    return total / count / 10, math.sqrt(spread) / count / 10


def zscore_params(sheets: Iterable[tuple[int, int, int]]) -> ZScoreParams:
    """M, S and each normalised judge's m_j, s_j over all submitted totals of a round.

    ``sheets`` are ``(judge_id, entry_id, total_tenths)`` for every track of the round.
    """
    # The parameters do not depend on which entry a total belongs to: one group will do.
    return zscore_of_entries({0: [(tenths, judge_id) for judge_id, _entry, tenths in sheets]})


def zscore_of_entries(sheets: Mapping[int, Iterable[Sequence[int]]]) -> ZScoreParams:
    """``zscore_params`` of sheets grouped by entry, each starting (total_tenths, judge_id)."""
    per_judge: dict[int, list[int]] = {}
    for entry_sheets in sheets.values():
        for sheet in entry_sheets:
            totals = per_judge.get(sheet[1])
            if totals is None:
                per_judge[sheet[1]] = totals = []
            totals.append(sheet[0])
    return _params(per_judge)


def _params(per_judge: dict[int, list[int]]) -> ZScoreParams:
    """The parameters from each judge's totals in tenths."""
    if not per_judge:
        return ZScoreParams(mean=0.0, std=0.0, judges={})
    sums = {j: (len(t), sum(t), sum(map(operator.mul, t, t))) for j, t in per_judge.items()}
    mean, std = _stats(*(sum(column) for column in zip(*sums.values(), strict=True)))
    judges: dict[int, JudgeStats] = {}
    for judge_id, (n, total, total_sq) in sums.items():
        m_j, s_j = _stats(n, total, total_sq)
        if n >= MIN_TOTALS_TO_NORMALISE and s_j > 0:
            judges[judge_id] = JudgeStats(count=n, mean=m_j, std=s_j)
    return ZScoreParams(mean=mean, std=std, judges=judges)


def normalised_total(params: ZScoreParams, judge_id: int, total_tenths: int) -> float:
    """t' = M + S * (t - m_j) / s_j in points; t itself for a judge left raw (docs/rules.md 3.2)."""
    judge = params.judges.get(judge_id)
    if judge is None:
        return total_tenths / 10
    # Same operation order as score_round's inlined copy, so both give identical floats.
    return params.mean + params.std / judge.std * (total_tenths / 10 - judge.mean)
