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
from scoring.normalise import zscore_of_entries
from scoring.types import (
    Aggregation,
    EntryScore,
    Normalization,
    RoundRules,
    RoundScores,
    Score,
    ZScoreParams,
)

# An entry's submitted sheets, each a sequence that starts (total_tenths, judge_id):
# (tenths, judge) pairs here, the results service's query rows as they come there.
EntrySheets = list[tuple[int, ...]]
_judge_id = itemgetter(1)


@gc_paused
def score_round(
    sheets: Iterable[tuple[int, int, int]],
    rules: RoundRules,
    *,
    tracks: Mapping[int, str],
    previous: Mapping[int, Score] | None = None,
) -> RoundScores:
    """Score every entry of a round (docs/rules.md 3.1-3.4).

    ``sheets``: ``(judge_id, entry_id, total_tenths)`` of every submitted sheet of the
    round, all tracks (z-scores are taken over the whole round).
    ``tracks``: entry_id -> track code of every entry in the round; entries without a
    sheet come out with ``round_score``/``combined``/``median`` None.
    ``previous``: entry_id -> combined score in the previous round. Carry-over applies
    only to entries found there; the others' combined score is their round score.
    Under ``none`` a float previous score is taken at its exact binary value.
    """
    return score_entries(_group_by_entry(sheets), rules, tracks=tracks, previous=previous)


@gc_paused
def score_entries(
    sheets: Mapping[int, EntrySheets],
    rules: RoundRules,
    *,
    tracks: Mapping[int, str],
    previous: Mapping[int, Score] | None = None,
) -> RoundScores:
    """``score_round`` over sheets already grouped by entry: entry_id -> its sheets, each
    a sequence starting ``(total_tenths, judge_id)`` (further items are ignored). Each
    list is sorted in place. An entry of ``tracks`` without a list, or with an empty
    one, is unscored.

    The results service groups its query rows itself (it keeps them for each judge's
    total and the tie-break sums), so they are walked once rather than three times.
    """
    unknown = sheets.keys() - tracks.keys()
    if unknown:
        raise ValueError(f"sheets for entries not in the round: {sorted(unknown)[:10]}")
    params = zscore_of_entries(sheets) if rules.normalization is Normalization.zscore else None
    fractions = FractionCache()
    maps = _affine_maps(params) if params is not None else {}
    trim_from = rules.trim_min_judges if rules.aggregation is Aggregation.trimmed_mean else math.inf
    weight = rules.carry_over_weight
    # With w = 0 nothing carries over; skipping the lookup spares 100,000 comparisons.
    carried = _previous_scores(previous or {}, exact=params is None) if weight else {}
    entries: dict[int, EntryScore] = {}
    for entry_id, track in tracks.items():
        ordered = sheets.get(entry_id)
        if not ordered:
            entries[entry_id] = EntryScore(entry_id, track, 0, None, None, None)
            continue
        ordered.sort()
        if len(set(map(_judge_id, ordered))) != len(ordered):
            # A judge counted twice would silently weigh double in the entry's score.
            raise ValueError(f"entry {entry_id} has two sheets from the same judge")
        trim = len(ordered) >= trim_from
        if params is None:
            n, score, median, dropped = aggregate_exact(ordered, trim, fractions)
        else:
            n, score, median, dropped = aggregate_float(
                _normalise(ordered, maps, params.mean), trim
            )
        combined = carry_over(score, carried[entry_id], weight) if entry_id in carried else score
        entries[entry_id] = EntryScore(entry_id, track, n, score, combined, median, dropped)
    return RoundScores(rules.normalization, entries, params)


def _group_by_entry(sheets: Iterable[tuple[int, int, int]]) -> dict[int, EntrySheets]:
    """Each entry's (total_tenths, judge_id) pairs."""
    grouped: dict[int, EntrySheets] = {}
    for judge_id, entry_id, tenths in sheets:
        pairs = grouped.get(entry_id)
        if pairs is None:
            grouped[entry_id] = pairs = []
        pairs.append((tenths, judge_id))
    return grouped


def _affine_maps(params: ZScoreParams) -> dict[int, tuple[float, float]]:
    """judge_id -> (S / s_j, m_j): normalised_total() with its per-judge part hoisted."""
    return {judge_id: (params.std / j.std, j.mean) for judge_id, j in params.judges.items()}


def _normalise(
    sheets: EntrySheets, maps: dict[int, tuple[float, float]], mean: float
) -> list[tuple[float, int]]:
    """The entry's totals normalised as by normalised_total(), sorted ascending."""
    values: list[tuple[float, int]] = []
    for sheet in sheets:
        tenths, judge_id = sheet[0], sheet[1]
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
