"""A team learns it advanced only when the organisers publish the decision."""

from sqlalchemy import select

from contest.core.enums import EntryStatus
from contest.models import Advancement, RoundEntry, utcnow
from tests import factories


def test_next_round_is_hidden_until_advancement_is_published(client, db, world):
    entry = factories.entry(
        db, world.contest, world.creative, owner=world.team, rounds=(world.preliminary,)
    )
    link = db.scalars(select(RoundEntry).where(RoundEntry.entry_id == entry.id)).one()
    link.status = EntryStatus.advanced
    db.add(RoundEntry(round_id=world.semifinal.id, entry_id=entry.id))
    db.add(Advancement(round_id=world.preliminary.id, confirmed_by_id=world.organiser.id))
    db.commit()
    headers = factories.bearer(client, world.team)

    before = client.get(f"/api/v1/entries/{entry.id}", headers=headers).json()
    advancement = db.get(Advancement, world.preliminary.id)
    advancement.published_at = utcnow()
    db.commit()
    after = client.get(f"/api/v1/entries/{entry.id}", headers=headers).json()

    assert [(r["round_id"], r["status"]) for r in before["rounds"]] == [
        (world.preliminary.id, "in")
    ]
    assert [(r["round_id"], r["status"]) for r in after["rounds"]] == [
        (world.preliminary.id, "advanced"),
        (world.semifinal.id, "in"),
    ]
