"""最终: once a publication's objection window is over with no objection still open, it is
final, and the API, the public results page and the 公示 PDF say so; an objection still
open after the window keeps it from being final until it is decided."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select, update

from contest.models import Objection, Publication, utcnow
from tests import factories
from tests.awards.test_announcement_api import text_of
from tests.judging_setup import read
from tests.objections.publication_setup import Published


@pytest.fixture
def finalists(db, world, client):  # type: ignore[no-untyped-def]
    """The semifinal's list (the finalists) published, and its window over."""
    world.semifinal.advance_count = {"startup": 2}
    arranged = Published(db, world, client, world.semifinal)
    assert arranged.confirm().status_code == 200
    assert arranged.publish().status_code == 200
    return arranged


def _close_window(db) -> None:  # type: ignore[no-untyped-def]
    db.execute(update(Publication).values(objections_close_at=utcnow() - timedelta(minutes=1)))
    db.commit()


def _public(client, world):  # type: ignore[no-untyped-def]
    page = BeautifulSoup(client.get(f"/results/{world.contest.id}").text, "html.parser")
    pdf = client.get(f"/api/v1/contests/{world.contest.id}/results.pdf?list=finalists")
    return page.select_one(".publication-line").get_text(" ", strip=True), text_of(pdf.content)


def test_window_over_without_objections_is_final(finalists, client, db, world):
    _close_window(db)

    [item] = finalists.publications()
    line, pdf = _public(client, world)

    assert item["final"] is True
    assert line.startswith("最终")
    assert "本结果为最终结果" in line
    assert "本名单为最终结果。" in pdf


def test_an_open_objection_keeps_it_from_being_final_until_decided(finalists, client, db, world):
    [item] = finalists.publications()
    filed = client.post(
        f"/api/v1/contests/{world.contest.id}/objections",
        json={"publication_id": item["id"], "reason": "S3 的分数有误"},
        headers=finalists.team,
    )
    _close_window(db)

    pending = finalists.publications()[0]["final"]
    line, pdf = _public(client, world)
    decided = client.post(
        f"/api/v1/objections/{filed.json()['id']}/decide",
        json={"decision": "rejected", "reason": "经复核分数无误"},
        headers=finalists.organiser,
    )
    after = finalists.publications()[0]["final"]

    assert filed.status_code == 201
    assert pending is False
    assert "公示期已结束，异议正在处理中。" in line
    assert "最终结果" not in pdf
    assert decided.status_code == 200
    assert after is True
    assert read(db, select(Objection.state)) == [("rejected",)]


def test_audit_log_names_publication_and_objection_steps(finalists, client, db, world):
    [item] = finalists.publications()
    filed = client.post(
        f"/api/v1/contests/{world.contest.id}/objections",
        json={"publication_id": item["id"], "reason": "S3 的分数有误"},
        headers=finalists.team,
    )
    client.post(
        f"/api/v1/objections/{filed.json()['id']}/decide",
        json={"decision": "upheld", "reason": "S3 的分数录入有误"},
        headers=finalists.organiser,
    )
    client.post(
        f"/api/v1/publications/{item['id']}/withdraw", json={"reason": "更正 S3 的分数"},
        headers=finalists.organiser,
    )
    client.headers.pop("Authorization", None)
    factories.login(client, world.organiser)

    page = BeautifulSoup(
        client.get(f"/manage/contests/{world.contest.id}/audit").text, "html.parser"
    )

    labels = {a["title"]: a.get_text(strip=True) for a in page.select(".audit-action")}
    assert labels["publication.publish"] == "发布公示"
    assert labels["objection.file"] == "提出异议"
    assert labels["objection.decide"] == "处理异议"
    assert labels["publication.withdraw"] == "撤回公示"
