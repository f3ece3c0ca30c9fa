"""Phase 1: from submitted sheet totals to every entry's round and combined score."""

import math
from collections.abc import Iterable, Mapping
from fractions import Fraction
from operator import itemgetter

from scoring.aggregate import (
    FractionCache,
    aggregate_exact,
    aggregate_float,
    carry_over,
)
from scoring.bulk import gc_paused
from scoring.normalise import zscore_params
from scoring.types import (
    Aggregation,
    EntryScore,
    Normalization,
    RoundRules,
    RoundScores,
    Score,
    ZScoreParams,
)

# An entry's totals as (total_tenths, judge_id).
_Totals = list[tuple[int, int]]
_judge_id = itemgetter(1)


@gc_paused
def score_round(
    sheets: Iterable[tuple[int, int, int]],
    rules: RoundRules,
    *,
    tracks: Mapping[int, str],
    previous: Mapping[int, Score] | None = None,
) -> RoundScores:
    """Score every entry of a round (SPEC 3.1-3.4).

    ``sheets``: ``(judge_id, entry_id, total_tenths)`` of every submitted sheet of the
    round, all tracks (z-scores are taken over the whole round).
    ``tracks``: entry_id -> track code of every entry in the round; entries without a
    sheet come out with ``round_score``/``combined``/``median`` None.
    ``previous``: entry_id -> combined score in the previous round. Carry-over applies
    only to entries found there; the others' combined score is their round score.
    Under ``none`` a float previous score is taken at its exact binary value.
    """
    sheets = list(sheets)
    totals = _group_by_entry(sheets, tracks)
    params = zscore_params(sheets) if rules.normalization is Normalization.zscore else None
    fractions = FractionCache()
    maps = _affine_maps(params) if params is not None else {}
    trim_from = rules.trim_min_judges if rules.aggregation is Aggregation.trimmed_mean else math.inf
    weight = rules.carry_over_weight
    # With w = 0 nothing carries over; skipping the lookup spares 100,000 comparisons.
    carried = _previous_scores(previous or {}, exact=params is None) if weight else {}
    entries: dict[int, EntryScore] = {}
    for entry_id, track in tracks.items():
        pairs = totals.get(entry_id)
        if pairs is None:
            entries[entry_id] = EntryScore(entry_id, track, 0, None, None, None)
            continue
        pairs.sort()
        if len(set(map(_judge_id, pairs))) != len(pairs):
            # A judge counted twice would silently weigh double in the entry's score.
            raise ValueError(f"entry {entry_id} has two sheets from the same judge")
        trim = len(pairs) >= trim_from
        if params is None:
            n, score, median, dropped = aggregate_exact(pairs, trim, fractions)
        else:
            n, score, median, dropped = aggregate_float(_normalise(pairs, maps, params.mean), trim)
        combined = carry_over(score, carried[entry_id], weight) if entry_id in carried else score
        entries[entry_id] = EntryScore(entry_id, track, n, score, combined, median, dropped)
    return RoundScores(rules.normalization, entries, params)


def _group_by_entry(
    sheets: list[tuple[int, int, int]], tracks: Mapping[int, str]
) -> dict[int, _Totals]:
    """Each entry's totals, refusing sheets for entries outside the round."""
    totals: dict[int, _Totals] = {}
    for judge_id, entry_id, tenths in sheets:
        entry_totals = totals.get(entry_id)
        if entry_totals is None:
            totals[entry_id] = entry_totals = []
        entry_totals.append((tenths, judge_id))
    unknown = totals.keys() - tracks.keys()
    if unknown:
        raise ValueError(f"sheets for entries not in the round: {sorted(unknown)[:10]}")
    return totals


def _affine_maps(params: ZScoreParams) -> dict[int, tuple[float, float]]:
    """judge_id -> (S / s_j, m_j): normalised_total() with its per-judge part hoisted."""
    return {judge_id: (params.std / j.std, j.mean) for judge_id, j in params.judges.items()}


def _normalise(
    pairs: _Totals, maps: dict[int, tuple[float, float]], mean: float
) -> list[tuple[float, int]]:
    """The entry's totals normalised as by normalised_total(), sorted ascending."""
    values: list[tuple[float, int]] = []
    for tenths, judge_id in pairs:
        judge = maps.get(judge_id)
        if judge is None:
            values.append((tenths / 10, judge_id))
        else:
            values.append((mean + judge[0] * (tenths / 10 - judge[1]), judge_id))
    values.sort()
    return values


def _previous_scores(previous: Mapping[int, Score], *, exact: bool) -> dict[int, Score]:
    """Previous combined scores in the type this round computes with."""
    if exact:
        # Fraction(x) of a Fraction would copy it: 60 ms on 100,000 entries for nothing.
        return {e: s if type(s) is Fraction else Fraction(s) for e, s in previous.items()}
    return {entry_id: float(score) for entry_id, score in previous.items()}
