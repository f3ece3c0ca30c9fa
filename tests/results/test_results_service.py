"""The results service on a real database: the worked example, carry-over across
two rounds, z-scores, tie-breaks by criterion, withdrawn entries and drafts."""

from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from sqlalchemy import update
from sqlmodel import Session

from contest.core.enums import EntryStatus, Normalization, RoundKind
from contest.models import Entry, Round, RoundEntry, User
from contest.results import service as results
from scoring import format_score
from tests import factories

# The worked example's rubric: A (max 30, first tie-breaker), B (max 40), C (max 30).
ABC = (("A", 300, 1), ("B", 400, None), ("C", 300, None))


def split(total: int) -> list[int]:
    """Values of A, B, C in tenths adding up to ``total`` tenths, each within its max."""
    a = min(300, total)
    b = min(400, total - a)
    assert total - a - b <= 300
    return [a, b, total - a - b]


class Setup:
    """A contest with one track, rounds made on demand, and a panel of six judges."""

    def __init__(self, db: Session, world: factories.World) -> None:
        self.db = db
        self.organiser = world.organiser
        self.contest = factories.contest(db, world.organiser, name="算例大赛")
        self.startup = factories.track(db, self.contest, "startup", name="创业组")
        self.creative = factories.track(db, self.contest, "creative", name="创意组", position=1)
        self.judges = [
            factories.judge(db, self.contest, institution=f"评审机构{i}") for i in range(6)
        ]

    def round(self, position: int = 1, *, carry: str = "0", **values: object) -> Round:
        kind = (RoundKind.preliminary, RoundKind.semifinal, RoundKind.final)[position - 1]
        item = factories.round_(
            self.db, self.contest, kind, position=position, rubric=ABC, **values
        )
        item.carry_over_weight = Decimal(carry)
        self.db.add(item)
        return item

    def entry(self, title: str, *rounds: Round, creative: bool = False) -> Entry:
        track = self.creative if creative else self.startup
        return factories.entry(self.db, self.contest, track, title=title, rounds=rounds)

    def score(self, round_: Round, entry: Entry, totals: list[float], first_judge: int = 0) -> None:
        for judge, total in zip(self.judges[first_judge:], totals, strict=False):
            factories.sheet(self.db, round_, judge, entry, split(round(total * 10)))


@pytest.fixture
def setup(db: Session, world: factories.World) -> Setup:
    return Setup(db, world)


def test_worked_example_ranks_y_x_z_without_ties(db, setup):
    round_ = setup.round()
    x, y, z = (setup.entry(t, round_) for t in ("X", "Y", "Z"))
    setup.score(round_, x, [80.0, 75.5, 90.0, 60.0, 82.5])
    setup.score(round_, y, [70, 80, 85, 90])
    setup.score(round_, z, [79.3, 79.4, 79.3, 79.3, 79.4])
    db.commit()

    lines = results.round_results(db, round_).lines("startup")

    assert [(line.title, line.rank, line.tie) for line in lines] == [
        ("Y", 1, False),
        ("X", 2, False),
        ("Z", 3, False),
    ]
    by_title = {line.title: line for line in lines}
    assert by_title["X"].score == by_title["Z"].score == Fraction(238, 3)
    assert by_title["Y"].score == Fraction(325, 4)
    assert [format_score(line.score) for line in lines] == ["81.25", "79.33", "79.33"]
    assert [line.judge_count for line in lines] == [4, 5, 5]
    assert by_title["X"].round_score == by_title["X"].score


def test_worked_example_marks_the_dropped_totals(db, setup):
    round_ = setup.round()
    x, y = setup.entry("X", round_), setup.entry("Y", round_)
    setup.score(round_, x, [80.0, 75.5, 90.0, 60.0, 82.5])
    setup.score(round_, y, [70, 80, 85, 90])
    db.commit()

    outcome = results.round_results(db, round_)
    x_line, y_line = sorted(outcome.lines("startup"), key=lambda line: line.title)

    judges = outcome.judges(x_line)
    assert [(j.total, j.dropped) for j in judges] == [
        (Fraction(90), True),
        (Fraction(165, 2), False),
        (Fraction(80), False),
        (Fraction(151, 2), False),
        (Fraction(60), True),
    ]
    assert [j.judge_id for j in judges] == [setup.judges[i].id for i in (2, 4, 0, 1, 3)]
    assert judges[0].name == db.get(User, setup.judges[2].user_id).name
    assert all(not j.dropped for j in outcome.judges(y_line))
    assert set(x_line.dropped_judge_ids) == {setup.judges[2].id, setup.judges[3].id}


def test_carry_over_combines_previous_and_round_score(db, setup):
    first = setup.round(1)
    second = setup.round(2, carry="0.3")
    entry = setup.entry("甲", first, second)
    newcomer = setup.entry("乙", second)
    setup.score(first, entry, [80])
    setup.score(second, entry, [90])
    setup.score(second, newcomer, [88])
    db.commit()

    lines = results.round_results(db, second).lines("startup")

    assert [(line.title, line.score, line.round_score) for line in lines] == [
        ("乙", Fraction(88), Fraction(88)),
        ("甲", Fraction(87), Fraction(90)),
    ]
    assert results.combined_scores(db, second) == {entry.id: 87, newcomer.id: 88}


def test_carry_over_reaches_back_through_every_round(db, setup):
    first = setup.round(1)
    second = setup.round(2, carry="0.5")
    third = setup.round(3, carry="0.5")
    entry = setup.entry("甲", first, second, third)
    setup.score(first, entry, [60])
    setup.score(second, entry, [80])
    setup.score(third, entry, [90])
    db.commit()

    [line] = results.round_results(db, third).lines("startup")

    # second: (80 + 60) / 2 = 70; third: (90 + 70) / 2 = 80.
    assert line.score == Fraction(80)


def _zscore_round(setup: Setup) -> tuple[Round, list[Entry]]:
    """A lenient judge with a narrow spread (E1-E3: 90, 88, 86) and a strict one with a
    wide spread (E4-E6: 80, 70, 30); two places advance."""
    round_ = setup.round(advance_count={"startup": 2})
    entries = [setup.entry(f"E{i}", round_) for i in range(1, 7)]
    for entry, total in zip(entries[:3], (90, 88, 86), strict=True):
        setup.score(round_, entry, [total], first_judge=0)
    for entry, total in zip(entries[3:], (80, 70, 30), strict=True):
        setup.score(round_, entry, [total], first_judge=1)
    return round_, entries


def test_zscore_override_changes_the_ranking_without_touching_the_round(db, setup):
    round_, _entries = _zscore_round(setup)
    db.commit()

    plain = results.round_results(db, round_).lines("startup")
    zscore = results.round_results(db, round_, normalization="zscore").lines("startup")

    assert [line.title for line in plain] == ["E1", "E2", "E3", "E4", "E5", "E6"]
    # Judge 1: m=88, s=1.633 -> E1 +1.22, E2 0, E3 -1.22; judge 2: m=60, s=21.6 ->
    # E4 +0.93, E5 +0.46, E6 -1.39 (standard deviations above the judge's mean).
    assert [line.title for line in zscore] == ["E1", "E4", "E5", "E2", "E3", "E6"]
    assert isinstance(zscore[0].score, float)
    # M = 74 points, S = sqrt(2428/6 - 0) ... E2 sits exactly at its judge's mean: M.
    assert zscore[3].score == pytest.approx(74.0)
    db.refresh(round_)
    assert round_.normalization == Normalization.none


def test_comparison_shows_rank_and_advancement_changes(db, setup):
    round_, entries = _zscore_round(setup)
    db.commit()

    comparison = results.compare_normalization(db, round_)

    lines = comparison.lines["startup"]
    assert [line.entry.title for line in lines] == ["E1", "E2", "E3", "E4", "E5", "E6"]
    assert [line.rank_change for line in lines] == [0, -2, -2, 2, 2, 0]
    assert [line.entry.title for line in lines if line.advancement_changes] == ["E2", "E4"]
    assert comparison.rank_changes("startup") == 4
    assert comparison.advancement_changes("startup") == 2
    assert comparison.lines["creative"] == ()


def test_criterion_tiebreak_decides_equal_score_and_median(db, setup):
    round_ = setup.round()
    p, q, r = (setup.entry(t, round_) for t in ("P", "Q", "R"))
    # Same totals (80), different split: P has more of A, the first tie-breaker.
    factories.sheet(db, round_, setup.judges[0], p, [280, 300, 220])
    factories.sheet(db, round_, setup.judges[0], q, [250, 300, 250])
    factories.sheet(db, round_, setup.judges[0], r, [250, 330, 220])
    db.commit()

    lines = results.round_results(db, round_).lines("startup")

    assert [(line.title, line.rank, line.tie) for line in lines] == [
        ("P", 1, False),
        ("Q", 2, True),
        ("R", 2, True),
    ]


def test_big_round_reads_tiebreak_sums_apart_with_the_same_ranking(db, setup, monkeypatch):
    """A big round reads its tie-break sums on a second connection; drafts still count
    nowhere and the ranking is the one read in line."""
    round_ = setup.round()
    p, q, r = (setup.entry(t, round_) for t in ("P", "Q", "R"))
    factories.sheet(db, round_, setup.judges[0], p, [280, 300, 220])
    factories.sheet(db, round_, setup.judges[0], q, [250, 300, 250])
    factories.sheet(db, round_, setup.judges[0], r, [250, 330, 220])
    factories.sheet(db, round_, setup.judges[1], r, [300, 400, 300], submitted=False)
    db.commit()
    in_line = [
        (line.title, line.rank, line.tie)
        for line in results.round_results(db, round_).lines("startup")
    ]

    monkeypatch.setattr(results, "PARALLEL_FROM", 1)
    data = results.load_round(db, round_)
    apart = [
        (line.title, line.rank, line.tie) for line in results.compute(db, data).lines("startup")
    ]

    assert data.pending_sums is not None
    assert data.criterion_sums(db) == {p.id: (280,), q.id: (250,), r.id: (250,)}
    assert apart == in_line == [("P", 1, False), ("Q", 2, True), ("R", 2, True)]


def test_drafts_withdrawn_entries_and_unscored_entries(db, setup):
    round_ = setup.round()
    scored, unscored, withdrawn, draft_only = (
        setup.entry(t, round_) for t in ("有分", "无分", "退赛", "草稿")
    )
    setup.score(round_, scored, [70, 72])
    setup.score(round_, withdrawn, [95, 96])
    factories.sheet(db, round_, setup.judges[0], draft_only, [300, 400, 300], submitted=False)
    withdrawn.withdrawn_at = datetime(2023, 7, 1, tzinfo=UTC)
    db.add(withdrawn)
    db.commit()

    outcome = results.round_results(db, round_, normalization="zscore")

    lines = outcome.lines("startup")
    assert [(line.title, line.rank, line.judge_count) for line in lines] == [
        ("有分", 1, 2),
        ("无分", None, 0),
        ("草稿", None, 0),
    ]
    assert (lines[1].score, lines[1].round_score) == (None, None)
    assert outcome.judges(lines[1]) == ()
    # The withdrawn entry's 95 and 96 count nowhere, not even in the judges' means.
    assert outcome.zscore is not None
    assert outcome.zscore.mean == pytest.approx(71.0)


def test_overall_ranking_spans_tracks_and_statuses_are_shown(db, setup):
    round_ = setup.round()
    a = setup.entry("创业甲", round_)
    b = setup.entry("创意乙", round_, creative=True)
    c = setup.entry("创意丙", round_, creative=True)
    setup.score(round_, a, [70])
    setup.score(round_, b, [90])
    setup.score(round_, c, [80])
    db.execute(
        update(RoundEntry)
        .where(RoundEntry.entry_id == b.id)
        .values(status=EntryStatus.advanced.value)
    )
    db.commit()

    outcome = results.round_results(db, round_, overall=True)

    assert [(line.title, line.rank) for line in outcome.lines(None)] == [
        ("创意乙", 1),
        ("创意丙", 2),
        ("创业甲", 3),
    ]
    assert outcome.track_codes == ("startup", "creative")
    assert [line.title for line in outcome.all_lines()] == ["创业甲", "创意乙", "创意丙"]
    assert [line.status for line in outcome.lines("creative")] == ["advanced", "in"]


def test_round_without_tiebreak_criteria_leaves_equal_entries_tied(db, setup):
    round_ = factories.round_(
        db, setup.contest, position=1, rubric=(("A", 500, None), ("B", 500, None))
    )
    e1, e2 = setup.entry("一", round_), setup.entry("二", round_)
    factories.sheet(db, round_, setup.judges[0], e1, [400, 400])
    factories.sheet(db, round_, setup.judges[0], e2, [300, 500])
    db.commit()

    lines = results.round_results(db, round_).lines("startup")

    assert [(line.rank, line.tie) for line in lines] == [(1, True), (1, True)]
