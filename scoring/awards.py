"""Rule 9: award tiers from final-round rankings.

Tiers are laid out as places in fill order (gold 1, silver 2, bronze 3 gives
G S S B B B) and handed down each ranking. A tie group takes the places it spans;
when those are not all the same tier (an award and no award count as different), the
organiser must settle it with ``resolve``: entry_id -> tier (or None for no award)
for the group's entries, using up exactly the places the group spans.
"""

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import groupby
from operator import attrgetter

from scoring.types import RankedEntry, Ranking, Tier

_rank = attrgetter("rank")
DEFAULT_TIERS: tuple[tuple[Tier, int], ...] = ((Tier.gold, 1), (Tier.silver, 2), (Tier.bronze, 3))


@dataclass(frozen=True, slots=True)
class Allocation:
    entry_id: int
    tier: Tier
    track: str


class TieProblem(StrEnum):
    unresolved = "unresolved"  # resolve names no entry of the group
    mismatch = "mismatch"  # the resolved tiers are not exactly the places the group spans


@dataclass(frozen=True, slots=True)
class BoundaryTie:
    """A tie group spanning places of different tiers; ``places`` best first, None = no award."""

    scope: str | None
    rank: int
    entry_ids: tuple[int, ...]
    places: tuple[Tier | None, ...]
    problem: TieProblem


@dataclass(frozen=True, slots=True)
class AwardConflict:
    """Why no allocation was made: ties to settle, and resolve entries settling no tie."""

    ties: tuple[BoundaryTie, ...]
    stray_entry_ids: tuple[int, ...] = ()


def allocate_awards(
    rankings: Iterable[Ranking],
    *,
    tiers: Sequence[tuple[Tier, int]] = DEFAULT_TIERS,
    resolve: Mapping[int, Tier | None] | None = None,
) -> tuple[Allocation, ...] | AwardConflict:
    """Award tiers down each ranking: one per track (default scope) or one overall.

    ``tiers``: (tier, count) applied to each ranking, filled gold, silver, bronze,
    excellence whatever order they are given in. Unscored entries get nothing.
    ``resolve``: entry_id -> tier or None for entries of contested ties; an entry of a
    resolved group that is left out gets no award. All rankings are checked before
    answering, so one conflict lists every problem; a ``resolve`` entry that settles
    no contested tie is a conflict too: the organiser's view of the ties is not the
    ranking's (counts changed, or scores were reopened since).
    """
    places = _places(tiers)
    resolved = {entry_id: _tier(tier) for entry_id, tier in (resolve or {}).items()}
    allocations: list[Allocation] = []
    ties: list[BoundaryTie] = []
    contested: set[int] = set()
    for ranking in rankings:
        position = 0
        for rank, group in _rank_groups(ranking):
            if position >= len(places):
                break  # every place is taken; the rest of the ranking gets nothing
            span = tuple(_place(places, i) for i in range(position, position + len(group)))
            position += len(group)
            if len(set(span)) == 1:
                allocations.extend(_allocate(group, [span[0]] * len(group)))
                continue
            contested.update(entry.entry_id for entry in group)
            problem = _check_resolve(group, span, resolved)
            if problem is None:
                chosen = [resolved.get(entry.entry_id) for entry in group]
                allocations.extend(_allocate(group, chosen))
            else:
                ids = tuple(entry.entry_id for entry in group)
                ties.append(BoundaryTie(ranking.scope, rank, ids, span, problem))
    stray = tuple(sorted(resolved.keys() - contested))
    if ties or stray:
        return AwardConflict(tuple(ties), stray)
    return tuple(allocations)


def _places(tiers: Sequence[tuple[Tier, int]]) -> list[Tier]:
    counts: dict[Tier, int] = {}
    for given, count in tiers:
        tier = Tier(given)
        if tier in counts or count < 0:
            raise ValueError(f"each tier once with a count >= 0; got {given} {count}")
        counts[tier] = count
    return [tier for tier in Tier for _ in range(counts.get(tier, 0))]


def _tier(tier: Tier | str | None) -> Tier | None:
    return None if tier is None else Tier(tier)


def _place(places: list[Tier], index: int) -> Tier | None:
    return places[index] if index < len(places) else None


def _rank_groups(ranking: Ranking) -> Iterator[tuple[int, list[RankedEntry]]]:
    """Scored entries in groups sharing a rank (a group of one when untied)."""
    for rank, group in groupby(ranking.entries, key=_rank):
        if rank is None:
            return  # unscored entries come last and never get awards
        yield rank, list(group)


def _check_resolve(
    group: list[RankedEntry], span: tuple[Tier | None, ...], resolved: Mapping[int, Tier | None]
) -> TieProblem | None:
    if not any(entry.entry_id in resolved for entry in group):
        return TieProblem.unresolved
    # Entries of the group left out of resolve get no award; the counts must still add up.
    chosen = Counter(resolved.get(entry.entry_id) for entry in group)
    return None if chosen == Counter(span) else TieProblem.mismatch


def _allocate(group: list[RankedEntry], tiers: list[Tier | None]) -> Iterator[Allocation]:
    """Allocations best tier first (ranking order within a tier), skipping 'no award'."""
    order = list(Tier)
    pairs = sorted(
        ((tier, entry) for entry, tier in zip(group, tiers, strict=True) if tier is not None),
        key=lambda pair: order.index(pair[0]),
    )
    for tier, entry in pairs:
        yield Allocation(entry.entry_id, tier, entry.track)
