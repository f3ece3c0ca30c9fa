"""Accounts in browsers, with mail read off a real SMTP server (aiosmtpd): a judge is
invited, sets a password from the mailed link, logs in and gets a reminder; a team
registers, confirms its address, submits an entry and receives its mails; a password is
reset and the old browser session ends (docs/rules.md, README.md "Accounts")."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from contest.models import Judge, User
from tests import factories
from tests.mail_setup import html_part, text_part

NEW_PASSWORD = "a fresh passphrase 7"  # noqa: S105


@pytest.fixture
def mailed(mail_app, live_server):  # type: ignore[no-untyped-def]
    """Mail configured to the test SMTP server, links in mails pointing at the live server."""
    mail_app.state.settings.base_url = live_server
    return live_server


def link_in(message, base: str, kind: str) -> str:  # type: ignore[no-untyped-def]
    """The {base}/{kind}/{token} link of a mail (the same in its text and HTML parts)."""
    found = re.search(rf"{re.escape(base)}/{kind}/[A-Za-z0-9_-]+", text_part(message))
    assert found, text_part(message)
    assert found.group(0) in html_part(message)
    return found.group(0)


def log_in(page, base: str, email: str, password: str, landing: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{base}{landing}")


def test_a_judge_is_invited_sets_a_password_logs_in_and_is_reminded(
    mailed, new_context, screenshot, db, world, smtp_server, run_jobs
) -> None:  # type: ignore[no-untyped-def]
    base = mailed
    entry = factories.entry(db, world.contest, world.creative, owner=world.team,
                            rounds=(world.preliminary,), institution="复旦大学")
    db.commit()

    # The organiser adds the judge by name and address only: no password to choose.
    organiser = new_context().new_page()
    log_in(organiser, base, world.organiser.email, factories.PASSWORD, "/manage")
    organiser.goto(f"{base}/manage/contests/{world.contest.id}/judges")
    organiser.fill("#f-name", "周评委")
    organiser.fill("#f-email", "zhou@vc.cn")
    organiser.fill("#f-institution", "某资本")
    organiser.get_by_role("button", name="添加并邀请").click()
    added = "已添加 1 位评委，并已向每位评委发送邀请邮件。"
    expect(organiser.locator(".flash").first).to_have_text(added)
    expect(organiser.locator("main")).not_to_contain_text("密码：")
    screenshot(organiser, "1-judges-page")
    run_jobs()

    [invitation] = smtp_server.inbox.wait_for(1)
    assert invitation["To"] == "zhou@vc.cn"
    assert invitation["Subject"] == f"[{world.contest.name}] 诚邀您担任大赛评委"
    link = link_in(invitation, base, "reset")

    # The judge opens the link on a phone, sets a password and logs in.
    judge = new_context(phone=True).new_page()
    judge.goto(link)
    expect(judge.locator("h1")).to_have_text("设置密码")
    screenshot(judge, "2-set-password-phone")
    judge.fill("input[name=password]", "12345678")
    judge.click("form.stack button[type=submit]")
    expect(judge.locator("#f-password ~ p.error, .flash-error").first).to_be_visible()
    judge.fill("input[name=password]", NEW_PASSWORD)
    judge.click("form.stack button[type=submit]")
    judge.wait_for_url(f"{base}/login")
    expect(judge.locator(".flash").first).to_have_text("密码已设置，请用它登录。")
    log_in(judge, base, "zhou@vc.cn", NEW_PASSWORD, "/judge")
    screenshot(judge, "3-judge-home-phone")

    # The organiser assigns an entry and reminds the judges who have sheets to submit.
    db.rollback()
    seat = db.scalars(
        select(Judge).join(User, User.id == Judge.user_id).where(User.email == "zhou@vc.cn")
    ).one()
    factories.assign(db, world.preliminary, seat, entry)
    db.commit()
    organiser.goto(f"{base}/manage/rounds/{world.preliminary.id}/progress")
    organiser.once("dialog", lambda dialog: dialog.accept())  # mails go out: it asks first
    organiser.locator("form.reminder-send button[type=submit]").click()
    expect(organiser.locator(".flash").first).to_contain_text("已为")
    run_jobs()

    mails = smtp_server.inbox.wait_for(2)
    reminders = [m for m in smtp_server.inbox.to("zhou@vc.cn") if m is not invitation]
    assert len(mails) >= 2
    assert len(reminders) == 1
    assert "/reset/" not in text_part(reminders[0])
    assert world.contest.name in reminders[0]["Subject"]


def test_a_team_registers_confirms_submits_and_gets_its_mails(
    mailed, new_context, screenshot, db, world, smtp_server, run_jobs
) -> None:  # type: ignore[no-untyped-def]
    base = mailed
    world.preliminary.opens_at = None  # registration: no round has opened yet
    db.add(world.preliminary)
    db.commit()
    page = new_context().new_page()

    page.goto(f"{base}/register")
    page.fill("input[name=name]", "陈晨")
    page.fill("input[name=email]", "chen@example.com")
    page.fill("input[name=password]", NEW_PASSWORD)
    page.check("#f-privacy_consent")
    page.click("form.stack button[type=submit]")
    expect(page.locator("main")).to_contain_text("chen@example.com")
    run_jobs()
    [confirmation] = smtp_server.inbox.wait_for(1)
    assert confirmation["To"] == "chen@example.com"

    page.goto(link_in(confirmation, base, "confirm"))
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{base}/login")
    log_in(page, base, "chen@example.com", NEW_PASSWORD, "/team")

    page.click(f"a[href='/team/contests/{world.contest.id}/enter']")
    page.check("input[name=track_code][value=creative]")
    page.fill("input[name=title]", "智能可穿戴心电监测")
    page.fill("textarea[name=summary]", "面向基层医疗机构的低成本、可穿戴心电监测方案。")
    page.fill("input[name=city]", "上海")
    page.fill("input[name=institution]", "复旦大学")
    page.fill("input[name=leader_phone]", "138 0013 8000")
    page.fill("textarea[name=members]", "李雷\n韩梅梅")
    page.check("#f-privacy_consent")
    page.get_by_role("button", name="提交报名").click()
    page.wait_for_url(re.compile(r".*/team.*"))
    run_jobs()

    got = smtp_server.inbox.wait_for(2)
    assert [m["To"] for m in got] == ["chen@example.com", "chen@example.com"]
    assert "智能可穿戴心电监测" in text_part(got[1])
    assert world.contest.name in got[1]["Subject"]


def test_a_reset_password_ends_the_old_browser_session(
    mailed, new_context, screenshot, db, world, smtp_server, run_jobs
) -> None:  # type: ignore[no-untyped-def]
    base = mailed
    old = new_context().new_page()
    log_in(old, base, world.team.email, factories.PASSWORD, "/team")

    fresh = new_context(phone=True).new_page()
    fresh.goto(f"{base}/login")
    fresh.click("a[href='/forgot']")
    fresh.fill("input[name=email]", world.team.email)
    fresh.click("form.stack button[type=submit]")
    run_jobs()
    [reset] = smtp_server.inbox.wait_for(1)
    fresh.goto(link_in(reset, base, "reset"))
    expect(fresh.locator("h1")).to_have_text("设置新密码")
    fresh.fill("input[name=password]", NEW_PASSWORD)
    fresh.click("form.stack button[type=submit]")
    fresh.wait_for_url(f"{base}/login")
    log_in(fresh, base, world.team.email, NEW_PASSWORD, "/team")

    old.goto(f"{base}/team")
    old.wait_for_url(re.compile(rf"{re.escape(base)}/login.*"))
    expect(old.locator("#f-password")).to_be_visible()
    screenshot(old, "old-session-sent-to-log-in")
