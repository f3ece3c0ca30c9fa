"""Investors as guests of a contest through the API: invitation, the showcase, marks,
leads and what each role sees (docs/api.md "Investors and follow-up")."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlmodel import Session

from contest.models import AuditRecord, Conflict, Interest, Investor, User
from tests import factories
from tests.investors_setup import Guests, arrange, as_, consent, investor


@pytest.fixture
def guests(db: Session, world: factories.World) -> Guests:
    return arrange(db, world)


def interest_url(entry_id: int) -> str:
    return f"/api/v1/entries/{entry_id}/interest"


def test_invite_investor_creates_an_investor_account(client, db, world):
    as_(client, world.organiser)

    response = client.post(f"/api/v1/contests/{world.contest.id}/investors", json={
        "email": "VC@Example.com", "name": "李投资", "organisation": "普陀创投",
        "password": "a long passphrase"})

    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["email"], body["organisation"], body["role"]) == (
        "vc@example.com", "普陀创投", "investor")
    assert body["invitation_link"] is None
    assert "generated_password" not in body
    token = client.post("/api/v1/auth/token", data={
        "username": "vc@example.com", "password": "a long passphrase"}).json()["access_token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["role"] == "investor"
    seat = db.scalars(select(Investor).where(Investor.user_id == me["id"])).one()
    assert seat.contest_id == world.contest.id
    assert db.scalars(select(AuditRecord).where(AuditRecord.action == "investor.invite")).one()


def test_invite_without_password_and_without_mail_shows_a_set_password_link_once(
        client, make_client, world):
    as_(client, world.organiser)
    url = f"/api/v1/contests/{world.contest.id}/investors"

    body = client.post(url, json={"email": "vc@example.com", "name": "李投资",
                                  "organisation": "普陀创投"}).json()
    listed = client.get(url).json()

    assert "generated_password" not in body
    link = body["invitation_link"]
    assert link.startswith("http://testserver/reset/")
    assert [item["invitation_link"] for item in listed] == [None]
    investor_client = make_client()
    token = link.rsplit("/", 1)[1]
    assert investor_client.post("/api/v1/auth/password-reset/confirm", json={
        "token": token, "password": "a long passphrase"}).status_code == 204
    login = investor_client.post("/api/v1/auth/token", data={
        "username": "vc@example.com", "password": "a long passphrase"})
    assert login.status_code == 200


@pytest.mark.parametrize(("body", "field"), [
    ({"email": "not-an-address", "name": "x", "organisation": "y"}, "email"),
    ({"email": "vc@example.com", "name": "", "organisation": "y"}, "name"),
    ({"email": "vc@example.com", "name": "x", "organisation": " "}, "organisation"),
    ({"email": "vc@example.com", "name": "x", "organisation": "y", "stakes": [{}]}, "stakes"),
])
def test_invite_refuses_bad_input_naming_the_field(client, db, world, body, field):
    as_(client, world.organiser)

    response = client.post(f"/api/v1/contests/{world.contest.id}/investors", json=body)

    assert response.status_code == 422
    assert field in {str(part) for error in response.json()["detail"] for part in error["loc"]}
    assert db.scalars(select(Investor)).all() == []


def test_invite_refuses_a_team_account_and_a_second_seat(client, db, world, guests):
    as_(client, world.organiser)
    url = f"/api/v1/contests/{world.contest.id}/investors"

    team = client.post(url, json={"email": world.team.email, "name": "x", "organisation": "y"})
    twice = client.post(url, json={"email": guests.investor.email, "name": "x",
                                   "organisation": "y"})

    assert team.status_code == 422
    assert twice.status_code == 409
    assert len(db.scalars(select(Investor)).all()) == 2


def test_a_judge_can_sit_as_an_investor_too(client, db, world):
    as_(client, world.organiser)

    response = client.post(f"/api/v1/contests/{world.contest.id}/investors", json={
        "email": world.judge_users[0].email, "name": "x", "organisation": "评委基金"})

    assert response.status_code == 201
    assert db.get(User, world.judge_users[0].id).role == "judge"


def test_showcase_lists_finalists_with_public_fields_only(client, world, guests):
    as_(client, guests.investor)

    response = client.get(f"/api/v1/contests/{world.contest.id}/showcase")

    assert response.status_code == 200
    items = response.json()
    assert {i["entry_id"] for i in items} == {e.id for e in guests.finalists}
    first = next(i for i in items if i["entry_id"] == guests.finalists[0].id)
    assert {k: first[k] for k in ("title", "track_code", "institution", "city", "stage",
                                  "tier", "business_plan")} == {
        "title": "康复机器人", "track_code": "creative", "institution": "复旦大学",
        "city": "上海", "stage": "final", "tier": None, "business_plan": False}
    assert not {"leader_email", "leader_phone", "members", "credit_code"} & set(first)


def test_showcase_shows_published_tiers(client, db, world, guests):
    from contest.core.enums import Tier
    from contest.models import Award, utcnow
    db.add(Award(contest_id=world.contest.id, entry_id=guests.finalists[0].id,
                 track_id=world.creative.id, tier=Tier.gold, rank=1, published_at=utcnow()))
    db.add(Award(contest_id=world.contest.id, entry_id=guests.finalists[1].id,
                 track_id=world.startup.id, tier=Tier.silver, rank=2))
    db.commit()
    as_(client, guests.investor)

    items = client.get(f"/api/v1/contests/{world.contest.id}/showcase").json()

    by_id = {i["entry_id"]: (i["stage"], i["tier"]) for i in items}
    assert by_id == {guests.finalists[0].id: ("award", "gold"),
                     guests.finalists[1].id: ("final", None)}


def test_an_investor_never_sees_another_contest(client, world, guests):
    as_(client, guests.other_investor)

    showcase = client.get(f"/api/v1/contests/{world.contest.id}/showcase")
    mark = client.put(interest_url(guests.finalists[0].id), json={"level": "meet"})
    plan = client.get(f"/api/v1/entries/{guests.finalists[0].id}/business-plan")

    assert (showcase.status_code, mark.status_code, plan.status_code) == (404, 404, 404)


def test_business_plan_only_with_the_teams_consent(client, db, world, guests, settings):
    entry = guests.finalists[0]
    document = factories.document(db, entry, settings)
    db.commit()
    as_(client, guests.investor)
    url = f"/api/v1/entries/{entry.id}/business-plan"

    before = client.get(url)
    listed_before = client.get(f"/api/v1/contests/{world.contest.id}/showcase").json()
    direct = client.get(f"/api/v1/documents/{document.id}")
    consent(db, entry, share_business_plan=True)
    after = client.get(url)

    assert before.status_code == 404
    assert direct.status_code in (403, 404)
    assert not any(i["business_plan"] for i in listed_before)
    assert after.status_code == 200
    assert after.content.startswith(b"%PDF")


def test_mark_interest_then_change_then_remove(client, db, guests):
    as_(client, guests.investor)
    url = interest_url(guests.finalists[0].id)

    first = client.put(url, json={"level": "watch"})
    second = client.put(url, json={"level": "intent", "note": "想尽快见面"})
    marks = db.scalars(select(Interest)).all()
    removed = client.delete(url)

    assert first.status_code == 200
    assert first.json()["level"] == "watch"
    assert second.json() | {"at": None} == {
        "entry_id": guests.finalists[0].id, "level": "intent", "note": "想尽快见面", "at": None}
    assert [(m.level, m.note) for m in marks] == [("intent", "想尽快见面")]
    assert removed.status_code == 204
    db.rollback()
    assert db.scalars(select(Interest)).all() == []


def test_marks_wait_for_the_final_to_start(client, db, world):
    guests = arrange(db, world, started=False)
    as_(client, guests.investor)

    response = client.put(interest_url(guests.finalists[0].id), json={"level": "meet"})

    assert response.status_code == 409
    assert db.scalars(select(Interest)).all() == []


@pytest.mark.parametrize("body", [{"level": "love"}, {}, {"level": "meet", "note": "x" * 2001}])
def test_bad_marks_are_refused(client, db, guests, body):
    as_(client, guests.investor)

    response = client.put(interest_url(guests.finalists[0].id), json=body)

    assert response.status_code == 422
    assert db.scalars(select(Interest)).all() == []


def test_marks_only_on_showcase_projects(client, db, guests):
    as_(client, guests.investor)

    response = client.put(interest_url(guests.outsider.id), json={"level": "meet"})

    assert response.status_code == 404


def test_an_investor_writes_nothing_but_its_own_marks(client, world, guests):
    as_(client, guests.investor)
    entry = guests.finalists[0]

    calls = [
        client.post(f"/api/v1/contests/{world.contest.id}/investors",
                    json={"email": "a@example.com", "name": "a", "organisation": "b"}),
        client.post(f"/api/v1/entries/{entry.id}/deals", json={
            "kind": "investment_intent", "partner": "x", "signed_on": "2023-11-07",
            "public": True}),
        client.put(f"/api/v1/entries/{entry.id}/consent", json={"contact": True}),
        client.patch(f"/api/v1/entries/{entry.id}", json={"title": "改名"}),
        client.get(f"/api/v1/contests/{world.contest.id}/leads"),
        client.get(f"/api/v1/entries/{entry.id}"),
    ]

    assert [c.status_code for c in calls] == [403, 403, 403, 404, 403, 404]


def test_team_sees_organisations_not_notes_once_it_agreed(client, db, world, guests):
    entry = guests.finalists[0]
    _user, other_seat = investor(db, world.contest.id, organisation="张江资本")
    db.add_all([
        Interest(investor_id=guests.seat.id, entry_id=entry.id, level="meet", note="秘密"),
        Interest(investor_id=other_seat.id, entry_id=entry.id, level="watch", note="只看看"),
    ])
    db.commit()
    as_(client, world.team)
    url = interest_url(entry.id)

    before = client.get(url).json()
    client.put(f"/api/v1/entries/{entry.id}/consent", json={"contact": True})
    after = client.get(url)

    assert before == {"contact": False, "organisations": []}
    assert after.json() == {"contact": True,
                            "organisations": [{"organisation": "普陀创投", "level": "meet"}]}
    assert "秘密" not in after.text


def test_another_team_sees_nothing_of_the_entry(client, world, guests):
    as_(client, world.other_team)
    entry = guests.finalists[0]

    assert client.get(interest_url(entry.id)).status_code == 404
    assert client.get(f"/api/v1/entries/{entry.id}/consent").status_code == 404
    assert client.put(f"/api/v1/entries/{entry.id}/consent",
                      json={"contact": True}).status_code == 404


def test_leads_list_every_mark_for_the_organiser(client, db, world, guests):
    db.add(Interest(investor_id=guests.seat.id, entry_id=guests.finalists[1].id,
                    level="intent", note="估值合理"))
    db.add(Interest(investor_id=guests.seat.id, entry_id=guests.finalists[0].id, level="watch"))
    db.commit()
    as_(client, world.organiser)

    leads = client.get(f"/api/v1/contests/{world.contest.id}/leads").json()

    assert [(x["entry_id"], x["investor_id"], x["organisation"], x["level"], x["note"])
            for x in leads] == [
        (guests.finalists[1].id, guests.seat.id, "普陀创投", "intent", "估值合理"),
        (guests.finalists[0].id, guests.seat.id, "普陀创投", "watch", "")]
    assert all(x["at"] for x in leads)


def test_leads_export_csv_and_xlsx(client, db, world, guests):
    db.add(Interest(investor_id=guests.seat.id, entry_id=guests.finalists[1].id,
                    level="meet", note="=HYPERLINK(1)"))
    db.commit()
    as_(client, world.organiser)
    base = f"/api/v1/contests/{world.contest.id}/leads"

    text = client.get(f"{base}.csv")
    book = client.get(f"{base}.xlsx")

    assert text.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert rows[1][1:8] == ["AI 影像诊断", str(guests.seat.id), "普陀创投代表", "普陀创投",
                            "investor@example.com", "Want to meet", "'=HYPERLINK(1)"]
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert [c.value for c in sheet[2]][1] == "AI 影像诊断"


def test_other_organiser_sees_no_leads(client, world, guests):
    as_(client, world.other_organiser)

    assert client.get(f"/api/v1/contests/{world.contest.id}/leads").status_code == 404
    assert client.get(f"/api/v1/contests/{world.contest.id}/leads.csv").status_code == 404


def test_meeting_request_mailto_copies_the_team_only_with_consent(client, db, world, guests):
    entry = guests.finalists[1]
    db.add(Interest(investor_id=guests.seat.id, entry_id=entry.id, level="meet"))
    db.commit()
    as_(client, world.organiser)
    url = f"/api/v1/contests/{world.contest.id}/meetings"
    body = {"investor_id": guests.seat.id, "entry_id": entry.id}

    without = client.post(url, json=body).json()
    consent(db, entry, contact=True)
    with_consent = client.post(url, json=body).json()
    unknown = client.post(url, json={"investor_id": guests.seat.id,
                                     "entry_id": guests.finalists[0].id})

    assert without["to"] == ["investor@example.com"]
    assert with_consent["to"] == ["investor@example.com", entry.leader_email]
    assert with_consent["mailto"].startswith("mailto:investor@example.com?cc=")
    assert unknown.status_code == 404


def test_judge_investor_marking_meet_becomes_a_judging_conflict(client, db, world, guests):
    judge_user = world.judge_users[0]
    investor(db, world.contest.id, organisation="评委基金", account=judge_user)
    db.commit()
    as_(client, judge_user)

    watch = client.put(interest_url(guests.finalists[0].id), json={"level": "watch"})
    after_watch = db.scalars(select(Conflict)).all()
    meet = client.put(interest_url(guests.finalists[0].id), json={"level": "meet"})

    assert (watch.status_code, meet.status_code) == (200, 200)
    assert after_watch == []
    db.rollback()
    conflicts = db.scalars(select(Conflict)).all()
    assert [(c.judge_id, c.entry_id, c.reason) for c in conflicts] == [
        (world.judges[0].id, guests.finalists[0].id, "investor interest: meet")]


def test_declared_stake_flags_the_company_entry(client, db, world, guests):
    as_(client, guests.investor)

    declared = client.put(f"/api/v1/contests/{world.contest.id}/stakes",
                          json={"stakes": [{"name": "上海影像科技（有限公司）"}]})
    items = client.get(f"/api/v1/contests/{world.contest.id}/showcase").json()

    assert declared.status_code == 200
    assert {i["entry_id"]: i["conflict"] for i in items} == {
        guests.finalists[0].id: False, guests.finalists[1].id: True}
