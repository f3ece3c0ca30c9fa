"""Pure scoring rules of docs/rules.md section 3: no database, no web, nothing of ours.

Typical use by the results service::

    scores = score_round(sheet_totals, rules, tracks=entry_tracks, previous=prev)
    order = order_by_score(scores)                     # by_track=False: overall
    needed = entries_needing_criteria(order)           # SUM the tie-break criteria of these
    rankings = rank_round(order, criterion_sums=sums_for(needed))
    previews = {r.scope: preview_advancement(r, counts[r.scope]) for r in rankings}
    awards = allocate_awards(rankings, tiers=tiers, resolve=resolve)

README.md beside this file lists the decisions taken where docs/rules.md is silent.
"""

from scoring.advancement import AdvancementPreview, preview_advancement
from scoring.aggregate import carry_over
from scoring.awards import (
    DEFAULT_TIERS,
    Allocation,
    AwardConflict,
    BoundaryTie,
    TieProblem,
    allocate_awards,
)
from scoring.display import format_score, points, points_text
from scoring.normalise import normalised_total, zscore_params
from scoring.rank import entries_needing_criteria, order_by_score, rank_round
from scoring.scores import score_entries, score_round
from scoring.tiebreak import TieBreak, tie_breaks
from scoring.totals import judge_total
from scoring.types import (
    TOLERANCE,
    Aggregation,
    EntryScore,
    JudgeStats,
    Normalization,
    RankedEntry,
    Ranking,
    RoundRules,
    RoundScores,
    ScopeOrder,
    Score,
    ScoreOrder,
    SheetTotal,
    Tier,
    ZScoreParams,
)

__all__ = [
    "DEFAULT_TIERS",
    "TOLERANCE",
    "AdvancementPreview",
    "Aggregation",
    "Allocation",
    "AwardConflict",
    "BoundaryTie",
    "EntryScore",
    "JudgeStats",
    "Normalization",
    "RankedEntry",
    "Ranking",
    "RoundRules",
    "RoundScores",
    "Score",
    "ScopeOrder",
    "ScoreOrder",
    "SheetTotal",
    "Tier",
    "TieBreak",
    "TieProblem",
    "ZScoreParams",
    "allocate_awards",
    "carry_over",
    "entries_needing_criteria",
    "format_score",
    "points",
    "points_text",
    "judge_total",
    "normalised_total",
    "order_by_score",
    "preview_advancement",
    "rank_round",
    "score_entries",
    "score_round",
    "tie_breaks",
    "zscore_params",
]
