"""Rule 8: which entries of a ranking advance, never cutting a tie silently."""

from dataclasses import dataclass

from scoring.types import RankedEntry, Ranking


@dataclass(frozen=True, slots=True)
class AdvancementPreview:
    """What the organiser is shown before confirming one scope's advancement.

    ``entry_ids`` is the default selection: the top ``count`` when no tie crosses the
    boundary, else only the entries ranked above the tie group. ``tied_entry_ids`` is
    that group (all share one rank) and ``places_left`` how many of them fit within
    ``count``: the organiser picks them, or advances the whole group deliberately.
    """

    scope: str | None
    count: int
    entry_ids: tuple[int, ...]
    boundary_tie: bool
    tied_entry_ids: tuple[int, ...] = ()
    places_left: int = 0


def preview_advancement(ranking: Ranking, count: int) -> AdvancementPreview:
    """The top ``count`` scored entries of a ranking; unscored entries never advance."""
    if count < 0:
        raise ValueError(f"advancement count must not be negative, got {count}")
    scored = [entry for entry in ranking.entries if entry.rank is not None]
    if count == 0 or count >= len(scored) or scored[count - 1].rank != scored[count].rank:
        return AdvancementPreview(ranking.scope, count, _ids(scored[:count]), boundary_tie=False)
    boundary_rank = scored[count - 1].rank
    certain = [entry for entry in scored[:count] if entry.rank != boundary_rank]
    tied = [entry for entry in scored if entry.rank == boundary_rank]
    return AdvancementPreview(
        ranking.scope,
        count,
        _ids(certain),
        boundary_tie=True,
        tied_entry_ids=_ids(tied),
        places_left=count - len(certain),
    )


def _ids(entries: list[RankedEntry]) -> tuple[int, ...]:
    return tuple(entry.entry_id for entry in entries)
