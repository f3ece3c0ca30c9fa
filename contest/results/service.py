"""Results of a round (docs/rules.md section 3): scores, rankings, and each judge's part.

For organisers only: a result carries every judge's total. Whatever the size of the
round, computing it costs five queries: the round's entries, its tie-break criteria,
the submitted sheet totals with their tie-break values (``SUM(value_tenths) GROUP BY
sheet``, one scan), the contest's tracks and the judges' names; the pure ``scoring``
package does the rest. With carry-over, the previous round's combined scores come
from the same code, recursively (four more queries per round back).

Entries of a round are its ``round_entries`` rows that are not withdrawn (a withdrawn
entry's sheets count nowhere, z-scores included). Normalisation may be overridden for
a look (the organiser's comparison) without touching the round; carry-over always
takes the previous rounds as they are set.
"""

import json
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import URL, Connection, Engine, NullPool, case, create_engine, func, select
from sqlmodel import Session, col

from contest.core.db import AnySelect
from contest.core.enums import EntryStatus, SheetState
from contest.core.i18n import _
from contest.models import (
    Criterion,
    CriterionScore,
    Entry,
    Judge,
    Round,
    RoundEntry,
    ScoreSheet,
    User,
)
from contest.models import Track as TrackRow
from contest.setup import rounds
from contest.setup.contests import tracks as contest_tracks
from scoring import (
    Normalization,
    RankedEntry,
    Ranking,
    RoundRules,
    Score,
    ZScoreParams,
    entries_needing_criteria,
    normalised_total,
    order_by_score,
    preview_advancement,
    rank_round,
    score_entries,
    tie_breaks,
)
from scoring.bulk import gc_paused
from scoring.tiebreak import TieBreak


@dataclass(frozen=True, slots=True)
class TrackInfo:
    code: str
    name: str
    name_en: str = ""  # English pages show it when set (contest/core/i18n/names.py)


@dataclass(frozen=True, slots=True)
class JudgeTotal:
    """One judge's total for an entry: ``total`` in points, normalised under zscore
    (a Fraction under none, a float under zscore); ``raw_tenths`` as submitted."""

    judge_id: int
    name: str
    total: Score
    raw_tenths: int
    dropped: bool


class EntryInfo(NamedTuple):
    """What a result shows of an entry besides its scores (a row of the entries query)."""

    entry_id: int
    title: str
    institution: str
    track_code: str
    status: str


# Made 100,000 at a time: two references and properties rather than eleven copied fields
# (building the lines took a third of a second otherwise). Read-only by convention.
@dataclass(slots=True)
class ResultLine:
    """An entry's result in one ranking. ``score`` is the combined score (after
    carry-over), ``round_score`` before it; both None, like ``rank``, when no sheet of
    the entry is submitted. ``status`` is the entry's status in the round (in, advanced,
    eliminated). ``dropped_judge_ids`` are the judges whose totals the trimmed mean
    struck, ``(highest, lowest)``."""

    ranked: RankedEntry
    entry: EntryInfo

    @property
    def entry_id(self) -> int:
        return self.entry.entry_id

    @property
    def title(self) -> str:
        return self.entry.title

    @property
    def institution(self) -> str:
        return self.entry.institution

    @property
    def track_code(self) -> str:
        return self.entry.track_code

    @property
    def status(self) -> str:
        return self.entry.status

    @property
    def rank(self) -> int | None:
        return self.ranked.rank

    @property
    def tie(self) -> bool:
        return self.ranked.tie

    @property
    def score(self) -> Score | None:
        return self.ranked.score.combined

    @property
    def round_score(self) -> Score | None:
        return self.ranked.score.round_score

    @property
    def judge_count(self) -> int:
        return self.ranked.score.judge_count

    @property
    def dropped_judge_ids(self) -> tuple[int, ...]:
        return self.ranked.score.dropped_judge_ids


@dataclass(slots=True)
class RoundResults:
    """A round's rankings: one per track (in the contest's order, empty tracks too), and
    the overall one (all tracks) under the key None when asked for."""

    round_id: int
    normalization: Normalization
    tracks: tuple[TrackInfo, ...]
    rankings: dict[str | None, tuple[ResultLine, ...]]
    zscore: ZScoreParams | None
    judge_names: dict[int, str]
    sheets: Mapping[int, Sequence[tuple[int, ...]]] = field(default_factory=dict, repr=False)
    # scope -> entry_id -> "median" | "criterion:<id>", for ranks a tie-breaker decided.
    tie_breaks: dict[str | None, dict[int, str]] = field(default_factory=dict, repr=False)
    # criterion id -> name, for the tie-break criteria a step above names.
    criterion_names: dict[int, str] = field(default_factory=dict, repr=False)

    def tie_break(self, line: "ResultLine", *, overall: bool = False) -> str | None:
        """The tie-break step that decided the line's rank in its track (or overall)."""
        scope = None if overall else line.track_code
        return self.tie_breaks.get(scope, {}).get(line.entry_id)

    def tie_break_text(self, line: "ResultLine", *, overall: bool = False) -> str:
        """What a page prints beside the rank: 并列, or which tie-breaker decided it."""
        return tie_text(line.tie, self.tie_break(line, overall=overall), self.criterion_names)

    @property
    def track_codes(self) -> tuple[str, ...]:
        return tuple(track.code for track in self.tracks)

    def lines(self, track_code: str | None = None) -> tuple[ResultLine, ...]:
        """One track's ranking, or the overall one (None); KeyError if not computed."""
        return self.rankings[track_code]

    def all_lines(self) -> list[ResultLine]:
        """Every track's ranking, one after the other in the contest's track order."""
        return [line for code in self.track_codes for line in self.rankings[code]]

    def judges(self, line: ResultLine) -> tuple[JudgeTotal, ...]:
        """The entry's submitted totals, highest first, marking those the trimmed mean
        dropped. Organisers only: judges never see each other's scores."""
        dropped = set(line.dropped_judge_ids)
        totals = [
            JudgeTotal(
                judge_id,
                self.judge_names.get(judge_id, ""),
                self._shown_total(judge_id, tenths),
                tenths,
                judge_id in dropped,
            )
            for tenths, judge_id, *_ in self.sheets.get(line.entry_id, ())
        ]
        totals.sort(key=lambda t: (-t.total, t.judge_id))
        return tuple(totals)

    def _shown_total(self, judge_id: int, tenths: int) -> Score:
        if self.zscore is None:
            return Fraction(tenths, 10)
        return normalised_total(self.zscore, judge_id, tenths)


@dataclass
class RoundData:
    """What the scoring rules need of a round, loaded once (see ``load_round``).

    ``sheets``: entry_id -> the entry's submitted sheets (an empty list when it has none)
    as rows ``(total_tenths, judge_id, entry_id)``, the query's own tuples grouped once.
    The tie-break sums are read when a ranking first needs them (``criterion_sums``), or
    are already being read on a second connection (``pending_sums``)."""

    round: Round
    entries: dict[int, EntryInfo]
    sheets: dict[int, list[tuple[int, ...]]]
    previous: dict[int, Score] | None
    pending_sums: Future[dict[int, tuple[int, ...]]] | None = field(default=None, repr=False)
    _criterion_sums: dict[int, tuple[int, ...]] | None = field(default=None, repr=False)

    def criterion_sums(self, db: Session) -> dict[int, tuple[int, ...]]:
        """entry_id -> its tie-break criteria summed over its submitted sheets, in
        priority order (docs/rules.md 3.5b); entries without a submitted sheet are absent."""
        if self._criterion_sums is None:
            assert self.round.id is not None
            if self.pending_sums is not None:
                self._criterion_sums = self.pending_sums.result()
            else:
                self._criterion_sums = _tiebreak_sums(db, self.round.id)
        return self._criterion_sums

    @property
    def tracks(self) -> dict[int, str]:
        return {entry_id: info.track_code for entry_id, info in self.entries.items()}


def round_results(
    db: Session,
    round_: Round,
    *,
    normalization: Normalization | str | None = None,
    overall: bool = False,
) -> RoundResults:
    """Rank every entry of the round per track (and overall if ``overall``), docs/rules.md 3.

    ``normalization`` overrides the round's setting for this computation only (the
    organiser's comparison); None uses the round's own.
    """
    return compute(db, load_round(db, round_), normalization=normalization, overall=overall)


@gc_paused
def combined_scores(db: Session, round_: Round) -> dict[int, Score]:
    """entry_id -> combined score in the round of every scored entry (for carry-over)."""
    data = load_round(db, round_, tiebreaks=False)
    rules = rules_of(round_)
    scores = score_entries(data.sheets, rules, tracks=data.tracks, previous=data.previous)
    return {e: s.combined for e, s in scores.entries.items() if s.combined is not None}


def rules_of(round_: Round, normalization: Normalization | str | None = None) -> RoundRules:
    """The round's docs/rules.md 3 settings for the scoring package (Decimal weight kept exact)."""
    return RoundRules(
        aggregation=round_.aggregation,
        trim_min_judges=round_.trim_min_judges,
        normalization=Normalization(normalization or round_.normalization),
        carry_over_weight=Fraction(round_.carry_over_weight),
    )


@gc_paused
def load_round(db: Session, round_: Round, *, tiebreaks: bool = True) -> RoundData:
    """The round's entries, submitted sheets and the previous round's combined scores
    when the round carries them over. In a big round the tie-break sums (``tiebreaks``)
    are read on a second connection meanwhile."""
    assert round_.id is not None
    pending = None
    if tiebreaks and _entry_count(db, round_.id) >= PARALLEL_FROM:
        pending = _side_reads().submit(_tiebreak_sums_apart, db.get_bind(), round_.id)
    rows = _sheet_rows(db, round_.id)
    entries = {info.entry_id: info for info in _entries(db, round_.id)}
    sheets = _by_entry(rows, entries)
    previous = None
    if round_.carry_over_weight:
        before = rounds.previous_round(db, round_)
        previous = combined_scores(db, before) if before is not None else None
    return RoundData(round_, entries, sheets, previous, pending)


# From this many entries in the round, the tie-break sums (the one query that reads the
# round's criterion scores) run on a second connection while the sheets and entries are
# read and scored: 100,000 entries x 5 judges ranked in about 60% of the time on 2 cores.
# SQLite and PostgreSQL both work on the query outside the GIL (see _sqlite_rows_at_once).
PARALLEL_FROM = 4_000


@cache
def _side_reads() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="results")


@cache
def _side_engine(url: URL) -> Engine:
    """A connection apart from the request's pool (whose slots the requests count), made
    for each use: only big rounds come here, for whom connecting costs nothing."""
    connect_args = {"check_same_thread": False} if url.drivername.startswith("sqlite") else {}
    return create_engine(url, poolclass=NullPool, connect_args=connect_args)


def _tiebreak_sums_apart(bind: Engine | Connection, round_id: int) -> dict[int, tuple[int, ...]]:
    with Session(_side_engine(bind.engine.url)) as side:
        return _tiebreak_sums(side, round_id)


def _by_entry(
    rows: Iterable[tuple[int, ...]], entries: Mapping[int, EntryInfo]
) -> dict[int, list[tuple[int, ...]]]:
    """Sheet rows grouped by entry (column 2), for every entry of the round."""
    grouped: dict[int, list[tuple[int, ...]]] = {entry_id: [] for entry_id in entries}
    get = grouped.get
    for row in rows:
        sheets = get(row[2])
        # Sheets of withdrawn entries (or of entries taken out of the round) count nowhere.
        if sheets is not None:
            sheets.append(row)
    return grouped


@gc_paused
def compute(
    db: Session,
    data: RoundData,
    *,
    normalization: Normalization | str | None = None,
    overall: bool = False,
) -> RoundResults:
    """Score and rank loaded data (docs/rules.md 3.1-3.5); queries only tracks and judges' names."""
    round_ = data.round
    rules = rules_of(round_, normalization)
    scores = score_entries(data.sheets, rules, tracks=data.tracks, previous=data.previous)
    orders = [order_by_score(scores)]
    if overall:
        orders.append(order_by_score(scores, by_track=False))
    needed = frozenset().union(*(entries_needing_criteria(order) for order in orders))
    sums = _needed_sums(data.criterion_sums(db) if needed else {}, needed)
    rankings: dict[str | None, tuple[ResultLine, ...]] = {}
    steps: dict[str | None, dict[int, TieBreak]] = {}
    for order in orders:
        for ranking in rank_round(order, criterion_sums=sums):
            rankings[ranking.scope] = tuple(
                [ResultLine(item, data.entries[item.score.entry_id]) for item in ranking.entries]
            )
            steps[ranking.scope] = tie_breaks(
                ranking, normalization=rules.normalization, criterion_sums=sums
            )
    named, names = _named_steps(db, round_.id, steps)
    tracks = tuple(
        TrackInfo(t.code, t.name, t.name_en) for t in contest_tracks(db, round_.contest_id)
    )
    for track in tracks:
        rankings.setdefault(track.code, ())
    return RoundResults(
        round_id=round_.id,
        normalization=rules.normalization,
        tracks=tracks,
        rankings=rankings,
        zscore=scores.zscore if rules.normalization is Normalization.zscore else None,
        judge_names=judge_names(db, round_.contest_id),
        sheets=data.sheets,
        tie_breaks=named,
        criterion_names=names,
    )


def _named_steps(
    db: Session, round_id: int, steps: Mapping[str | None, Mapping[int, TieBreak]]
) -> tuple[dict[str | None, dict[int, str]], dict[int, str]]:
    """The steps as the API names them ("median", "criterion:<id>") and the names of the
    criteria they cite; the criteria are read only when a criterion decided a rank."""
    needs_criteria = any(isinstance(s, int) for found in steps.values() for s in found.values())
    criteria = tiebreak_labels(db, round_id) if needs_criteria else []
    named = {
        scope: {
            entry_id: step if step == "median" else f"criterion:{criteria[int(step)][0]}"
            for entry_id, step in found.items()
        }
        for scope, found in steps.items()
    }
    return named, dict(criteria)


def tie_text(tie: bool, step: str | None, criterion_names: Mapping[int, str]) -> str:
    """并列 / tied, 同分，按中位数决胜, 同分，按『名称』决胜, or nothing (docs/rules.md 3.5)."""
    if tie:
        return _("Tied")
    if step == "median":
        return _("Equal score, decided by the median")
    if step and step.startswith("criterion:"):
        name = criterion_names.get(int(step.split(":", 1)[1]), "")
        return _("Equal score, decided by “%(criterion)s”") % {"criterion": name}
    return ""


def _needed_sums(
    sums: Mapping[int, tuple[int, ...]], needed: frozenset[int]
) -> dict[int, tuple[int, ...]]:
    """The tie-break sums of the entries still tied after score and median only (zeros
    for one whose sheets lack the tie-break criteria, added to the rubric later)."""
    zeros = tuple(0 for _ in next(iter(sums.values()), ()))
    return {entry_id: sums.get(entry_id, zeros) for entry_id in needed}


# Queries.


def _entries(db: Session, round_id: int) -> list[EntryInfo]:
    rows = _plain_rows(
        db,
        select(
            col(Entry.id),
            col(Entry.title),
            col(Entry.institution),
            col(TrackRow.code),
            col(RoundEntry.status),
        )
        .join(Entry, col(Entry.id) == RoundEntry.entry_id)
        .join(TrackRow, col(TrackRow.id) == Entry.track_id)
        .where(
            col(RoundEntry.round_id) == round_id,
            col(RoundEntry.status) != EntryStatus.withdrawn.value,
            col(Entry.withdrawn_at).is_(None),
        ),
    )
    return list(map(EntryInfo._make, rows))


def _entry_count(db: Session, round_id: int) -> int:
    """Rows of the round in round_entries (withdrawn ones too): a few ms at 100,000."""
    count = select(func.count()).where(col(RoundEntry.round_id) == round_id)
    return db.connection().execute(count).scalar_one()


def _sheet_rows(db: Session, round_id: int) -> Sequence[tuple[int, ...]]:
    """(total_tenths, judge_id, entry_id) of every submitted sheet: one scan of the
    sheets, whose totals every save keeps (no sum over the round's criterion scores)."""
    return _plain_rows(
        db,
        select(
            col(ScoreSheet.total_tenths), col(ScoreSheet.judge_id), col(ScoreSheet.entry_id)
        ).where(
            col(ScoreSheet.round_id) == round_id,
            col(ScoreSheet.state) == SheetState.submitted.value,
        ),
    )


def _tiebreak_sums(db: Session, round_id: int) -> dict[int, tuple[int, ...]]:
    """entry_id -> each tie-break criterion summed over the entry's submitted sheets, in
    tiebreak_priority order, in one query for the whole round: in a national round most
    entries share a score with another (scores are tenths, entries tens of thousands),
    so asking for "the few entries still tied" would read most of the table anyway."""
    criterion_ids = tiebreak_criteria(db, round_id)
    if not criterion_ids:
        return {}
    value = col(CriterionScore.value_tenths)
    sums = [
        func.sum(case((col(CriterionScore.criterion_id) == c, value), else_=0))
        for c in criterion_ids
    ]
    per_entry = (
        select(col(ScoreSheet.entry_id), *sums)
        .join(CriterionScore, col(CriterionScore.sheet_id) == ScoreSheet.id)
        .where(
            col(ScoreSheet.round_id) == round_id,
            col(ScoreSheet.state) == SheetState.submitted.value,
            col(CriterionScore.criterion_id).in_(criterion_ids),
        )
        .group_by(col(ScoreSheet.entry_id))
    )
    rows: Sequence[Any]
    if db.get_bind().dialect.name == "sqlite":
        rows = _sqlite_rows_at_once(db, per_entry)
    else:
        rows = _plain_rows(db, per_entry)
    return {entry_id: tuple(values) for entry_id, *values in rows}


def _sqlite_rows_at_once(db: Session, statement: AnySelect) -> list[Any]:
    """The rows as one JSON array, made in a single step of the query. Python's sqlite3
    frees the GIL only while a step runs and takes it back for every row: on a second
    thread beside busy Python code each row then waits for the GIL, and 100,000 rows read
    that way took three times as long as alone. One step runs the whole query free."""
    columns = statement.subquery()
    rows_json = select(func.json_group_array(func.json_array(*columns.c)))
    rows: list[Any] = json.loads(db.connection().execute(rows_json).scalar_one())
    return rows


def _plain_rows(db: Session, statement: AnySelect) -> Sequence[Any]:
    """All rows as the driver's plain tuples. SQLAlchemy's Row objects cost 0.3 s more
    per 500,000 rows and these columns need no conversion (integers and text)."""
    result = db.connection().execute(statement)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def tiebreak_criteria(db: Session, round_id: int) -> list[int]:
    """Ids of the round's tie-break criteria, in tiebreak_priority order."""
    return list(
        db.scalars(
            select(col(Criterion.id))
            .where(
                col(Criterion.round_id) == round_id, col(Criterion.tiebreak_priority).is_not(None)
            )
            .order_by(col(Criterion.tiebreak_priority))
        )
    )


def tiebreak_labels(db: Session, round_id: int) -> list[tuple[int, str]]:
    """(id, name) of the round's tie-break criteria, in tiebreak_priority order."""
    rows = db.execute(
        select(col(Criterion.id), col(Criterion.name))
        .where(col(Criterion.round_id) == round_id, col(Criterion.tiebreak_priority).is_not(None))
        .order_by(col(Criterion.tiebreak_priority))
    )
    return [(criterion_id, name) for criterion_id, name in rows]


def judge_names(db: Session, contest_id: int) -> dict[int, str]:
    """judge_id -> the judge's name, for the contest's whole panel."""
    rows = db.execute(
        select(col(Judge.id), col(User.name))
        .join(User, col(User.id) == Judge.user_id)
        .where(col(Judge.contest_id) == contest_id)
    )
    return {judge_id: name for judge_id, name in rows}


# The organiser's comparison: the same round with and without z-scores.


@dataclass(frozen=True, slots=True)
class ComparedLine:
    """One entry under both normalisations. ``advances_*`` is True when the entry is in
    the default advancement selection, None when it is in a tie across the boundary,
    False otherwise."""

    plain: ResultLine
    zscore: ResultLine
    advances_plain: bool | None
    advances_zscore: bool | None

    @property
    def entry(self) -> EntryInfo:
        return self.plain.entry

    @property
    def rank_change(self) -> int | None:
        """Places gained with z-scores (negative: lost); None when unscored."""
        if self.plain.rank is None or self.zscore.rank is None:
            return None
        return self.plain.rank - self.zscore.rank

    @property
    def advancement_changes(self) -> bool:
        return self.advances_plain != self.advances_zscore


@dataclass(frozen=True)
class Comparison:
    """Each track's entries under ``none`` and ``zscore``, in the order of the round's
    own setting (``current``), with what would change for advancement."""

    current: Normalization
    tracks: tuple[TrackInfo, ...]
    lines: dict[str, tuple[ComparedLine, ...]]

    def rank_changes(self, track_code: str) -> int:
        return sum(1 for line in self.lines[track_code] if line.rank_change)

    def advancement_changes(self, track_code: str) -> int:
        return sum(1 for line in self.lines[track_code] if line.advancement_changes)


def compare_normalization(db: Session, round_: Round) -> Comparison:
    """The round's results without and with z-scores, side by side, and which entries
    would advance under each (top N per track of ``round_.advance_count``)."""
    data = load_round(db, round_)
    plain = compute(db, data, normalization=Normalization.none)
    zscore = compute(db, data, normalization=Normalization.zscore)
    current = Normalization(round_.normalization)
    lines: dict[str, tuple[ComparedLine, ...]] = {}
    for code in plain.track_codes:
        count = round_.advance_count.get(code, 0)
        a, b = _advancing(plain.lines(code), count), _advancing(zscore.lines(code), count)
        under_z = {line.entry_id: line for line in zscore.lines(code)}
        pairs = [(line, under_z[line.entry_id]) for line in plain.lines(code)]
        if current is Normalization.zscore:
            position = {line.entry_id: i for i, line in enumerate(zscore.lines(code))}
            pairs.sort(key=lambda pair: position[pair[0].entry_id])
        lines[code] = tuple(
            ComparedLine(p, z, a.get(p.entry_id, False), b.get(p.entry_id, False)) for p, z in pairs
        )
    return Comparison(current, plain.tracks, lines)


def _advancing(lines: Sequence[ResultLine], count: int) -> dict[int, bool | None]:
    preview = preview_advancement(Ranking(None, tuple(line.ranked for line in lines)), count)
    found: dict[int, bool | None] = dict.fromkeys(preview.entry_ids, True)
    found.update(dict.fromkeys(preview.tied_entry_ids, None))
    return found
