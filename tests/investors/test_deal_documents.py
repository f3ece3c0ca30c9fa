"""A deal's optional PDF (issue 22 item 4): uploaded by the organiser, checked by its
content, served to the organisers and the team that owns the entry only."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select
from sqlmodel import Session

from contest.models import AuditRecord, Deal
from tests import factories
from tests.investors_setup import Guests, arrange, as_, consent, investor

INTENT = {"kind": "investment_intent", "partner": "普陀创投", "signed_on": "2023-11-07",
          "public": True}


@pytest.fixture
def guests(db: Session, world: factories.World) -> Guests:
    return arrange(db, world)


@pytest.fixture
def deal(client, db, world, guests) -> int:  # type: ignore[no-untyped-def]
    """A public signed intent of the team's project (the team agreed to publish)."""
    consent(db, guests.finalists[0], publish_deals=True)
    as_(client, world.organiser)
    made = client.post(f"/api/v1/entries/{guests.finalists[0].id}/deals", json=INTENT)
    assert made.status_code == 201
    return int(made.json()["id"])


def upload(client, deal_id: int, data: bytes, name: str = "投资意向书.pdf"):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/deals/{deal_id}/document",
                       files={"file": (name, data, "application/pdf")})


def test_organiser_attaches_a_pdf_and_both_sides_read_it(client, make_client, db, world,
                                                         guests, deal, settings):
    signed = factories.pdf_bytes("投资意向书 signed")

    answer = upload(client, deal, signed)
    organiser_copy = client.get(f"/api/v1/deals/{deal}/document")
    team = as_(make_client(), world.team)
    team_copy = team.get(f"/api/v1/deals/{deal}/document")
    listed = team.get(f"/api/v1/contests/{world.contest.id}/deals").json()

    assert answer.status_code == 201, answer.text
    assert answer.json()["document"] is True
    assert organiser_copy.status_code == 200
    assert organiser_copy.content == signed
    assert organiser_copy.headers["content-type"] == "application/pdf"
    assert "attachment" in organiser_copy.headers["content-disposition"]
    assert team_copy.content == signed
    assert [d["document"] for d in listed] == [True]
    record = db.scalars(select(AuditRecord).where(AuditRecord.action == "deal.document")).one()
    assert record.after["filename"] == "投资意向书.pdf"
    stored = db.get(Deal, deal)
    assert (settings.uploads_dir / stored.stored_name).read_bytes() == signed


def test_nobody_else_reads_it_even_when_the_deal_is_public(client, make_client, db, world,
                                                           guests, deal):
    upload(client, deal, factories.pdf_bytes("signed"))
    investor_account, _seat = investor(db, world.contest.id, organisation="另一家资本")
    db.commit()
    readers = {
        "other team": as_(make_client(), world.other_team),
        "judge": as_(make_client(), world.judge_users[0]),
        "investor": as_(make_client(), investor_account),
        "other organiser": as_(make_client(), world.other_organiser),
    }

    got = {who: c.get(f"/api/v1/deals/{deal}/document").status_code
           for who, c in readers.items()}
    anonymous = make_client().get(f"/api/v1/deals/{deal}/document")
    public_list = make_client().get(f"/api/v1/contests/{world.contest.id}/deals").json()

    assert got == dict.fromkeys(readers, 404)
    assert anonymous.status_code == 401
    assert [d["partner"] for d in public_list] == ["普陀创投"]  # the deal is public, not its PDF


@pytest.mark.parametrize(("data", "name"), [
    (b"%PDF-1.4 not really a pdf", "fake.pdf"),
    (b"MZ\x90\x00 an executable", "intent.pdf"),
    (b"", "empty.pdf"),
])
def test_anything_but_a_pdf_is_refused_and_changes_nothing(client, db, world, guests, deal,
                                                           data, name):
    answer = upload(client, deal, data, name)

    assert answer.status_code == 422
    assert "file" in str(answer.json())
    db.rollback()
    assert db.get(Deal, deal).stored_name is None
    assert db.scalars(select(AuditRecord).where(AuditRecord.action == "deal.document")).all() == []


def test_a_withdrawn_deals_document_cannot_change(client, db, world, guests, deal):
    client.post(f"/api/v1/deals/{deal}/withdraw", json={"reason": "对方撤回"})

    answer = upload(client, deal, factories.pdf_bytes("late"))

    assert answer.status_code == 409
    db.rollback()
    assert db.get(Deal, deal).stored_name is None


def test_a_second_upload_replaces_the_first(client, db, world, guests, deal):
    upload(client, deal, factories.pdf_bytes("first"))
    second = factories.pdf_bytes("second")
    upload(client, deal, second, "正式版.pdf")

    assert client.get(f"/api/v1/deals/{deal}/document").content == second
    records = db.scalars(select(AuditRecord).where(AuditRecord.action == "deal.document")
                         .order_by(AuditRecord.id)).all()
    assert records[1].before["filename"] == "投资意向书.pdf"
    assert records[1].after["filename"] == "正式版.pdf"


def test_the_follow_up_page_uploads_and_links_the_pdf(client, make_client, db, world, guests,
                                                      deal):
    browser = factories.login(make_client(), world.organiser)
    signed = factories.pdf_bytes("page upload")

    answer = browser.post(f"/manage/deals/{deal}/document",
                          data={"csrf_token": factories.csrf_token(browser)},
                          files={"file": ("意向书.pdf", signed, "application/pdf")})
    refused = browser.post(f"/manage/deals/{deal}/document",
                           data={"csrf_token": factories.csrf_token(browser)},
                           files={"file": ("x.pdf", b"not a pdf", "application/pdf")})
    team_page = factories.login(make_client(), world.team).get(
        f"/team/entries/{guests.finalists[0].id}/investors")

    assert answer.status_code == 200  # the redirect to the follow-up page, followed
    link = BeautifulSoup(answer.text, "html.parser").select_one(
        f"a[href='/api/v1/deals/{deal}/document']")
    assert link is not None
    assert link.get_text() == "意向书.pdf"
    assert refused.status_code == 422
    error = BeautifulSoup(refused.text, "html.parser").select_one(f"#file-error-{deal}")
    assert error is not None
    team_link = BeautifulSoup(team_page.text, "html.parser").select_one(
        f"a[href='/api/v1/deals/{deal}/document']")
    assert team_link is not None


def test_the_page_upload_needs_the_csrf_token(client, make_client, db, world, guests, deal):
    browser = factories.login(make_client(), world.organiser)

    answer = browser.post(f"/manage/deals/{deal}/document",
                          files={"file": ("意向书.pdf", factories.pdf_bytes("x"),
                                          "application/pdf")})

    assert answer.status_code == 403
    db.rollback()
    assert db.get(Deal, deal).stored_name is None
