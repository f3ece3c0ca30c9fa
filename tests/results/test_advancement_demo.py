"""demo_results.advance_round: closes the round, settles a boundary tie by entry number
with a reason, confirms and publishes."""

from sqlalchemy import select
from sqlmodel import Session

from contest.demo.results import TIE_REASON, advance_round
from contest.models import Advancement, AuditRecord, RoundEntry
from contest.setup import rounds
from tests import factories
from tests.factories import World


def statuses(db: Session, round_id: int) -> dict[int, str]:
    rows = db.execute(
        select(RoundEntry.entry_id, RoundEntry.status).where(RoundEntry.round_id == round_id)
    )
    return {entry_id: status for entry_id, status in rows}


def test_advance_round_settles_the_tie_by_number_and_publishes(db: Session, world: World):
    prelim = world.preliminary
    startup = [
        factories.entry(db, world.contest, world.startup, title=f"S{i}", rounds=(prelim,))
        for i in range(3)
    ]
    creative = [
        factories.entry(db, world.contest, world.creative, title=f"C{i}", rounds=(prelim,))
        for i in range(4)
    ]
    # Startup: 100 > 99 > 98. Creative: 100, then three exactly equal 99s for one place.
    for entry, last in zip([*startup, *creative], (100, 90, 80, 100, 90, 90, 90), strict=True):
        factories.sheet(db, prelim, world.judges[0], entry, [300, 250, 200, 150, last])
    db.commit()
    assert rounds.is_open(prelim)

    confirmed = advance_round(db, actor=world.organiser, round_=prelim)

    assert (confirmed.advanced, confirmed.eliminated) == (4, 3)
    assert rounds.is_closed(prelim)
    advanced = {e for e, status in statuses(db, prelim.id).items() if status == "advanced"}
    assert advanced == {startup[0].id, startup[1].id, creative[0].id, creative[1].id}
    assert set(statuses(db, world.semifinal.id)) == advanced
    item = db.get(Advancement, prelim.id)
    assert item is not None
    assert item.reason == TIE_REASON
    assert item.published_at is not None
    assert prelim.feedback_published_at is not None
    actions = list(db.scalars(select(AuditRecord.action).order_by(AuditRecord.id)))
    assert actions[-5:] == [
        "round.close",
        "advancement.confirm",
        "publication.publish",
        "advancement.publish",
        "round.publish_feedback",
    ]


def test_advance_round_without_a_tie_gives_no_reason(db: Session, world: World):
    prelim = world.preliminary
    entries = [
        factories.entry(db, world.contest, world.startup, title=f"S{i}", rounds=(prelim,))
        for i in range(3)
    ]
    for entry, last in zip(entries, (100, 90, 80), strict=True):
        factories.sheet(db, prelim, world.judges[0], entry, [300, 250, 200, 150, last])
    db.commit()

    confirmed = advance_round(db, actor=world.organiser, round_=prelim)

    assert confirmed.advanced == 2
    item = db.get(Advancement, prelim.id)
    assert item is not None
    assert item.reason == ""
