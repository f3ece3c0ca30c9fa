"""Meeting requests from the leads page (issue 22 item 3): one click mails the investor
and, with the team's consent, the team (through the outbox), or, without mail, shows a
ready `mailto:` link; audited either way."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select
from sqlmodel import Session

from contest.models import AuditRecord, Interest, OutboxMail
from tests import factories
from tests.investors_setup import Guests, arrange, as_, consent
from tests.mail_setup import text_part


@pytest.fixture
def guests(db: Session, world: factories.World) -> Guests:
    guests = arrange(db, world)
    db.add(Interest(investor_id=guests.seat.id, entry_id=guests.finalists[1].id, level="meet"))
    db.commit()
    return guests


def meeting_records(db: Session) -> list[dict]:
    db.rollback()
    rows = db.scalars(select(AuditRecord).where(AuditRecord.action == "meeting.request")).all()
    return [r.after for r in rows]


def test_with_mail_both_sides_get_a_mail_naming_the_other(
    mail_app, client, db, world, guests, smtp_server, run_jobs
):
    entry = guests.finalists[1]
    consent(db, entry, contact=True)
    as_(client, world.organiser)

    answer = client.post(f"/api/v1/contests/{world.contest.id}/meetings",
                         json={"investor_id": guests.seat.id, "entry_id": entry.id})
    run_jobs()
    got = {m["To"]: m for m in smtp_server.inbox.wait_for(2)}

    assert answer.status_code == 200
    assert answer.json()["queued"] == 2
    assert sorted(got) == sorted(["investor@example.com", entry.leader_email])
    to_investor = text_part(got["investor@example.com"])
    to_team = text_part(got[entry.leader_email])
    assert entry.leader_email in to_investor
    assert entry.title in to_investor
    assert "investor@example.com" in to_team
    assert "普陀创投" in to_team
    assert meeting_records(db) == [{
        "investor_id": guests.seat.id, "entry_id": entry.id,
        "to": ["investor@example.com", entry.leader_email], "by": "outbox"}]


def test_with_mail_a_team_that_did_not_agree_gets_nothing(mail_app, client, db, world, guests):
    as_(client, world.organiser)

    answer = client.post(f"/api/v1/contests/{world.contest.id}/meetings",
                         json={"investor_id": guests.seat.id, "entry_id": guests.finalists[1].id})

    db.rollback()
    mails = db.scalars(select(OutboxMail)).all()
    assert answer.json()["queued"] == 1
    assert [m.to for m in mails] == ["investor@example.com"]
    assert guests.finalists[1].leader_email not in mails[0].text
    assert "尚未同意" in mails[0].text


def test_without_mail_nothing_is_queued_and_the_mailto_is_given(client, db, world, guests):
    as_(client, world.organiser)

    answer = client.post(f"/api/v1/contests/{world.contest.id}/meetings",
                         json={"investor_id": guests.seat.id, "entry_id": guests.finalists[1].id})

    db.rollback()
    assert answer.json()["queued"] == 0
    assert answer.json()["mailto"].startswith("mailto:investor@example.com?")
    assert db.scalars(select(OutboxMail)).all() == []
    assert meeting_records(db)[0]["by"] == "mailto"


def test_the_leads_page_button_shows_the_mailto_without_mail(client, db, world, guests):
    factories.login(client, world.organiser)
    consent(db, guests.finalists[1], contact=True)

    answer = client.post(f"/manage/contests/{world.contest.id}/meetings",
                         data=factories.form(client, {"investor_id": guests.seat.id,
                                                      "entry_id": guests.finalists[1].id}))

    soup = BeautifulSoup(answer.text, "html.parser")
    link = soup.select_one("#meeting a[href^='mailto:']")
    assert answer.status_code == 200
    assert link is not None
    assert link["href"].startswith("mailto:investor@example.com?cc=")
    assert guests.finalists[1].title in soup.select_one("#meeting").get_text()
    assert meeting_records(db)[0]["by"] == "mailto"


def test_the_leads_page_button_sends_with_mail(mail_app, client, db, world, guests):
    factories.login(client, world.organiser)

    answer = client.post(f"/manage/contests/{world.contest.id}/meetings",
                         data=factories.form(client, {"investor_id": guests.seat.id,
                                                      "entry_id": guests.finalists[1].id}))

    assert answer.status_code == 200  # followed the redirect to the leads page
    flashes = BeautifulSoup(answer.text, "html.parser").select(".flash")
    assert any("investor@example.com" in f.get_text() for f in flashes)
    db.rollback()
    assert [m.to for m in db.scalars(select(OutboxMail))] == ["investor@example.com"]


@pytest.mark.parametrize("values", [
    {"investor_id": "x", "entry_id": "1"},
    {"investor_id": "1", "entry_id": ""},
])
def test_the_page_refuses_bad_ids(client, db, world, guests, values):
    factories.login(client, world.organiser)

    answer = client.post(f"/manage/contests/{world.contest.id}/meetings",
                         data=factories.form(client, values))

    assert answer.status_code == 422
    assert "请从列表中选择一条标记" in answer.text
    assert meeting_records(db) == []


def test_a_mark_of_another_contest_or_none_is_not_found(client, db, world, guests):
    factories.login(client, world.organiser)

    answer = client.post(f"/manage/contests/{world.contest.id}/meetings",
                         data=factories.form(client, {"investor_id": guests.other_seat.id,
                                                      "entry_id": guests.finalists[1].id}))

    assert answer.status_code == 404
    assert meeting_records(db) == []
