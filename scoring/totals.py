"""Rule 1: a judge's total for an entry."""

from collections.abc import Iterable


def judge_total(values_tenths: Iterable[int]) -> int:
    """Sum of one submitted sheet's criterion values, in tenths (docs/rules.md 3.1).

    Only submitted sheets count; leaving drafts out is the caller's job because the
    database layer is where a sheet's state is known.
    """
    return sum(values_tenths)
