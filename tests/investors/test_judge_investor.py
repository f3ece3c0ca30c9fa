"""A judge who is also an investor guest reaches both sides from the menu; an investor
later put on a panel keeps its showcase."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select
from sqlmodel import Session

from contest.core.enums import Role
from contest.models import AuditRecord, User
from tests import factories
from tests.investors_setup import Guests, arrange, as_, investor


@pytest.fixture
def guests(db: Session, world: factories.World) -> Guests:
    return arrange(db, world)


def menu(client, url: str) -> set[str]:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, response.text
    nav = BeautifulSoup(response.text, "html.parser").select_one("nav.main-nav")
    return {a["href"] for a in nav.select("a[href]")}


def test_a_judge_investor_has_both_links_on_both_sides(client, db, world, guests):
    investor(db, world.contest.id, organisation="评委基金", account=world.judge_users[0])
    db.commit()
    factories.login(client, world.judge_users[0])

    on_judge_pages = menu(client, "/judge")
    on_showcase = menu(client, f"/invest/contests/{world.contest.id}")

    assert {"/judge", "/invest"} <= on_judge_pages
    assert {"/judge", "/invest"} <= on_showcase


def test_a_judge_without_a_seat_has_no_showcase_link(client, world, guests):
    factories.login(client, world.judge_users[1])

    assert "/invest" not in menu(client, "/judge")


def test_an_investor_put_on_a_panel_keeps_its_showcase(client, make_client, db, world, guests):
    organiser = as_(make_client(), world.organiser)

    added = organiser.post(f"/api/v1/contests/{world.contest.id}/judges", json={
        "email": guests.investor.email, "name": guests.investor.name,
        "institution": "普陀创投", "password": "correct horse battery"})

    assert added.status_code == 201, added.text
    db.expire_all()
    account = db.scalars(select(User).where(User.email == guests.investor.email)).one()
    assert account.role == Role.judge
    # The organiser learns nothing of the account beyond what it typed (accounts README).
    record = db.scalars(select(AuditRecord).where(AuditRecord.action == "judge.add")).one()
    assert "role_was" not in record.after
    factories.login(client, account)
    assert {"/judge", "/invest"} <= menu(client, f"/invest/contests/{world.contest.id}")
    assert client.get("/judge").status_code == 200
