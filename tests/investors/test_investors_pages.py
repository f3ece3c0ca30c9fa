"""The investors' pages: the showcase with marks, the organiser's leads and follow-up,
the team's consents and the public list of signed projects (HTML parsed, elements found)."""

from datetime import date

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select
from sqlmodel import Session

from contest.models import Deal, EntryConsent, Interest, Investor
from tests import factories
from tests.investors_setup import Guests, arrange, consent


@pytest.fixture
def guests(db: Session, world: factories.World) -> Guests:
    return arrange(db, world)


def page(client, url: str) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


def test_investor_lands_on_the_showcase_and_marks_a_project(client, db, world, guests):
    factories.login(client, guests.investor)
    entry = guests.finalists[1]

    home = client.get("/invest", follow_redirects=False)
    soup = page(client, home.headers["location"])
    card = soup.select_one(f"#entry-{entry.id}")
    saved = client.post(f"/invest/entries/{entry.id}/interest",
                        data=factories.form(client, {"level": "intent", "note": "投"}),
                        follow_redirects=False)

    assert home.headers["location"] == f"/invest/contests/{world.contest.id}"
    assert card.h2.get_text() == "AI 影像诊断"
    assert {i["value"] for i in card.select("input[name=level]")} == {"watch", "meet", "intent"}
    assert soup.select_one(f"a[href='/live/{world.final.id}']") is not None
    assert saved.status_code == 303
    mark = db.scalars(select(Interest)).one()
    assert (mark.entry_id, mark.level, mark.note) == (entry.id, "intent", "投")


def test_investor_removes_a_mark_from_the_page(client, db, guests):
    entry = guests.finalists[0]
    db.add(Interest(investor_id=guests.seat.id, entry_id=entry.id, level="watch"))
    db.commit()
    factories.login(client, guests.investor)

    client.post(f"/invest/entries/{entry.id}/interest",
                data=factories.form(client, {"level": "none"}))

    db.rollback()
    assert db.scalars(select(Interest)).all() == []


def test_showcase_before_the_final_offers_no_marks(client, db, world):
    guests = arrange(db, world, started=False)
    factories.login(client, guests.investor)

    soup = page(client, f"/invest/contests/{world.contest.id}")

    assert soup.select("form.mark-form") == []
    assert len(soup.select("li.project")) == 2


def test_organiser_invites_and_reads_the_leads(client, db, world, guests):
    db.add(Interest(investor_id=guests.seat.id, entry_id=guests.finalists[1].id,
                    level="meet", note="想见"))
    db.commit()
    factories.login(client, world.organiser)
    url = f"/manage/contests/{world.contest.id}/investors"

    soup = page(client, url)
    invited = client.post(url, data=factories.form(client, {
        "name": "王投资", "email": "wang@example.com", "organisation": "张江资本"}))
    refused = client.post(url, data=factories.form(client, {
        "name": "王投资", "email": "bad", "organisation": "张江资本"}))

    meeting = soup.select_one("form.meeting-form")
    assert meeting is not None
    assert meeting["action"].endswith("/meetings")
    assert "想见" in soup.get_text()
    assert invited.status_code == 200
    assert BeautifulSoup(invited.text, "html.parser").select_one(".flash-warning code")
    assert refused.status_code == 422
    errors = BeautifulSoup(refused.text, "html.parser").select(".has-error input")
    assert [e["name"] for e in errors] == ["email"]
    seats = db.scalars(select(Investor).where(Investor.contest_id == world.contest.id)).all()
    assert len(seats) == 2


def test_organiser_records_and_withdraws_a_deal(client, db, world, guests):
    factories.login(client, world.organiser)
    entry = guests.finalists[0]

    bad = client.post(f"/manage/contests/{world.contest.id}/deals", data=factories.form(client, {
        "entry_id": entry.id, "kind": "investment_intent", "partner": "",
        "signed_on": "2023-11-07"}))
    good = client.post(f"/manage/contests/{world.contest.id}/deals", data=factories.form(client, {
        "entry_id": entry.id, "kind": "investment_intent", "partner": "普陀创投",
        "signed_on": "2023-11-07", "amount_wan": "300", "public": "1"}), follow_redirects=False)
    deal = db.scalars(select(Deal)).one()
    soup = page(client, f"/manage/contests/{world.contest.id}/follow-up")
    withdrawn = client.post(f"/manage/deals/{deal.id}/withdraw",
                            data=factories.form(client, {"reason": "重复录入"}))

    assert bad.status_code == 422
    assert good.status_code == 303
    assert (deal.partner, str(deal.amount_wan), deal.public) == ("普陀创投", "300.00", True)
    assert "普陀创投" in soup.select_one("table").get_text()
    assert withdrawn.status_code == 200
    db.rollback()
    db.expire_all()
    assert db.get(Deal, deal.id).withdraw_reason == "重复录入"


def test_team_sets_its_consents_and_sees_its_deals(client, db, world, guests):
    entry = guests.finalists[0]
    db.add(Deal(contest_id=world.contest.id, entry_id=entry.id, kind="incubation",
                partner="大学科技园", signed_on=date(2023, 12, 1)))
    db.add(Interest(investor_id=guests.seat.id, entry_id=entry.id, level="meet", note="秘密"))
    db.commit()
    factories.login(client, world.team)
    url = f"/team/entries/{entry.id}/investors"

    client.post(url, data=factories.form(client, {"contact": "1", "publish_deals": "1"}))
    soup = page(client, url)

    saved = db.get(EntryConsent, entry.id)
    assert (saved.share_business_plan, saved.contact, saved.publish_deals) == (False, True, True)
    assert "普陀创投" in soup.get_text()
    assert "秘密" not in soup.get_text()
    assert "大学科技园" in soup.select_one("table").get_text()


def test_public_page_lists_published_deals_of_consenting_teams(client, db, world, guests):
    mine, theirs = guests.finalists
    db.add(Deal(contest_id=world.contest.id, entry_id=mine.id, kind="investment_intent",
                partner="普陀创投", signed_on=date(2023, 11, 7), public=True))
    db.add(Deal(contest_id=world.contest.id, entry_id=theirs.id, kind="partnership",
                partner="康复医院", signed_on=date(2023, 11, 7), public=True))
    db.commit()
    consent(db, mine, publish_deals=True)

    soup = page(client, f"/results/{world.contest.id}/signed")

    assert [h.get_text() for h in soup.select(".signed-list h2")] == ["康复机器人"]
    assert "康复医院" not in soup.get_text()
