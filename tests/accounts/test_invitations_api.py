"""Judges and investors invited by mail with a set-password link, and links organisers
send to judges and teams (docs/api.md "Notices, accounts and jobs", "Investors")."""

import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from contest.core.enums import Role
from contest.core.security import verify_password
from contest.models import AccountToken, AuditRecord, OutboxMail, User, utcnow
from tests import factories
from tests.factories import PASSWORD
from tests.mail_setup import text_part

NEW_PASSWORD = "a fresh passphrase 7"  # noqa: S105


def link_token(text: str) -> str:
    found = re.search(r"http://testserver/reset/([A-Za-z0-9_-]+)", text)
    assert found, text
    return found.group(1)


def judges_url(world: factories.World) -> str:
    return f"/api/v1/contests/{world.contest.id}/judges"


def invite_judge(client, world, **values):  # type: ignore[no-untyped-def]
    body = {"email": "zhou@vc.cn", "name": "周评委", "institution": "某资本", **values}
    headers = factories.bearer(client, world.organiser)
    return client.post(judges_url(world), json=body, headers=headers)


# Judges invited by mail


def test_a_judge_invited_by_mail_sets_a_password_and_logs_in(
        mail_app, client, make_client, db, world, smtp_server, run_jobs) -> None:
    response = invite_judge(client, world)
    run_jobs()

    assert response.status_code == 201, response.text
    assert not {"password", "generated_password", "invitation_link"} & set(response.json())
    [message] = smtp_server.inbox.wait_for(1)
    assert message["To"] == "zhou@vc.cn"
    assert message["Subject"] == f"[{world.contest.name}] 诚邀您担任大赛评委"
    text = text_part(message)
    assert world.contest.name in text
    token = link_token(text)
    judge_browser = make_client()
    page = BeautifulSoup(judge_browser.get(f"/reset/{token}").text, "html.parser")
    assert page.select_one("h1").get_text(strip=True) == "设置密码"
    assert judge_browser.post("/api/v1/auth/password-reset/confirm",
                              json={"token": token, "password": NEW_PASSWORD}).status_code == 204
    login = judge_browser.post("/api/v1/auth/token",
                               data={"username": "zhou@vc.cn", "password": NEW_PASSWORD})
    assert login.status_code == 200
    me = judge_browser.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"}).json()
    assert (me["role"], me["name"]) == ("judge", "周评委")
    # A first password is no change to warn about: no "your password was changed" mail.
    run_jobs()
    assert [m["To"] for m in smtp_server.inbox.messages] == ["zhou@vc.cn"]
    # The link worked once.
    assert judge_browser.post("/api/v1/auth/password-reset/confirm",
                              json={"token": token, "password": "another passphrase 8"}
                              ).status_code == 422


def test_the_invitation_link_lasts_seven_days(client, db, world) -> None:
    invite_judge(client, world)

    [link] = db.scalars(select(AccountToken)).all()
    assert link.purpose == "invite"
    assert abs(link.expires_at - (utcnow() + timedelta(days=7))) < timedelta(minutes=5)


def test_an_invited_judge_cannot_log_in_before_setting_a_password(client, db, world) -> None:
    invite_judge(client, world)

    account = db.scalars(select(User).where(User.email == "zhou@vc.cn")).one()
    for guess in (PASSWORD, "", "zhou@vc.cn"):
        assert not verify_password(guess, account.password_hash)
    assert client.post("/api/v1/auth/token",
                       data={"username": "zhou@vc.cn", "password": PASSWORD}).status_code == 401


def test_a_judge_with_a_password_typed_by_a_script_can_log_in_at_once(client, world) -> None:
    response = invite_judge(client, world, password=NEW_PASSWORD)

    assert response.status_code == 201
    assert client.post("/api/v1/auth/token",
                       data={"username": "zhou@vc.cn", "password": NEW_PASSWORD}).status_code == 200


def test_without_mail_the_invitation_waits_in_the_outbox_and_nothing_is_shown(
        client, db, world, run_jobs) -> None:
    response = invite_judge(client, world)
    run_jobs()

    assert response.status_code == 201
    assert "reset/" not in response.text
    [mail] = db.scalars(select(OutboxMail).where(OutboxMail.to == "zhou@vc.cn")).all()
    assert (mail.state, mail.secret, mail.contest_id) == ("held", True, world.contest.id)
    factories.login(client, world.organiser)
    outbox = BeautifulSoup(client.get(f"/manage/contests/{world.contest.id}/outbox").text,
                           "html.parser")
    [row] = outbox.select(f"tr[data-mail-id='{mail.id}']")
    subject = row.select_one("summary").get_text(strip=True)
    assert subject == f"[{world.contest.name}] 诚邀您担任大赛评委"
    assert "reset/" not in row.get_text()


def test_adding_an_existing_account_reveals_nothing_about_it(
        mail_app, client, db, world, smtp_server, run_jobs) -> None:
    """One judge account already exists (from another contest, with its own name and
    institution); another address is new. The organiser sees the same answer for both,
    holding only what they typed, and the same row on the outbox page."""
    existing = factories.user(db, Role.judge, email="known@vc.cn", name="真实姓名",
                              institution="真实机构")
    db.commit()
    headers = factories.bearer(client, world.organiser)

    answers = [
        client.post(judges_url(world), headers=headers,
                    json={"email": email, "name": "键入的名字", "expertise": ["医疗器械"]})
        for email in ("known@vc.cn", "new@vc.cn")
    ]
    run_jobs()

    assert [a.status_code for a in answers] == [201, 201]
    known, new = (a.json() for a in answers)
    assert set(known) == set(new)
    for body in (known, new):
        assert (body["name"], body["institution"]) == ("键入的名字", "")
        assert body["expertise"] == ["医疗器械"]
    assert "真实" not in answers[0].text
    # Nothing of the existing account changed: its own password still works.
    db.refresh(existing)
    assert (existing.name, existing.institution) == ("真实姓名", "真实机构")
    assert verify_password(PASSWORD, existing.password_hash)
    assert db.scalars(select(AccountToken).where(AccountToken.user_id == existing.id)).all() == []
    # Both were mailed, under the same subject, and the outbox hides both bodies.
    mails = {m.to: m for m in db.scalars(select(OutboxMail)).all()}
    assert mails["known@vc.cn"].subject == mails["new@vc.cn"].subject
    assert (mails["known@vc.cn"].secret, mails["new@vc.cn"].secret) == (True, True)
    got = {m["To"]: text_part(m) for m in smtp_server.inbox.wait_for(2)}
    assert "http://testserver/login" in got["known@vc.cn"]
    assert "/reset/" not in got["known@vc.cn"]
    assert "/reset/" in got["new@vc.cn"]
    # The audit log the organiser reads says nothing more either.
    log = client.get(f"/api/v1/contests/{world.contest.id}/audit", headers=headers).json()
    added = [row for row in log if row["action"] == "judge.add"]
    assert len(added) == 2
    assert {tuple(sorted(row["detail"]["after"])) for row in added} == {
        tuple(sorted(added[0]["detail"]["after"]))}


def test_an_address_of_another_kind_of_account_is_refused_without_naming_it(
        client, db, world) -> None:
    response = invite_judge(client, world, email=world.team.email)

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-1] == "email"
    assert "团队" not in error["msg"]
    assert world.team.name not in response.text


# Links sent by an organiser


def test_an_organiser_sends_a_judge_a_reset_link(
        mail_app, client, make_client, db, world, smtp_server, run_jobs) -> None:
    judge = world.judges[0]
    account = world.judge_users[0]
    judge_headers = factories.bearer(make_client(), account)

    response = client.post(f"/api/v1/judges/{judge.id}/password-reset",
                           headers=factories.bearer(client, world.organiser))
    run_jobs()

    assert response.status_code == 202
    assert response.json()["mail_configured"] is True
    assert "reset/" not in response.text
    [message] = smtp_server.inbox.wait_for(1)
    assert (message["To"], message["Subject"]) == (
        account.email, f"[{world.contest.name}] 设置密码的链接")
    [link] = db.scalars(select(AccountToken).where(AccountToken.user_id == account.id)).all()
    assert link.purpose == "reset"
    assert abs(link.expires_at - (utcnow() + timedelta(hours=1))) < timedelta(minutes=5)
    [record] = db.scalars(select(AuditRecord).where(AuditRecord.action == "account.send_link"))
    assert (record.actor_id, record.contest_id, record.object_id) == (
        world.organiser.id, world.contest.id, account.id)
    # Using it ends the judge's sessions.
    reset = make_client().post("/api/v1/auth/password-reset/confirm",
                               json={"token": link_token(text_part(message)),
                                     "password": NEW_PASSWORD})
    assert reset.status_code == 204
    assert make_client().get("/api/v1/me", headers=judge_headers).status_code == 401


def test_a_link_sent_before_the_invitation_was_used_is_a_new_invitation(
        mail_app, client, db, world, smtp_server, run_jobs) -> None:
    judge_id = invite_judge(client, world).json()["id"]
    run_jobs()
    first = link_token(text_part(smtp_server.inbox.wait_for(1)[0]))

    client.post(f"/api/v1/judges/{judge_id}/password-reset",
                headers=factories.bearer(client, world.organiser))
    run_jobs()

    second = link_token(text_part(smtp_server.inbox.wait_for(2)[1]))
    [link] = db.scalars(select(AccountToken)).all()
    assert link.purpose == "invite"
    assert link.expires_at - utcnow() > timedelta(days=6)
    assert client.post("/api/v1/auth/password-reset/confirm",
                       json={"token": first, "password": NEW_PASSWORD}).status_code == 422
    assert client.post("/api/v1/auth/password-reset/confirm",
                       json={"token": second, "password": NEW_PASSWORD}).status_code == 204


def test_an_organiser_sends_a_team_a_reset_link(
        mail_app, client, db, world, smtp_server, run_jobs) -> None:
    entry = factories.entry(db, world.contest, world.startup, owner=world.team)
    db.commit()

    response = client.post(f"/api/v1/entries/{entry.id}/password-reset",
                           headers=factories.bearer(client, world.organiser))
    run_jobs()

    assert response.status_code == 202
    [message] = smtp_server.inbox.wait_for(1)
    assert message["To"] == world.team.email
    assert world.contest.name in text_part(message)
    assert client.post("/api/v1/auth/password-reset/confirm",
                       json={"token": link_token(text_part(message)),
                             "password": NEW_PASSWORD}).status_code == 204


def test_without_mail_the_link_is_held_and_not_shown(client, db, world, run_jobs) -> None:
    response = client.post(f"/api/v1/judges/{world.judges[0].id}/password-reset",
                           headers=factories.bearer(client, world.organiser))
    run_jobs()

    assert response.status_code == 202
    assert response.json()["mail_configured"] is False
    assert "未配置邮件服务器" in response.json()["detail"]
    [mail] = db.scalars(select(OutboxMail)).all()
    assert (mail.to, mail.state, mail.secret) == (world.judge_users[0].email, "held", True)


def test_an_entry_without_a_team_account_has_no_one_to_send_to(client, db, world) -> None:
    entry = factories.entry(db, world.contest, world.startup, owner=None)
    db.commit()

    response = client.post(f"/api/v1/entries/{entry.id}/password-reset",
                           headers=factories.bearer(client, world.organiser))

    assert response.status_code == 409
    assert db.scalars(select(OutboxMail)).all() == []


def test_organiser_links_are_throttled_per_account(client, db, world) -> None:
    headers = factories.bearer(client, world.organiser)
    url = f"/api/v1/judges/{world.judges[0].id}/password-reset"

    codes = [client.post(url, headers=headers).status_code for _ in range(6)]

    assert codes == [202] * 5 + [429]
    assert len(db.scalars(select(OutboxMail)).all()) == 5
    other = client.post(f"/api/v1/judges/{world.judges[1].id}/password-reset", headers=headers)
    assert other.status_code == 202


@pytest.mark.parametrize("who", ["other_organiser", "team", "judge"])
def test_only_the_contests_organisers_send_links(client, db, world, who) -> None:
    caller = world.judge_users[1] if who == "judge" else getattr(world, who)
    entry = factories.entry(db, world.contest, world.startup, owner=world.team)
    db.commit()
    headers = factories.bearer(client, caller)

    codes = {
        client.post(f"/api/v1/judges/{world.judges[0].id}/password-reset",
                    headers=headers).status_code,
        client.post(f"/api/v1/entries/{entry.id}/password-reset", headers=headers).status_code,
    }

    assert codes <= {403, 404}
    assert db.scalars(select(OutboxMail)).all() == []


# Investors invited the same way


def investors_url(world: factories.World) -> str:
    return f"/api/v1/contests/{world.contest.id}/investors"


def test_an_investor_invited_by_mail_gets_the_link_by_mail_only(
        mail_app, client, make_client, db, world, smtp_server, run_jobs) -> None:
    response = client.post(investors_url(world), headers=factories.bearer(client, world.organiser),
                           json={"email": "vc@example.com", "name": "李投资",
                                 "organisation": "普陀创投"})
    run_jobs()

    assert response.status_code == 201
    assert response.json()["invitation_link"] is None
    [message] = smtp_server.inbox.wait_for(1)
    assert message["Subject"] == f"[{world.contest.name}] 诚邀您作为投资机构嘉宾参加大赛"
    investor = make_client()
    assert investor.post("/api/v1/auth/password-reset/confirm",
                         json={"token": link_token(text_part(message)),
                               "password": NEW_PASSWORD}).status_code == 204
    login = investor.post("/api/v1/auth/token",
                          data={"username": "vc@example.com", "password": NEW_PASSWORD})
    me = investor.get("/api/v1/me",
                      headers={"Authorization": f"Bearer {login.json()['access_token']}"}).json()
    assert me["role"] == "investor"


def test_an_existing_account_invited_as_investor_gets_no_link_and_keeps_its_password(
        client, db, world, run_jobs) -> None:
    account = factories.user(db, Role.investor, email="known@vc.cn", name="真实姓名")
    db.commit()

    response = client.post(investors_url(world), headers=factories.bearer(client, world.organiser),
                           json={"email": "known@vc.cn", "name": "键入的名字",
                                 "organisation": "普陀创投"})

    assert response.status_code == 201
    assert (response.json()["name"], response.json()["invitation_link"]) == ("键入的名字", None)
    assert "真实" not in response.text
    db.refresh(account)
    assert verify_password(PASSWORD, account.password_hash)
    [mail] = db.scalars(select(OutboxMail)).all()
    assert (mail.kind, mail.secret) == ("investor_added", True)
