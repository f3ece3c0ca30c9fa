"""The pages: a team files an objection and reads the decision; the organisers' desk
lists publications and objections, withdraws and decides."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from contest.models import Objection, Publication
from tests import factories
from tests.judging_setup import read
from tests.objections.publication_setup import Published


@pytest.fixture
def published(db, world, client):  # type: ignore[no-untyped-def]
    arranged = Published(db, world, client)
    assert arranged.confirm().status_code == 200
    assert arranged.publish().status_code == 200
    client.headers.pop("Authorization", None)
    return arranged


def _soup(response):  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.text, "html.parser")


def test_team_files_an_objection_on_the_page(published, client, db, world):
    factories.login(client, world.team)
    url = f"/team/contests/{world.contest.id}/objections"
    [(publication_id,)] = read(db, select(Publication.id))

    empty = client.post(url, data=factories.form(client, {"publication_id": publication_id}))
    filed = client.post(
        url,
        data=factories.form(client, {"publication_id": publication_id, "reason": "S2 的评分有误"}),
        follow_redirects=True,
    )

    assert empty.status_code == 422
    assert _soup(empty).select_one("#f-reason").find_parent(class_="field")["class"] == [
        "field", "has-error"
    ]
    assert filed.status_code == 200
    items = _soup(filed).select(".objection-item .objection-reason")
    assert [p.get_text() for p in items] == ["S2 的评分有误"]
    assert read(db, select(Objection.reason, Objection.state)) == [("S2 的评分有误", "open")]


def test_organiser_decides_and_team_sees_the_decision(published, client, db, world):
    [(publication_id,)] = read(db, select(Publication.id))
    objection = Objection(contest_id=world.contest.id, publication_id=publication_id,
                          filed_by_id=world.team.id, reason="名次有误")
    db.add(objection)
    db.commit()
    factories.login(client, world.organiser)

    desk = client.get(f"/manage/contests/{world.contest.id}/publications")
    decided = client.post(
        f"/manage/objections/{objection.id}/decide",
        data=factories.form(client, {"answer": "已复核", "decision": "rejected",
                                     "reason": "评分无误"}),
        follow_redirects=True,
    )

    assert desk.status_code == 200
    assert _soup(desk).select_one(f"#objection-{objection.id} form") is not None
    assert decided.status_code == 200
    assert read(db, select(Objection.state, Objection.decision_reason, Objection.answer)) == [
        ("rejected", "评分无误", "已复核")
    ]
    client.post("/logout", data=factories.form(client))
    factories.login(client, world.team)
    page = _soup(client.get(f"/team/contests/{world.contest.id}/objections"))
    assert "评分无误" in page.select_one(".objection-decision").get_text()


def test_organiser_withdraws_on_the_desk(published, client, db, world):
    [(publication_id,)] = read(db, select(Publication.id))
    factories.login(client, world.organiser)
    url = f"/manage/publications/{publication_id}/withdraw"

    refused = client.post(url, data=factories.form(client, {"reason": " "}), follow_redirects=False)
    done = client.post(url, data=factories.form(client, {"reason": "更正"}), follow_redirects=False)

    assert refused.status_code == 303
    assert done.status_code == 303
    assert read(db, select(Publication.withdraw_reason)) == [("更正",)]


def test_a_withdraw_reason_too_long_is_refused_on_the_page_not_cut(published, client, db, world):
    [(publication_id,)] = read(db, select(Publication.id))
    factories.login(client, world.organiser)

    answer = client.post(f"/manage/publications/{publication_id}/withdraw",
                         data=factories.form(client, {"reason": "因" * 2001}),
                         follow_redirects=True)

    assert "2000" in answer.text
    assert read(db, select(Publication.withdrawn_at, Publication.withdraw_reason)) == [(None, None)]
