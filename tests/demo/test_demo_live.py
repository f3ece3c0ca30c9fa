"""The demo's live final and awards: every finalist pitched, scored by nine judges and
revealed; the default per-track awards published, ties settled by entry number."""

import random
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel import Session

from contest.core.enums import SheetState
from contest.demo import live as demo_live
from contest.live import draw
from contest.models import (
    Assignment,
    AuditRecord,
    Award,
    Certificate,
    Draw,
    LiveState,
    Round,
    RoundEntry,
    ScoreSheet,
)
from tests.awards_setup import arrange_ranked
from tests.judging_setup import read
from tests.live_setup import arrange_final


def test_run_final_pitches_scores_and_reveals_every_finalist(db: Session, world):  # type: ignore[no-untyped-def]
    world.final.judges_per_entry = 9
    db.add(world.final)
    final = arrange_final(db, world, entries=12, judges=9, assigned=False)

    demo_live.run_final(db, actor=world.organiser, round_=final.round, rng=random.Random(1))
    db.commit()

    [(seed, order)] = read(db, select(Draw.seed, Draw.order))
    assert seed == demo_live.DRAW_SEED
    assert order == draw.shuffled([e.id for e in final.entries], demo_live.DRAW_SEED)
    [(phase, revision)] = read(db, select(LiveState.phase, LiveState.revision))
    assert (phase, revision) == ("finished", 12 * 4 + 1)  # start/next, qa, score, reveal
    revealed = read(db, select(func.count()).where(RoundEntry.revealed_at.is_not(None)))
    assert revealed == [(12,)]
    sheets = read(
        db,
        select(ScoreSheet.entry_id, func.count())
        .where(ScoreSheet.state == SheetState.submitted.value)
        .group_by(ScoreSheet.entry_id),
    )
    assert sorted(n for _e, n in sheets) == [9] * 12
    assert read(db, select(func.count(Assignment.id))) == [(12 * 9,)]
    db.expire_all()
    assert db.get(Round, final.round.id).closes_at is not None


def test_award_publishes_the_default_per_track_awards(db: Session, world):  # type: ignore[no-untyped-def]
    arrange_ranked(db, world)

    lines = demo_live.award(db, actor=world.organiser, contest=world.contest)
    db.commit()

    tiers = [(line.track_code, line.tier.value) for line in lines]
    assert tiers == [
        ("startup", "gold"),
        ("startup", "silver"),
        ("startup", "silver"),
        ("startup", "bronze"),
        ("startup", "bronze"),
        ("startup", "bronze"),
        ("creative", "gold"),
        ("creative", "silver"),
        ("creative", "silver"),
        ("creative", "bronze"),
    ]
    assert read(db, select(func.count(Certificate.id))) == [(10,)]
    assert {at is not None for (at,) in read(db, select(Award.published_at))} == {True}


def test_award_needs_no_reason_for_a_tie_inside_one_tier(db: Session, world):  # type: ignore[no-untyped-def]
    ranked = arrange_ranked(db, world, startup=(290, 280, 270, 260, 260, 240), creative=())

    demo_live.award(db, actor=world.organiser, contest=world.contest)
    db.commit()

    s = ranked.s
    tiers = dict(read(db, select(Award.entry_id, Award.tier)))
    assert tiers == {
        s[0].id: "gold",
        s[1].id: "silver",
        s[2].id: "silver",
        s[3].id: "bronze",
        s[4].id: "bronze",
        s[5].id: "bronze",
    }
    reasons = read(db, select(AuditRecord.reason).where(AuditRecord.action == "awards.save"))
    assert reasons == [("",)]


def test_award_settles_a_boundary_tie_by_entry_number_with_a_reason(db: Session, world):  # type: ignore[no-untyped-def]
    ranked = arrange_ranked(
        db, world, startup=(290, 280, 270, 260, 250, 240, 240, 230), creative=()
    )

    demo_live.award(db, actor=world.organiser, contest=world.contest)
    db.commit()

    s = ranked.s
    tiers = dict(read(db, select(Award.entry_id, Award.tier)))
    assert tiers.get(s[5].id) == "bronze"
    assert s[6].id not in tiers
    reasons = read(db, select(AuditRecord.reason).where(AuditRecord.action == "awards.save"))
    assert reasons == [(demo_live.TIE_REASON,)]


def test_run_final_on_a_day_dates_the_final_on_that_day(db: Session, world):  # type: ignore[no-untyped-def]
    world.final.judges_per_entry = 3
    db.add(world.final)
    final = arrange_final(db, world, entries=8, judges=3, assigned=False)
    day = date(2023, 11, 7)

    demo_live.run_final(db, actor=world.organiser, round_=final.round, rng=random.Random(1), on=day)
    db.commit()

    shanghai = ZoneInfo("Asia/Shanghai")
    stamps = [
        *(t for row in read(db, select(ScoreSheet.created_at, ScoreSheet.submitted_at))
          for t in row),
        *(t for (t,) in read(db, select(RoundEntry.revealed_at)) if t is not None),
        *(t for (t,) in read(db, select(LiveState.phase_changed_at))),
    ]
    assert len(stamps) == 8 * 3 * 2 + 8 + 1
    [(drawn_at,)] = read(db, select(Draw.drawn_at))
    assert drawn_at.astimezone(shanghai).date() == day
    assert drawn_at < min(stamps)  # the lots before the first pitch
    assert {t.astimezone(shanghai).date() for t in stamps} == {day}
    db.expire_all()
    window = db.get(Round, final.round.id)
    assert window.opens_at.astimezone(shanghai).date() == day
    assert window.closes_at.astimezone(shanghai).date() == day
    assert window.opens_at < min(stamps)
    assert max(stamps) <= window.closes_at
    # Revealed in the drawn order, one pitch after another.
    [(order,)] = read(db, select(Draw.order))
    revealed = dict(read(db, select(RoundEntry.entry_id, RoundEntry.revealed_at)))
    assert sorted(order, key=lambda e: revealed[e]) == order
