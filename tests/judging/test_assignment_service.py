"""Assignment on a real database: the three properties, what a re-run keeps, refusals."""

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlmodel import Session

from contest.core.enums import EntryStatus, Role
from contest.core.errors import InvalidInput, NotFound, StateConflict
from contest.core.i18n import use_locale
from contest.judging import assignment
from contest.models import (
    Assignment,
    AuditRecord,
    Conflict,
    CriterionScore,
    Entry,
    Judge,
    RoundEntry,
    ScoreSheet,
)
from tests import factories
from tests.factories import World


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with use_locale("en"):
        yield


def _panel(db: Session, world: World, institutions: list[str]) -> list[Judge]:
    """Judges beyond the world's three, one per institution given."""
    return [factories.judge(db, world.contest, institution=inst) for inst in institutions]


def _entries(db: Session, world: World, institutions: list[str]) -> list[Entry]:
    return [
        factories.entry(
            db, world.contest, world.startup, institution=inst, rounds=(world.preliminary,)
        )
        for inst in institutions
    ]


def _pairs(db: Session, round_id: int) -> list[tuple[int, int, str]]:
    return [
        (a.judge_id, a.entry_id, a.source)
        for a in db.scalars(select(Assignment).where(Assignment.round_id == round_id))
    ]


def _conflicted(db: Session, pairs: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    judges = {j.id: j.institution.strip().casefold() for j in db.scalars(select(Judge))}
    entries = {e.id: e.institution.strip().casefold() for e in db.scalars(select(Entry))}
    declared = {(c.judge_id, c.entry_id) for c in db.scalars(select(Conflict))}
    return [(j, e) for j, e, _s in pairs if judges[j] == entries[e] or (j, e) in declared]


@pytest.fixture
def field(db: Session, world: World) -> tuple[list[Judge], list[Entry]]:
    """10 judges (3 + 7) from 5 institutions, 12 entries, 3 per entry, some conflicts."""
    world.preliminary.judges_per_entry = 3
    extra = _panel(
        db,
        world,
        ["复旦大学", "复旦大学", "同济大学", "华东师范大学", "机构1", "上海大学", "上海大学"],
    )
    entries = _entries(db, world, ["复旦大学", "同济大学", "机构1", "上海大学"] * 3)
    for judge, entry in [
        (extra[2], entries[0]),
        (world.judges[1], entries[5]),
        (extra[3], entries[7]),
    ]:
        db.add(Conflict(judge_id=judge.id, entry_id=entry.id))
    db.flush()
    return world.judges + extra, entries


def test_auto_assign_gives_k_distinct_conflict_free_judges_evenly(db, world, field):
    judges, entries = field

    result = assignment.auto_assign(db, actor=world.organiser, round_=world.preliminary, seed=7)

    pairs = _pairs(db, world.preliminary.id)
    per_entry = Counter(e for _j, e, _s in pairs)
    loads = Counter(j for j, _e, _s in pairs)
    assert per_entry == {e.id: 3 for e in entries}
    assert len(set(pairs)) == len(pairs) == 36
    assert _conflicted(db, pairs) == []
    all_loads = [loads.get(j.id, 0) for j in judges]
    assert max(all_loads) - min(all_loads) <= 1
    assert (result.assignments, result.added, result.kept, result.replaced, result.seed) == (
        36,
        36,
        0,
        0,
        7,
    )
    assert (result.min_load, result.max_load) == (min(all_loads), max(all_loads))


def test_rerun_with_same_seed_writes_nothing(db, world, field):
    assignment.auto_assign(db, actor=world.organiser, round_=world.preliminary, seed=8)
    ids = sorted(a.id for a in db.scalars(select(Assignment)))

    result = assignment.auto_assign(db, actor=world.organiser, round_=world.preliminary, seed=8)

    assert (result.added, result.replaced, result.kept) == (0, 0, 36)
    assert sorted(a.id for a in db.scalars(select(Assignment))) == ids


def test_auto_assign_is_deterministic_for_a_seed(db, world, field):
    assignment.auto_assign(db, actor=world.organiser, round_=world.preliminary, seed=42)
    first = sorted(_pairs(db, world.preliminary.id))

    assignment.auto_assign(db, actor=world.organiser, round_=world.preliminary, seed=42)

    assert sorted(_pairs(db, world.preliminary.id)) == first


def test_auto_assign_audits_counts_and_seed(db, world, field):
    assignment.auto_assign(db, actor=world.organiser, round_=world.preliminary, seed=3)

    [record] = db.scalars(select(AuditRecord).where(AuditRecord.action == "assignment.auto"))
    assert record.object_type == "rounds"
    assert record.object_id == world.preliminary.id
    assert record.contest_id == world.contest.id
    assert record.actor_id == world.organiser.id
    assert {
        k: record.after[k] for k in ("seed", "added", "kept", "replaced", "entries", "judges")
    } == {"seed": 3, "added": 36, "kept": 0, "replaced": 0, "entries": 12, "judges": 10}


def test_auto_assign_without_seed_records_the_seed_it_drew(db, world, field):
    result = assignment.auto_assign(db, actor=world.organiser, round_=world.preliminary, seed=None)

    [record] = db.scalars(select(AuditRecord).where(AuditRecord.action == "assignment.auto"))
    assert record.after["seed"] == result.seed


def test_rerun_keeps_started_sheets_and_manual_assignments(db, world, field):
    judges, entries = field
    assignment.auto_assign(db, actor=world.organiser, round_=world.preliminary, seed=1)
    auto = db.scalars(select(Assignment).order_by(Assignment.id)).all()
    with_draft, with_submitted = auto[0], auto[5]
    factories.sheet(
        db,
        world.preliminary,
        db.get(Judge, with_draft.judge_id),
        db.get(Entry, with_draft.entry_id),
        [100],
        submitted=False,
    )
    factories.sheet(
        db,
        world.preliminary,
        db.get(Judge, with_submitted.judge_id),
        db.get(Entry, with_submitted.entry_id),
        [100, 100, 100, 100, 100],
    )
    manual = next(
        (j, e)
        for j in judges
        for e in entries
        if (j.id, e.id) not in {(a.judge_id, a.entry_id) for a in auto}
        and not _conflicted(db, [(j.id, e.id, "")])
    )
    db.add(
        Assignment(
            round_id=world.preliminary.id,
            judge_id=manual[0].id,
            entry_id=manual[1].id,
            source="manual",
        )
    )
    db.flush()

    result = assignment.auto_assign(db, actor=world.organiser, round_=world.preliminary, seed=99)

    pairs = _pairs(db, world.preliminary.id)
    kept = {
        (with_draft.judge_id, with_draft.entry_id),
        (with_submitted.judge_id, with_submitted.entry_id),
        (manual[0].id, manual[1].id),
    }
    assert kept <= {(j, e) for j, e, _s in pairs}
    # The kept ones count towards k: every entry still has exactly three judges.
    assert Counter(e for _j, e, _s in pairs) == {e.id: 3 for e in entries}
    assert _conflicted(db, pairs) == []
    # Of the 34 unstarted automatic ones, those the new plan repeats stay untouched.
    assert result.kept + result.added == result.assignments == 36
    assert result.replaced == 34 - (result.kept - 3)
    assert len(db.scalars(select(ScoreSheet)).all()) == 2


def test_infeasible_is_refused_naming_entries_and_nothing_changes(db, world):
    world.preliminary.judges_per_entry = 3
    ok, lacking = _entries(db, world, ["复旦大学", "机构1"])
    existing = factories.assign(db, world.preliminary, world.judges[2], ok)
    existing.source = "auto"
    db.flush()

    with pytest.raises(StateConflict) as caught:
        assignment.auto_assign(db, actor=world.organiser, round_=world.preliminary, seed=1)

    # Three judges (机构1, 机构2, 机构3): the entry from 机构1 has only two eligible.
    assert caught.value.details["lacking"] == [{"entry_id": lacking.id, "eligible": 2}]
    assert lacking.title in caught.value.message
    assert "2" in caught.value.message
    assert _pairs(db, world.preliminary.id) == [(world.judges[2].id, ok.id, "auto")]
    assert db.scalars(select(AuditRecord)).all() == []


def test_withdrawn_entries_get_no_judges(db, world):
    world.preliminary.judges_per_entry = 2
    kept, gone, left = _entries(db, world, ["甲", "乙", "丙"])
    gone.withdrawn_at = datetime(2023, 5, 1, tzinfo=UTC)
    db.execute(
        RoundEntry.__table__.update()
        .where(RoundEntry.entry_id == left.id)
        .values(status=EntryStatus.withdrawn.value)
    )
    db.flush()

    assignment.auto_assign(db, actor=world.organiser, round_=world.preliminary, seed=1)

    assert {e for _j, e, _s in _pairs(db, world.preliminary.id)} == {kept.id}


def test_later_round_uses_its_round_entries(db, world):
    world.semifinal.judges_per_entry = 1
    inside = factories.entry(
        db, world.contest, world.startup, rounds=(world.preliminary, world.semifinal)
    )
    factories.entry(db, world.contest, world.startup, rounds=(world.preliminary,))

    assignment.auto_assign(db, actor=world.organiser, round_=world.semifinal, seed=1)

    assert [e for _j, e, _s in _pairs(db, world.semifinal.id)] == [inside.id]


def test_conflict_declared_after_manual_assignment_is_dropped(db, world):
    world.preliminary.judges_per_entry = 1
    [entry] = _entries(db, world, ["甲"])
    factories.assign(db, world.preliminary, world.judges[0], entry)
    db.add(Conflict(judge_id=world.judges[0].id, entry_id=entry.id))
    db.flush()

    assignment.auto_assign(db, actor=world.organiser, round_=world.preliminary, seed=1)

    [(judge_id, entry_id, _source)] = _pairs(db, world.preliminary.id)
    assert entry_id == entry.id
    assert judge_id != world.judges[0].id


def test_conflicted_assignment_with_a_sheet_blocks_the_run(db, world):
    world.preliminary.judges_per_entry = 1
    [entry] = _entries(db, world, ["甲"])
    factories.assign(db, world.preliminary, world.judges[0], entry)
    factories.sheet(db, world.preliminary, world.judges[0], entry, [10], submitted=False)
    db.add(Conflict(judge_id=world.judges[0].id, entry_id=entry.id))
    db.flush()

    with pytest.raises(StateConflict) as caught:
        assignment.auto_assign(db, actor=world.organiser, round_=world.preliminary, seed=1)

    assert caught.value.details["conflicted"] == [
        {"judge_id": world.judges[0].id, "entry_id": entry.id}
    ]


def test_bulk_auto_assign_at_scale(db, world):
    """1,000 entries x 3 from 40 judges: one insert, properties hold."""
    world.preliminary.judges_per_entry = 3
    _panel(db, world, [f"院校{i % 13}" for i in range(37)])
    db.execute(
        Entry.__table__.insert(),
        [
            {
                "contest_id": world.contest.id,
                "track_id": world.startup.id,
                "title": f"批量{i}",
                "summary": "",
                "field": "",
                "institution": f"院校{i % 17}",
                "city": "上海",
                "leader_name": "王",
                "leader_email": "",
                "leader_phone": "",
                "company_name": "",
                "credit_code": "",
                "video_url": "",
                "created_at": datetime.now(UTC),
                "updated_at": datetime.now(UTC),
            }
            for i in range(1000)
        ],
    )

    result = assignment.auto_assign(db, actor=world.organiser, round_=world.preliminary, seed=5)

    pairs = _pairs(db, world.preliminary.id)
    assert result.assignments == len(pairs) == 3000
    assert _conflicted(db, pairs) == []
    assert result.max_load - result.min_load <= 1


def test_manual_add_refuses_conflicts_and_duplicates(db, world):
    [entry] = _entries(db, world, ["机构1"])  # judges[0] is from 机构1
    factories.assign(db, world.preliminary, world.judges[1], entry)

    with pytest.raises(StateConflict, match="conflict"):
        assignment.add_assignment(
            db,
            actor=world.organiser,
            round_=world.preliminary,
            judge_id=world.judges[0].id,
            entry_id=entry.id,
        )
    with pytest.raises(StateConflict, match="already"):
        assignment.add_assignment(
            db,
            actor=world.organiser,
            round_=world.preliminary,
            judge_id=world.judges[1].id,
            entry_id=entry.id,
        )
    item = assignment.add_assignment(
        db,
        actor=world.organiser,
        round_=world.preliminary,
        judge_id=world.judges[2].id,
        entry_id=entry.id,
    )

    assert item.source == "manual"
    assert sorted(j for j, _e, _s in _pairs(db, world.preliminary.id)) == sorted(
        [world.judges[1].id, world.judges[2].id]
    )


def test_manual_add_unknown_judge_or_entry_422(db, world):
    [entry] = _entries(db, world, ["甲"])
    stranger = factories.judge(db, world.other_contest)
    outside = factories.entry(db, world.contest, world.startup, rounds=())
    outside.withdrawn_at = datetime(2023, 1, 1, tzinfo=UTC)

    with pytest.raises(InvalidInput) as judge_error:
        assignment.add_assignment(
            db,
            actor=world.organiser,
            round_=world.preliminary,
            judge_id=stranger.id,
            entry_id=entry.id,
        )
    with pytest.raises(InvalidInput) as entry_error:
        assignment.add_assignment(
            db,
            actor=world.organiser,
            round_=world.preliminary,
            judge_id=world.judges[0].id,
            entry_id=outside.id,
        )

    assert judge_error.value.by_field().keys() == {"judge_id"}
    assert entry_error.value.by_field().keys() == {"entry_id"}


def test_remove_with_draft_deletes_it_and_audits_its_values(db, world):
    [entry] = _entries(db, world, ["甲"])
    factories.assign(db, world.preliminary, world.judges[0], entry)
    sheet = factories.sheet(
        db, world.preliminary, world.judges[0], entry, [123, 45], submitted=False, comment="草稿"
    )
    criteria = factories.criteria(db, world.preliminary)

    assignment.remove_assignment(
        db,
        actor=world.organiser,
        round_=world.preliminary,
        judge_id=world.judges[0].id,
        entry_id=entry.id,
    )
    db.flush()

    assert _pairs(db, world.preliminary.id) == []
    assert db.scalars(select(ScoreSheet)).all() == []
    assert db.scalars(select(CriterionScore)).all() == []
    [record] = db.scalars(select(AuditRecord).where(AuditRecord.action == "assignment.remove"))
    assert record.before["draft"] == {
        "sheet_id": sheet.id,
        "comment": "草稿",
        "scores_tenths": {str(criteria[0].id): 123, str(criteria[1].id): 45},
    }


def test_remove_with_submitted_sheet_is_refused(db, world):
    [entry] = _entries(db, world, ["甲"])
    factories.assign(db, world.preliminary, world.judges[0], entry)
    factories.sheet(db, world.preliminary, world.judges[0], entry, [1, 2, 3, 4, 5])

    with pytest.raises(StateConflict, match="reopen"):
        assignment.remove_assignment(
            db,
            actor=world.organiser,
            round_=world.preliminary,
            judge_id=world.judges[0].id,
            entry_id=entry.id,
        )

    assert len(_pairs(db, world.preliminary.id)) == 1


def test_remove_unknown_assignment_404(db, world):
    with pytest.raises(NotFound):
        assignment.remove_assignment(
            db,
            actor=world.organiser,
            round_=world.preliminary,
            judge_id=world.judges[0].id,
            entry_id=999,
        )


def test_recusal_with_nobody_free_leaves_the_entry_short(db, world):
    world.preliminary.judges_per_entry = 3
    [entry] = _entries(db, world, ["甲"])
    for judge in world.judges:
        factories.assign(db, world.preliminary, judge, entry)

    result = assignment.recuse(
        db,
        user=world.judge_users[0],
        judge=world.judges[0],
        round_=world.preliminary,
        entry=entry,
        reason="亲属",
    )

    assert (result.replacement_judge_id, result.short) == (None, True)
    assert sorted(j for j, _e, _s in _pairs(db, world.preliminary.id)) == sorted(
        j.id for j in world.judges[1:]
    )


def test_recusal_skips_judges_of_the_entry_institution(db, world):
    world.preliminary.judges_per_entry = 1
    [entry] = _entries(db, world, ["机构2"])
    factories.assign(db, world.preliminary, world.judges[0], entry)
    spare = factories.judge(
        db, world.contest, account=factories.user(db, Role.judge), institution=" 机构2 "
    )

    result = assignment.recuse(
        db,
        user=world.judge_users[0],
        judge=world.judges[0],
        round_=world.preliminary,
        entry=entry,
        reason="x",
    )

    assert result.replacement_judge_id == world.judges[2].id
    assert spare.id != result.replacement_judge_id


def test_rebalance_keeps_unstarted_assignments_and_covers_late_entries(db, world, field):
    judges, entries = field
    assignment.auto_assign(db, actor=world.organiser, round_=world.preliminary, seed=4)
    before = set(_pairs(db, world.preliminary.id))
    late = _entries(db, world, ["复旦大学", "同济大学"])

    result = assignment.auto_assign(
        db, actor=world.organiser, round_=world.preliminary, seed=4, rebalance=True
    )

    pairs = _pairs(db, world.preliminary.id)
    assert Counter(e for _j, e, _s in pairs) == {e.id: 3 for e in entries + late}
    assert _conflicted(db, pairs) == []
    loads = Counter(j for j, _e, _s in pairs)
    assert max(loads[j.id] for j in judges) - min(loads[j.id] for j in judges) <= 1
    # Only what balance needs moves: most earlier assignments stay as they were.
    assert len(before & set(pairs)) >= len(before) - 6
    assert result.added - result.replaced == 6
    [record] = db.scalars(
        select(AuditRecord)
        .where(AuditRecord.action == "assignment.auto")
        .order_by(AuditRecord.id.desc())
        .limit(1)
    )
    assert record.after["rebalance"] is True
