"""The fairness view of a round, before advancement is confirmed (docs/api.md "Fair
judging"): how each judge scores, how far judges agree, and which entries at each
track's cut-off would change sides under z-scores or without any one judge.

The statistics are pure (scoring/fairness.py, formulas in scoring/README.md); this
module loads the round once, runs the scenarios through the same scoring rules as the
results (scoring.score_entries, rank_round, preview_advancement) and names the judges.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from math import sqrt
from statistics import median

from sqlmodel import Session

from contest.core.enums import Normalization
from contest.models import Round
from contest.results.service import RoundData, judge_names, load_round, rules_of
from contest.setup.contests import tracks as contest_tracks
from scoring import order_by_score, preview_advancement, rank_round, score_entries
from scoring.fairness import JudgeFairness, icc1, judge_fairness, without_judge

# Leave-one-out runs for every judge up to this panel size; above it, for the judges
# who scored an entry near a cut-off (BAND places either side), which are the only ones
# whose absence can move an entry across it in practice.
ALL_JUDGES_UP_TO = 200
BAND = 5

Sides = dict[int, bool | None]  # entry id -> advances (True), tied across the line (None)


@dataclass(frozen=True)
class UnstableEntry:
    entry_id: int
    title: str
    margin: float | None  # points above (+) or below (-) the cut-off line
    advances: bool | None
    reasons: tuple[str, ...]  # "zscore" / "none", or "without:<judge id>"


@dataclass(frozen=True)
class TrackCutoff:
    code: str
    name: str
    count: int
    gap: float | None  # last entry in minus first entry out, points
    noise: float | None  # median standard error of an entry's score, points
    unstable: list[UnstableEntry] = field(default_factory=list)

    @property
    def within_noise(self) -> bool:
        return self.gap is not None and self.noise is not None and self.gap < self.noise


@dataclass(frozen=True)
class JudgeLine:
    stats: JudgeFairness
    name: str
    totals: list[float]  # points, for the strip plot


@dataclass(frozen=True)
class Fairness:
    round: Round
    judges: list[JudgeLine]
    icc: float | None
    tracks: list[TrackCutoff]
    other_normalization: Normalization


def _sides(
    data: RoundData,
    sheets: Mapping[int, list[tuple[int, ...]]],
    normalization: Normalization | None,
    sums: dict[int, tuple[int, ...]],
) -> tuple[dict[str, Sides], dict[int, float]]:
    """Each track's advancement (as the preview proposes it) and every entry's score."""
    rules = rules_of(data.round, normalization)
    scores = score_entries(sheets, rules, tracks=data.tracks, previous=data.previous)
    sides: dict[str, Sides] = {}
    for ranking in rank_round(order_by_score(scores), criterion_sums=sums):
        count = data.round.advance_count.get(str(ranking.scope), 0)
        preview = preview_advancement(ranking, count)
        found: Sides = dict.fromkeys(preview.entry_ids, True)
        found.update(dict.fromkeys(preview.tied_entry_ids, None))
        sides[str(ranking.scope)] = found
    shown = {e: float(s.combined) for e, s in scores.entries.items() if s.combined is not None}
    return sides, shown


def _changed(base: Sides, other: Sides) -> set[int]:
    return {e for e in base.keys() | other.keys() if base.get(e, False) != other.get(e, False)}


def _near_cutoffs(data: RoundData, base_scores: dict[int, float]) -> set[int]:
    """Judges who scored an entry within BAND places of a track's cut-off."""
    near: set[int] = set()
    for code, count in data.round.advance_count.items():
        ranked = sorted(
            (e for e, info in data.entries.items() if info.track_code == code and e in base_scores),
            key=lambda e: -base_scores[e],
        )
        for entry_id in ranked[max(0, count - BAND) : count + BAND]:
            near.update(row[1] for row in data.sheets.get(entry_id, []))
    return near


def _scenario_changes(
    data: RoundData, base: dict[str, Sides], sums: dict[int, tuple[int, ...]], judges: list[int]
) -> dict[int, list[str]]:
    """entry id -> the scenarios under which it changes sides."""
    current = Normalization(data.round.normalization)
    other = Normalization.none if current is Normalization.zscore else Normalization.zscore
    reasons: dict[int, list[str]] = {}
    scenarios: list[tuple[str, Mapping[int, list[tuple[int, ...]]], Normalization | None]] = [
        (str(other), data.sheets, other)
    ]
    scenarios += [(f"without:{j}", without_judge(data.sheets, j), None) for j in judges]
    for name, sheets, normalization in scenarios:
        sides, _scores = _sides(data, sheets, normalization, sums)
        for code, line in base.items():
            for entry_id in _changed(line, sides.get(code, {})):
                reasons.setdefault(entry_id, []).append(name)
    return reasons


def _line(sides: Sides, scores: dict[int, float]) -> tuple[float | None, float | None]:
    """(last score in, first score out) of a track, or None where there is none."""
    inside = [scores[e] for e, s in sides.items() if s is True and e in scores]
    outside = [scores[e] for e in scores if e not in sides]
    return (min(inside) if inside else None, max(outside) if outside else None)


def _noise(data: RoundData, code: str) -> float | None:
    errors = []
    for entry_id, info in data.entries.items():
        totals = [row[0] / 10 for row in data.sheets.get(entry_id, [])]
        if info.track_code == code and len(totals) >= 2:
            mean = sum(totals) / len(totals)
            sd = sqrt(sum((t - mean) ** 2 for t in totals) / len(totals))
            errors.append(sd / sqrt(len(totals)))
    return median(errors) if errors else None


def _cutoff(
    data: RoundData,
    code: str,
    name: str,
    sides: Sides,
    scores: dict[int, float],
    reasons: dict[int, list[str]],
) -> TrackCutoff:
    in_track = {e: s for e, s in scores.items() if data.entries[e].track_code == code}
    last_in, first_out = _line(sides, in_track)
    line = (last_in + first_out) / 2 if last_in is not None and first_out is not None else None
    unstable = [
        UnstableEntry(
            entry_id=e,
            title=data.entries[e].title,
            margin=round(in_track[e] - line, 2) if line is not None and e in in_track else None,
            advances=sides.get(e, False),
            reasons=tuple(reasons[e]),
        )
        for e in sorted(reasons, key=lambda e: -in_track.get(e, 0))
        if e in data.entries and data.entries[e].track_code == code
    ]
    gap = last_in - first_out if last_in is not None and first_out is not None else None
    return TrackCutoff(
        code,
        name,
        data.round.advance_count.get(code, 0),
        round(gap, 2) if gap is not None else None,
        _noise(data, code),
        unstable,
    )


def round_fairness(db: Session, round_: Round) -> Fairness:
    """The whole fairness view of a round (the page, the CSV and the API share it)."""
    data = load_round(db, round_)
    rows = [(row[1], entry_id, row[0]) for entry_id, items in data.sheets.items() for row in items]
    names = judge_names(db, round_.contest_id)
    totals: dict[int, list[float]] = {}
    for judge_id, _entry_id, total in rows:
        totals.setdefault(judge_id, []).append(total / 10)
    judges = [
        JudgeLine(s, names.get(s.judge_id, ""), sorted(totals[s.judge_id]))
        for s in judge_fairness(rows)
    ]
    sums = data.criterion_sums(db)
    base, scores = _sides(data, data.sheets, None, sums)
    panel = sorted(totals)
    if len(panel) > ALL_JUDGES_UP_TO:
        panel = sorted(_near_cutoffs(data, scores))
    reasons = _scenario_changes(data, base, sums, panel)
    tracks = [
        _cutoff(data, t.code, t.name, base.get(t.code, {}), scores, reasons)
        for t in contest_tracks(db, round_.contest_id)
    ]
    current = Normalization(round_.normalization)
    other = Normalization.none if current is Normalization.zscore else Normalization.zscore
    return Fairness(round_, judges, icc1(rows), tracks, other)
