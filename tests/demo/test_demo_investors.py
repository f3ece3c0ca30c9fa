"""The demo's follow-up stage: investors, their marks and the 2023 signed intent."""

import random
from datetime import date

from sqlalchemy import select

from contest.demo import investors as demo_investors
from contest.models import Deal, EntryConsent, Interest, Investor
from tests.investors_setup import arrange


def test_demo_follow_up_invites_marks_and_signs(db, world):
    guests = arrange(db, world)
    featured = guests.finalists[0]

    demo_investors.follow_up(db, actor=world.organiser, contest=world.contest, featured=featured,
                             password="tianjiao2023", domain="tianjiao.demo",
                             rng=random.Random(2023))
    db.commit()

    firms = {s.organisation for s in db.scalars(select(Investor))} - {"普陀创投", "别家资本"}
    assert firms == {f for _login, _name, f in demo_investors.FIRMS}
    intent = db.scalars(select(Deal).where(Deal.kind == "investment_intent")).one()
    assert (intent.entry_id, intent.signed_on, intent.public) == (
        featured.id, date(2023, 11, 7), True)
    assert db.get(EntryConsent, featured.id).publish_deals is True
    levels = {m.level for m in db.scalars(select(Interest).where(Interest.entry_id == featured.id))}
    assert "intent" in levels
