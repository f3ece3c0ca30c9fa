"""Deals and follow-up through the API: recording, who reads which, withdrawal, the
pipeline and its exports."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlmodel import Session

from contest.models import AuditRecord, Deal, Interest
from tests import factories
from tests.investors_setup import Guests, arrange, as_, consent

INTENT = {"kind": "investment_intent", "partner": "普陀创投", "signed_on": "2023-11-07",
          "note": "现场签约", "public": True}


@pytest.fixture
def guests(db: Session, world: factories.World) -> Guests:
    return arrange(db, world)


def deals_url(world) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/contests/{world.contest.id}/deals"


def record(client, entry_id: int, **values: object):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/entries/{entry_id}/deals", json={**INTENT, **values})


def test_organiser_records_a_signed_intent(client, db, world, guests):
    as_(client, world.organiser)

    response = record(client, guests.finalists[0].id, amount_wan=500.5)

    assert response.status_code == 201, response.text
    body = response.json()
    assert {k: body[k] for k in ("entry_id", "kind", "partner", "amount_wan", "signed_on",
                                 "note", "public")} == {
        "entry_id": guests.finalists[0].id, "kind": "investment_intent", "partner": "普陀创投",
        "amount_wan": 500.5, "signed_on": "2023-11-07", "note": "现场签约", "public": True}
    audit = db.scalars(select(AuditRecord).where(AuditRecord.action == "deal.record")).one()
    assert audit.after["partner"] == "普陀创投"


@pytest.mark.parametrize(("values", "field"), [
    ({"kind": "bribe"}, "kind"),
    ({"partner": ""}, "partner"),
    ({"amount_wan": -1}, "amount_wan"),
    ({"amount_wan": 1.234}, "amount_wan"),
    ({"signed_on": "1999-12-31"}, "signed_on"),
    ({"signed_on": "next week"}, "signed_on"),
])
def test_bad_deals_are_refused_naming_the_field(client, db, world, guests, values, field):
    as_(client, world.organiser)

    response = record(client, guests.finalists[0].id, **values)

    assert response.status_code == 422
    assert field in {str(p) for e in response.json()["detail"] for p in e["loc"]}
    assert db.scalars(select(Deal)).all() == []


def test_other_organiser_cannot_record_on_this_contest(client, world, guests):
    as_(client, world.other_organiser)

    assert record(client, guests.finalists[0].id).status_code == 404


def arrange_deals(db, world, guests):  # type: ignore[no-untyped-def]
    """Team's entry: a public intent and a private grant; the other team's: a public
    partnership; only the team agreed to publish."""
    mine, theirs = guests.finalists
    rows = [Deal(contest_id=world.contest.id, entry_id=mine.id, kind="investment_intent",
                 partner="普陀创投", signed_on="2023-11-07", public=True, note="n1"),
            Deal(contest_id=world.contest.id, entry_id=mine.id, kind="grant",
                 partner="区科委", signed_on="2023-12-01", public=False, note="n2"),
            Deal(contest_id=world.contest.id, entry_id=theirs.id, kind="partnership",
                 partner="康复医院", signed_on="2023-11-07", public=True, note="n3")]
    for row in rows:
        from datetime import date
        row.signed_on = date.fromisoformat(str(row.signed_on))
    db.add_all(rows)
    db.commit()
    consent(db, mine, publish_deals=True)
    return rows


def test_who_reads_which_deals(client, make_client, db, world, guests):
    arrange_deals(db, world, guests)
    url = deals_url(world)

    organiser = as_(make_client(), world.organiser).get(url).json()
    team = as_(make_client(), world.team).get(url).json()
    other_team = as_(make_client(), world.other_team).get(url).json()
    public = make_client().get(url).json()
    investor = as_(make_client(), guests.investor).get(url).json()

    assert [d["partner"] for d in organiser] == ["区科委", "康复医院", "普陀创投"]
    assert [(d["partner"], d["note"]) for d in team] == [("区科委", "n2"), ("普陀创投", "n1")]
    # The other team owns the second finalist: its own partnership, unpublished, and the
    # team's published intent, without the note.
    assert [(d["partner"], d["note"]) for d in other_team] == [("康复医院", "n3"),
                                                               ("普陀创投", None)]
    assert [(d["partner"], d["note"]) for d in public] == [("普陀创投", None)]
    assert investor == public


def test_a_draft_contests_deals_are_not_public(client, db, world):
    from contest.core.enums import ContestStatus
    world.contest.status = ContestStatus.draft
    db.add(world.contest)
    db.commit()

    assert client.get(deals_url(world)).status_code == 404
    assert client.get("/api/v1/contests/999999/deals").status_code == 404


def test_withdrawn_deal_is_kept_and_hidden(client, db, world, guests):
    rows = arrange_deals(db, world, guests)
    as_(client, world.organiser)

    refused = client.post(f"/api/v1/deals/{rows[0].id}/withdraw", json={"reason": ""})
    done = client.post(f"/api/v1/deals/{rows[0].id}/withdraw", json={"reason": "录入错误"})
    again = client.post(f"/api/v1/deals/{rows[0].id}/withdraw", json={"reason": "再来"})
    public = client.get(deals_url(world), headers={"Authorization": ""}).json()

    assert refused.status_code == 422
    assert done.status_code == 200
    assert done.json()["withdrawn_at"]
    assert again.status_code == 409
    assert public == []
    db.rollback()
    db.expire_all()
    assert db.get(Deal, rows[0].id).withdraw_reason == "录入错误"


def test_follow_up_pipeline_and_counts(client, db, world, guests):
    arrange_deals(db, world, guests)
    mine, theirs = guests.finalists
    db.add(Interest(investor_id=guests.seat.id, entry_id=theirs.id, level="meet"))
    db.add(Deal(contest_id=world.contest.id, entry_id=theirs.id, kind="investment",
                partner="普陀创投", signed_on=__import__("datetime").date(2024, 3, 1),
                amount_wan=1200))
    db.commit()
    as_(client, world.organiser)

    body = client.get(f"/api/v1/contests/{world.contest.id}/follow-up").json()

    stages = {s["stage"]: s["entry_ids"] for s in body["pipeline"]}
    assert stages["intent_signed"] == [mine.id]
    assert stages["invested"] == [theirs.id]
    assert stages["finalist"] == []
    assert {k: body["counts"][k] for k in ("investors", "marks_meet", "deals_investment_intent",
                                           "deals_partnership", "deals_grant",
                                           "projects_with_deals", "invested_wan")} == {
        "investors": 1, "marks_meet": 1, "deals_investment_intent": 1, "deals_partnership": 1,
        "deals_grant": 1, "projects_with_deals": 2, "invested_wan": 1200.0}


def test_follow_up_exports(client, db, world, guests):
    arrange_deals(db, world, guests)
    as_(client, world.organiser)
    base = f"/api/v1/contests/{world.contest.id}"

    text = client.get(f"{base}/deals.csv").content.decode("utf-8-sig")
    book = load_workbook(io.BytesIO(client.get(f"{base}/follow-up.xlsx").content))

    assert "康复医院" in text
    assert "Investment intent signed" in text
    assert book.sheetnames == ["Figures", "Pipeline", "Deals", "Leads"]
    assert [c.value for c in book["Figures"][2]] == ["Investors", "1"]
