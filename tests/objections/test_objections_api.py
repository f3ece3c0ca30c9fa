"""Objections (异议) through the API, as docs/api.md "Publication, objections and sealed
rounds" says: a team files one against a standing publication within its window, with an
optional PDF; organisers see all, a team its own; the organisers decide, and the filer
gets a mail in its own language and sees the decision on its dashboard."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from contest.models import Objection, Publication, utcnow
from tests import factories
from tests.judging_setup import read
from tests.mail_setup import text_part
from tests.objections.publication_setup import Published


@pytest.fixture
def published(db, world, client):  # type: ignore[no-untyped-def]
    arranged = Published(db, world, client)
    assert arranged.confirm().status_code == 200
    assert arranged.publish().status_code == 200
    return arranged


def _url(world) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/contests/{world.contest.id}/objections"


def _file(client, world, headers, **body):  # type: ignore[no-untyped-def]
    return client.post(_url(world), json=body, headers=headers)


def _publication_id(db) -> int:  # type: ignore[no-untyped-def]
    [(publication_id,)] = read(db, select(Publication.id))
    return publication_id


def _decision_mail(smtp_server):  # type: ignore[no-untyped-def]
    """The one mail about an objection (publishing the list mailed every team before)."""
    return [m for m in smtp_server.inbox.wait_for(1)
            if "objection" in str(m["Subject"]) or "异议" in str(m["Subject"])]


def test_team_files_an_objection_naming_an_entry(published, client, db, world):
    publication_id = _publication_id(db)
    s2 = published.entries[1]

    filed = _file(client, world, published.team, publication_id=publication_id,
                  entry_id=s2.id, reason="S2 的第二位评委漏评一项")

    assert filed.status_code == 201
    body = filed.json()
    assert body["state"] == "open"
    assert (body["publication_id"], body["entry_id"]) == (publication_id, s2.id)
    assert body["reason"] == "S2 的第二位评委漏评一项"
    assert body["decision_reason"] is None


def test_empty_reason_is_422_naming_reason(published, client, db, world):
    answer = _file(client, world, published.team, publication_id=_publication_id(db),
                   reason="   ")

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][-1] == "reason"


def test_objection_after_the_window_is_409(published, client, db, world):
    item = db.get(Publication, _publication_id(db))
    item.objections_close_at = utcnow() - timedelta(minutes=1)
    db.add(item)
    db.commit()

    late = _file(client, world, published.team, publication_id=item.id, reason="迟到的异议")

    assert late.status_code == 409
    assert read(db, select(Objection.id)) == []


def test_objection_to_a_withdrawn_publication_is_409(published, client, db, world):
    publication_id = _publication_id(db)
    withdrawn = client.post(f"/api/v1/publications/{publication_id}/withdraw",
                            json={"reason": "计分有误"}, headers=published.organiser)

    answer = _file(client, world, published.team, publication_id=publication_id,
                   reason="名次有误")

    assert withdrawn.status_code == 200
    assert answer.status_code == 409


def test_evidence_is_a_pdf(published, client, db, world):
    filed = _file(client, world, published.team, publication_id=_publication_id(db),
                  reason="附评分表照片").json()
    url = f"/api/v1/objections/{filed['id']}/documents"

    not_pdf = client.post(url, files={"file": ("a.pdf", b"hello", "application/pdf")},
                          headers=published.team)
    pdf = client.post(url, files={"file": ("评分表.pdf", factories.pdf_bytes("x"),
                                           "application/pdf")}, headers=published.team)

    assert not_pdf.status_code == 422
    assert pdf.status_code == 201
    assert pdf.json()["document"] == "评分表.pdf"
    got = client.get(f"/api/v1/objections/{filed['id']}/document", headers=published.organiser)
    assert got.status_code == 200
    assert got.content.startswith(b"%PDF")


def test_organisers_see_all_a_team_its_own(published, client, db, world):
    publication_id = _publication_id(db)
    other = factories.bearer(client, world.other_team)
    mine = _file(client, world, published.team, publication_id=publication_id, reason="甲的异议")
    theirs = _file(client, world, other, publication_id=publication_id, reason="乙的异议")

    team_sees = client.get(_url(world), headers=published.team).json()
    organiser_sees = client.get(_url(world), headers=published.organiser).json()

    assert [o["reason"] for o in team_sees] == ["甲的异议"]
    assert [o["id"] for o in organiser_sees] == [mine.json()["id"], theirs.json()["id"]]
    fields = {"id", "publication_id", "entry_id", "reason", "state", "decision_reason"}
    assert all(fields <= set(row) for row in organiser_sees)
    stranger = client.get(_url(world), headers=factories.bearer(client, world.other_organiser))
    assert stranger.status_code == 404


def test_decide_needs_a_decision_and_a_reason(published, client, db, world):
    filed = _file(client, world, published.team, publication_id=_publication_id(db),
                  reason="名次有误").json()
    url = f"/api/v1/objections/{filed['id']}/decide"

    no_reason = client.post(url, json={"decision": "upheld", "reason": ""},
                            headers=published.organiser)
    bad = client.post(url, json={"decision": "maybe", "reason": "x"},
                      headers=published.organiser)
    by_team = client.post(url, json={"decision": "upheld", "reason": "x"},
                          headers=published.team)

    assert no_reason.status_code == 422
    assert no_reason.json()["detail"][0]["loc"][-1] == "reason"
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][-1] == "decision"
    assert by_team.status_code in (403, 404)
    assert read(db, select(Objection.state)) == [("open",)]


def test_decision_mails_the_filer_in_chinese(mail_app, published, client, db, world,
                                             smtp_server, run_jobs):
    s2 = published.entries[1]
    filed = _file(client, world, published.team, publication_id=_publication_id(db),
                  entry_id=s2.id, reason="S2 的分数计算有误").json()

    decided = client.post(f"/api/v1/objections/{filed['id']}/decide",
                          json={"decision": "upheld", "reason": "复核后确认第二位评委漏评"},
                          headers=published.organiser)
    again = client.post(f"/api/v1/objections/{filed['id']}/decide",
                        json={"decision": "rejected", "reason": "改判"},
                        headers=published.organiser)
    run_jobs()

    assert decided.status_code == 200
    assert decided.json()["state"] == "upheld"
    assert decided.json()["decision_reason"] == "复核后确认第二位评委漏评"
    assert again.status_code == 409
    [message] = _decision_mail(smtp_server)
    assert message["To"] == "team@example.com"
    assert message["Subject"] == f"[{world.contest.name}] 关于“S2”的异议已有处理结果"
    text = text_part(message)
    assert "异议成立" in text
    assert "理由：复核后确认第二位评委漏评" in text
    assert f"/team/contests/{world.contest.id}/objections#objection-{filed['id']}" in text


def test_decision_mail_follows_the_filers_language(mail_app, published, client, db, world,
                                                   smtp_server, run_jobs):
    world.team.locale = "en"
    db.add(world.team)
    db.commit()
    filed = _file(client, world, published.team, publication_id=_publication_id(db),
                  reason="The list is wrong").json()

    client.post(f"/api/v1/objections/{filed['id']}/decide",
                json={"decision": "rejected", "reason": "Scores checked, no error"},
                headers=published.organiser)
    run_jobs()

    [message] = _decision_mail(smtp_server)
    text = text_part(message)
    assert "the objection is rejected" in text
    assert "the advancement list of" in message["Subject"]
    assert "Scores checked, no error" in text


def test_dashboard_links_to_objections_and_shows_the_decision(published, client, db, world):
    filed = _file(client, world, published.team, publication_id=_publication_id(db),
                  reason="名次有误").json()
    client.post(f"/api/v1/objections/{filed['id']}/decide",
                json={"decision": "rejected", "reason": "评分无误，维持原名单"},
                headers=published.organiser)
    client.headers.pop("Authorization", None)
    factories.login(client, world.team)

    page = BeautifulSoup(client.get("/team").text, "html.parser")

    box = page.select_one(f"#objections-{world.contest.id}")
    assert box is not None
    links = [a["href"] for a in box.select("a")]
    assert f"/team/contests/{world.contest.id}/objections" in links
    assert "评分无误，维持原名单" in box.select_one(".objection-decision").get_text()
