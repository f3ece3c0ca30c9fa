"""The contest's notices reach the teams: entry submitted, advancement, awards."""

from sqlmodel import select

from contest.models import OutboxMail
from contest.notices import events
from tests import factories
from tests.awards_setup import arrange_ranked
from tests.entries.test_entries_api import creative_payload
from tests.mail_setup import html_part, text_part
from tests.results.test_advancement_api import Arranged, close


def registration_open(db, world) -> None:
    """Entries are made before the first round opens (the world's preliminary is open)."""
    world.preliminary.opens_at = None
    db.add(world.preliminary)
    db.commit()


def test_a_team_gets_a_mail_when_it_submits_its_entry(mail_app, client, db, world, smtp_server,
                                                     run_jobs):
    registration_open(db, world)
    headers = factories.bearer(client, world.team)
    created = client.post(f"/api/v1/contests/{world.contest.id}/entries",
                          json=creative_payload(), headers=headers)
    assert created.status_code == 201
    run_jobs()
    [message] = smtp_server.inbox.wait_for(1)
    assert message["To"] == "team@example.com"
    assert message["Subject"] == f"[{world.contest.name}] 您的参赛项目“AI辅助病理切片诊断”已提交"
    assert "队长甲，您好" in text_part(message)
    assert 'href="http://testserver/team"' in html_part(message)


def test_an_organiser_adding_an_entry_sends_nothing(client, db, world):
    registration_open(db, world)
    payload = creative_payload()
    answer = client.post(f"/api/v1/contests/{world.contest.id}/entries", json=payload,
                         headers=factories.bearer(client, world.organiser))
    assert answer.status_code == 201
    assert db.scalars(select(OutboxMail)).all() == []


def test_publishing_advancement_tells_every_team(mail_app, client, db, world, smtp_server,
                                                run_jobs):
    arranged = Arranged(db, world)
    world.team.locale = "en"
    db.commit()
    close(db, world)
    factories.sheet(db, world.preliminary, world.judges[1], arranged.s[0], [100],
                    comment="商业模式清晰")
    db.commit()
    headers = factories.bearer(client, world.organiser)
    chosen = arranged.ids(arranged.s[0], arranged.s[1], arranged.c[0], arranged.c[1])
    client.post(arranged.url, json={"entry_ids": chosen, "reason": "x"}, headers=headers)
    assert client.post(f"{arranged.url}/publish", json={"feedback": True},
                       headers=headers).status_code == 200
    run_jobs()
    got = {m["To"]: m for m in smtp_server.inbox.wait_for(7)}
    assert len(got) == 7  # S1's team account and the six leaders the other entries name
    team = text_part(got["team@example.com"])
    assert "advances from preliminary to semifinal" in team
    assert "The judges' feedback: 商业模式清晰" in team
    third = text_part(got[arranged.s[2].leader_email])
    assert "未能晋级下一轮" in third


def test_publishing_awards_sends_each_winner_its_certificate_link(mail_app, client, db, world,
                                                                 smtp_server, run_jobs):
    ranked = arrange_ranked(db, world)
    headers = factories.bearer(client, world.organiser)
    client.post(ranked.url, json={}, headers=headers)
    published = client.post(f"{ranked.url}/publish", headers=headers).json()
    run_jobs()
    got = {m["To"]: m for m in smtp_server.inbox.wait_for(len(published))}
    assert len(got) == len(published) == 10
    gold = next(a for a in published if a["entry_id"] == ranked.s[0].id)
    text = text_part(got[ranked.s[0].leader_email])
    assert "创业组 金奖" in text
    assert f"http://testserver/verify/{gold['certificate_code']}" in text


def test_objection_decided_for_the_objections_feature(db, world):
    mail = events.objection_decided(
        db, to="team@example.com", name="队长甲", language="zh", contest_id=world.contest.id,
        entry_title="智能康复机器人", decision="异议成立，重新评审", reason="评分记录有误",
        link="http://testserver/team",
    )
    assert mail.subject == f"[{world.contest.name}] 关于“智能康复机器人”的异议已有处理结果"
    assert "异议成立，重新评审" in mail.text
    assert "理由：评分记录有误" in mail.text
