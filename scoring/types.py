"""Values that flow through the scoring rules (docs/rules.md section 3).

Scores are integer tenths of a point on the way in (27.5 points = 275) and points on
the way out. Under ``normalization: none`` every score is an exact ``Fraction``;
under ``zscore`` it is a ``float`` and is compared with ``TOLERANCE``.
"""

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple

# A score in points: Fraction under normalization none, float under zscore.
Score = Fraction | float

# docs/rules.md 3.6: zscore results are compared with this absolute tolerance (points).
TOLERANCE = 1e-9


# The scoring rules own these enums; the application imports them (contest/core/enums.py).
class Normalization(StrEnum):
    none = "none"
    zscore = "zscore"


class Aggregation(StrEnum):
    trimmed_mean = "trimmed_mean"
    mean = "mean"


class Tier(StrEnum):
    """Award tiers, declared in the order they are filled (docs/rules.md 3.9)."""

    gold = "gold"
    silver = "silver"
    bronze = "bronze"
    excellence = "excellence"


class SheetTotal(NamedTuple):
    """One submitted score sheet, reduced to its total (docs/rules.md 3.1).

    A NamedTuple rather than a dataclass so that plain ``(judge_id, entry_id,
    total_tenths)`` rows from ``SUM(...) GROUP BY sheet`` can be passed unchanged.
    """

    judge_id: int
    entry_id: int
    total_tenths: int


@dataclass(frozen=True, slots=True)
class RoundRules:
    """A round's aggregation settings; defaults are docs/rules.md section 3's."""

    aggregation: Aggregation = Aggregation.trimmed_mean
    trim_min_judges: int = 5
    normalization: Normalization = Normalization.none
    carry_over_weight: Fraction = Fraction(0)

    def __post_init__(self) -> None:
        # Settings arrive as strings from the database; coerce so `is` checks hold.
        object.__setattr__(self, "aggregation", Aggregation(self.aggregation))
        object.__setattr__(self, "normalization", Normalization(self.normalization))
        if isinstance(self.carry_over_weight, float):
            # A binary float such as 0.3 is not 3/10; the caller must say which it means.
            raise TypeError("carry_over_weight must be exact: pass Fraction(str(w)) or a Decimal")
        weight = Fraction(self.carry_over_weight)
        if not 0 <= weight < 1:
            raise ValueError(f"carry_over_weight must be in [0, 1), got {weight}")
        object.__setattr__(self, "carry_over_weight", weight)
        if self.trim_min_judges < 3:
            # Dropping a highest and a lowest of two totals would leave nothing to average.
            raise ValueError(f"trim_min_judges must be at least 3, got {self.trim_min_judges}")


# EntryScore and RankedEntry are made 100,000 at a time, and a frozen dataclass takes
# four times as long to build (object.__setattr__ per field): 90 ms of a ranking.
# Treat them as read-only all the same; ScoreOrder and Ranking share them.


@dataclass(slots=True)
class EntryScore:
    """An entry's result in one round (docs/rules.md 3.3-3.4); scores are None when unscored.

    ``dropped_judge_ids`` is ``(highest, lowest)`` when the trimmed mean struck two
    totals, else empty; ``median`` is the median of the (normalised) judge totals.
    """

    entry_id: int
    track: str
    judge_count: int
    round_score: Score | None
    combined: Score | None
    median: Score | None
    dropped_judge_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class JudgeStats:
    """Mean and population standard deviation of one judge's totals, in points."""

    count: int
    mean: float
    std: float


@dataclass(frozen=True, slots=True)
class ZScoreParams:
    """Everything needed to normalise a total (docs/rules.md 3.2), in points.

    ``judges`` holds only the judges who are normalised (3+ totals, std > 0);
    every other judge keeps their raw totals.
    """

    mean: float
    std: float
    judges: dict[int, JudgeStats]


@dataclass(frozen=True, slots=True)
class RoundScores:
    """Phase 1 output: every entry of the round, scored or not, by entry id."""

    normalization: Normalization
    entries: dict[int, EntryScore]
    zscore: ZScoreParams | None = None


@dataclass(frozen=True, slots=True)
class ScopeOrder:
    """One scope's scored entries in rank order, grouped while their combined score and
    median are equal (docs/rules.md 3.5a), and its unscored entries by entry id."""

    scope: str | None
    groups: list[list[EntryScore]]
    unscored: list[EntryScore]


@dataclass(frozen=True, slots=True)
class ScoreOrder:
    """Phase 2 output: the round ordered per track (or overall, one scope None) before
    the criterion tie-breaker, whose sums are fetched for the groups still tied."""

    scopes: tuple[ScopeOrder, ...]


@dataclass(slots=True)
class RankedEntry:
    """One line of a ranking; rank is None for unscored entries (listed last)."""

    rank: int | None
    tie: bool
    score: EntryScore

    @property
    def entry_id(self) -> int:
        return self.score.entry_id

    @property
    def track(self) -> str:
        return self.score.track


@dataclass(frozen=True, slots=True)
class Ranking:
    """Entries of one scope in rank order: scope is a track code, or None for overall."""

    scope: str | None
    entries: tuple[RankedEntry, ...]
