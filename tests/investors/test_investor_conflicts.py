"""Investor conflicts use the conflict rules of fair judging (issue 22 item 5, issue 17):
the same normalising of company names, university families, organisers' families and
credit codes; a judge who is also an investor carries the judge's ties and cannot be
given what it declared a stake in."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select
from sqlmodel import Session

from contest.models import Conflict, InstitutionFamily, Investor
from tests import factories
from tests.investors_setup import Guests, arrange, as_, investor


@pytest.fixture
def guests(db: Session, world: factories.World) -> Guests:
    return arrange(db, world)


def showcase_flags(client, contest_id: int) -> dict[int, bool]:
    items = client.get(f"/api/v1/contests/{contest_id}/showcase").json()
    return {i["entry_id"]: i["conflict"] for i in items}


def test_a_stake_matches_the_company_after_judgings_normalising(client, db, world, guests):
    """（集团）股份有限公司 and full-width brackets are folded exactly as for judges."""
    as_(client, guests.investor)
    client.put(f"/api/v1/contests/{world.contest.id}/stakes",
               json={"stakes": [{"name": "上海影像科技（集团）股份有限公司"}]})

    assert showcase_flags(client, world.contest.id) == {
        guests.finalists[0].id: False, guests.finalists[1].id: True}


def test_a_stake_matches_by_credit_code_in_any_width(client, db, world, guests):
    guests.finalists[0].company_name = "康复机器人有限公司"
    guests.finalists[0].credit_code = "91310000MA1FL5XQ2K"
    db.add(guests.finalists[0])
    db.commit()
    as_(client, guests.investor)
    stake = {"name": "另一个名字", "credit_code": "９１３１００００ma1fl5xq2k"}
    client.put(f"/api/v1/contests/{world.contest.id}/stakes", json={"stakes": [stake]})

    assert showcase_flags(client, world.contest.id) == {
        guests.finalists[0].id: True, guests.finalists[1].id: False}


def test_an_investors_organisation_conflicts_with_its_university_family(client, db, world,
                                                                       guests):
    """A university's science park invests for the university: its hospital's project is
    a conflict (same family), another university's is not."""
    guests.finalists[0].institution = "复旦大学附属中山医院"
    guests.finalists[1].institution = "同济大学"
    db.add_all(guests.finalists)
    guests.seat.organisation = "复旦大学科技园"
    db.add(guests.seat)
    db.commit()
    as_(client, guests.investor)

    items = client.get(f"/api/v1/contests/{world.contest.id}/showcase").json()

    by_id = {i["entry_id"]: i for i in items}
    assert by_id[guests.finalists[0].id]["conflict"] is True
    assert "复旦大学附属中山医院" in by_id[guests.finalists[0].id]["conflict_reason"]
    assert by_id[guests.finalists[1].id]["conflict"] is False


def test_organisers_families_count_for_investors(client, db, world, guests):
    guests.finalists[1].institution = "瑞金医院"
    db.add(guests.finalists[1])
    guests.seat.organisation = "上海交通大学医学院附属瑞金医院产业基金"
    db.add(guests.seat)
    db.commit()
    as_(client, guests.investor)
    before = showcase_flags(client, world.contest.id)

    db.add(InstitutionFamily(contest_id=world.contest.id,
                             members=["瑞金医院", "上海交通大学医学院附属瑞金医院产业基金"]))
    db.commit()
    after = showcase_flags(client, world.contest.id)

    assert before[guests.finalists[1].id] is False
    assert after[guests.finalists[1].id] is True


def test_a_judge_investor_carries_the_judges_ties(client, db, world, guests):
    """An investor who is also a judge: the judge's institution is one of its ties."""
    judge_user = world.judge_users[0]
    guests.finalists[0].institution = world.judges[0].institution
    db.add(guests.finalists[0])
    investor(db, world.contest.id, organisation="评委基金", account=judge_user)
    db.commit()
    as_(client, judge_user)

    assert showcase_flags(client, world.contest.id) == {
        guests.finalists[0].id: True, guests.finalists[1].id: False}


def test_a_judge_investors_stake_keeps_it_off_that_entry(client, make_client, db, world,
                                                         guests):
    """The stake is declared on the panel (with it as the reason): manual assignment is
    refused."""
    judge_user = world.judge_users[1]
    investor(db, world.contest.id, organisation="评委资本", account=judge_user)
    db.commit()
    as_(client, judge_user)
    declared = client.put(f"/api/v1/contests/{world.contest.id}/stakes",
                          json={"stakes": [{"name": "上海影像科技"}]})
    organiser = as_(make_client(), world.organiser)

    refused = organiser.post(f"/api/v1/rounds/{world.final.id}/assignments",
                             json={"judge_id": world.judges[1].id,
                                   "entry_id": guests.finalists[1].id})
    allowed = organiser.post(f"/api/v1/rounds/{world.final.id}/assignments",
                             json={"judge_id": world.judges[1].id,
                                   "entry_id": guests.finalists[0].id})

    assert declared.status_code == 200
    assert refused.status_code == 409
    assert "declared a conflict" in refused.json()["detail"]
    assert allowed.status_code == 201
    db.rollback()
    stored = db.scalars(select(Conflict).where(Conflict.judge_id == world.judges[1].id)).all()
    assert [(c.entry_id, c.reason) for c in stored] == [
        (guests.finalists[1].id, "stake: 上海影像科技有限公司")]


def test_leads_flag_conflicts_found_by_the_shared_rules(client, make_client, db, world, guests):
    as_(client, guests.investor)
    client.put(f"/api/v1/contests/{world.contest.id}/stakes",
               json={"stakes": [{"name": "上海影像科技股份有限公司"}]})
    client.put(f"/api/v1/entries/{guests.finalists[1].id}/interest", json={"level": "meet"})
    client.put(f"/api/v1/entries/{guests.finalists[0].id}/interest", json={"level": "watch"})
    organiser = as_(make_client(), world.organiser)

    leads = organiser.get(f"/api/v1/contests/{world.contest.id}/leads").json()

    assert {lead["entry_id"]: lead["conflict"] for lead in leads} == {
        guests.finalists[1].id: True, guests.finalists[0].id: False}



def test_the_investor_declares_its_stakes_on_the_showcase_page(client, db, world, guests):
    factories.login(client, guests.investor)
    url = f"/invest/contests/{world.contest.id}"

    saved = client.post(f"{url}/stakes", data=factories.form(client, {
        "stakes": "上海影像科技股份有限公司\n康复机器人有限公司， 91310000MA1FL5XQ2K\n"}))
    refused = client.post(f"{url}/stakes", data=factories.form(client, {
        "stakes": "名" * 201}))

    soup = BeautifulSoup(saved.text, "html.parser")
    assert saved.status_code == 200  # back on the showcase
    card = soup.select_one(f"#entry-{guests.finalists[1].id}")
    assert card.select_one(".conflict-reason") is not None
    assert "上海影像科技股份有限公司" in soup.select_one("#f-stakes").get_text()
    assert refused.status_code == 422
    error = BeautifulSoup(refused.text, "html.parser").select_one("#stakes-error")
    assert error is not None
    assert error.get_text().startswith("第 1 行")
    db.expire_all()
    assert db.get(Investor, guests.seat.id).stakes == [
        {"name": "上海影像科技股份有限公司", "credit_code": ""},
        {"name": "康复机器人有限公司", "credit_code": "91310000MA1FL5XQ2K"}]
