"""The strip plot of the fairness page: every judge's totals on one line, drawn as SVG by
the template from the coordinates computed here (no chart library, no JavaScript)."""

from dataclasses import dataclass
from math import sqrt

from contest.results.fairness import JudgeLine

ROW = 24  # px per judge
LEFT = 150  # px for the judges' names
WIDTH = 640  # px of the plotting area
TOP = 10
AXIS = 28  # px below the rows for the scale


@dataclass(frozen=True)
class Row:
    y: float
    name: str
    dots: list[float]  # x of each total
    mean_x: float
    lenient: bool  # leniency beyond the round's noise: drawn in the warning colour


@dataclass(frozen=True)
class StripPlot:
    width: int
    height: int
    left: int
    rows: list[Row]
    ticks: list[tuple[float, str]]  # (x, label)
    overall_x: float | None


def _scale(low: float, high: float) -> tuple[float, float]:
    """A range of whole tens around the data (a flat line gets 10 points either side)."""
    low, high = (low - 10, high + 10) if high - low < 1 else (low, high)
    return float(int(low // 10) * 10), float(-int(-high // 10) * 10)


def marked_from(judges: list[JudgeLine], floor: float = 3.0) -> float:
    """How far from 0 a leniency must be to be marked: twice the spread of the panel's
    leniencies (a panel of mixed habits marks only who stands out), at least ``floor``."""
    values = [line.stats.leniency for line in judges if line.stats.leniency is not None]
    if len(values) < 3:
        return floor
    mean = sum(values) / len(values)
    spread = sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return max(floor, 2 * spread)


def strip_plot(judges: list[JudgeLine]) -> StripPlot | None:
    """Coordinates for the plot; None when no sheet is submitted. Judges whose leniency
    reaches ``marked_from`` either way are marked."""
    totals = [t for line in judges for t in line.totals]
    if not totals:
        return None
    lenient_from = marked_from(judges)
    low, high = _scale(min(totals), max(totals))

    def x(value: float) -> float:
        return round(LEFT + (value - low) / (high - low) * WIDTH, 1)

    rows = [
        Row(
            y=TOP + index * ROW + ROW / 2,
            name=line.name or f"#{line.stats.judge_id}",
            dots=[x(t) for t in line.totals],
            mean_x=x(line.stats.mean),
            lenient=line.stats.leniency is not None and abs(line.stats.leniency) >= lenient_from,
        )
        for index, line in enumerate(judges)
    ]
    step = 10 if high - low <= 60 else 20
    ticks = [(x(v), f"{v:g}") for v in range(int(low), int(high) + 1, step)]
    overall = sum(totals) / len(totals)
    return StripPlot(
        width=LEFT + WIDTH + 20,
        height=TOP + len(judges) * ROW + AXIS,
        left=LEFT,
        rows=rows,
        ticks=ticks,
        overall_x=x(overall),
    )
