"""Rule 7: scores shown and exported with 2 decimals, rounded half up."""

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

# Binary noise in a zscore result is far below the comparison tolerance (1e-9);
# rounding to 9 places first makes 79.33499999999999 display as a true 79.335 would.
_NANO = Decimal("1e-9")


def format_score(score: Fraction | float | int | Decimal) -> str:
    """A score with exactly 2 decimals, halves rounded away from zero (ROUND_HALF_UP).

    Fractions, ints and Decimals are rounded exactly (238/3 -> "79.33", 2675/1000 ->
    "2.68"); floats are first rounded to 9 decimals (see ``_NANO``), so the float
    2.675 also gives "2.68". Never "-0.00".
    """
    if isinstance(score, float):
        score = Decimal(score).quantize(_NANO, rounding=ROUND_HALF_EVEN)
    exact = Fraction(score)
    # Integer arithmetic: a Decimal division would round before we do.
    hundredths, remainder = divmod(abs(exact.numerator) * 100, exact.denominator)
    if 2 * remainder >= exact.denominator:
        hundredths += 1
    sign = "-" if exact < 0 and hundredths else ""
    return f"{sign}{hundredths // 100}.{hundredths % 100:02d}"


def points_text(tenths: int) -> str:
    """A stored value in tenths of a point as every page, form and file shows it: always
    one decimal, the precision judges score in (275 -> "27.5", 200 -> "20.0")."""
    sign = "-" if tenths < 0 else ""
    whole, tenth = divmod(abs(tenths), 10)
    return f"{sign}{whole}.{tenth}"


def points(tenths: int) -> float:
    """A stored value in tenths as a JSON number with one decimal: 875 -> 87.5."""
    return float(Decimal(tenths) / 10)
