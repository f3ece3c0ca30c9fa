"""The pages of invitations and organisers' links: the set-password page's words, the
judges page's and the entry page's "send a password link" buttons."""

from bs4 import BeautifulSoup
from sqlalchemy import select

from contest.models import AuditRecord, OutboxMail
from tests import factories


def page_of(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.text, "html.parser")


def flash(page: BeautifulSoup) -> str:
    found = page.select_one(".flash")
    assert found is not None, page.text[:500]
    return found.get_text(strip=True)


def test_the_invitation_link_opens_set_your_password_and_a_reset_link_choose_a_new_one(
        client, make_client, db, world) -> None:
    from contest.accounts import links

    invited = factories.user(db, "judge", email="new@vc.cn")
    invite = links.issue(db, invited, "invite")
    reset = links.issue(db, world.team, "reset")
    db.commit()
    browser = make_client()

    invite_page = page_of(browser.get(f"/reset/{invite}"))
    reset_page = page_of(browser.get(f"/reset/{reset}"))

    assert invite_page.select_one("h1").get_text(strip=True) == "设置密码"
    assert invite_page.select_one("title").get_text().startswith("设置密码")
    assert reset_page.select_one("h1").get_text(strip=True) == "设置新密码"


def test_setting_the_password_from_the_invitation_page_lets_the_judge_log_in(
        client, db, world) -> None:
    from contest.accounts import links

    invited = factories.user(db, "judge", email="new@vc.cn")
    token = links.issue(db, invited, "invite")
    db.commit()

    done = client.post(f"/reset/{token}",
                       data=factories.form(client, {"password": "a fresh passphrase 7"}))

    assert flash(page_of(done)) == "密码已设置，请用它登录。"
    login = client.post("/login", data=factories.form(
        client, {"email": "new@vc.cn", "password": "a fresh passphrase 7"}),
        follow_redirects=False)
    assert (login.status_code, login.headers["location"]) == (303, "/judge")


def test_a_weak_password_on_the_invitation_page_keeps_its_words(client, db, world) -> None:
    from contest.accounts import links

    invited = factories.user(db, "judge", email="new@vc.cn")
    token = links.issue(db, invited, "invite")
    db.commit()

    refused = client.post(f"/reset/{token}", data=factories.form(client, {"password": "12345678"}))

    assert refused.status_code == 422
    page = page_of(refused)
    assert page.select_one("h1").get_text(strip=True) == "设置密码"
    assert page.select_one("input[name=password]")


def test_the_judges_page_button_mails_the_judge_a_link(client, db, world) -> None:
    factories.login(client, world.organiser)
    judge = world.judges[0]
    page = page_of(client.get(f"/manage/contests/{world.contest.id}/judges"))
    form = page.select_one(f"form[action='/manage/judges/{judge.id}/password-reset']")
    assert form is not None
    assert form.select_one("button").get_text(strip=True) == "发送密码链接"

    done = client.post(f"/manage/judges/{judge.id}/password-reset", data=factories.form(client))

    assert done.url.path == f"/manage/contests/{world.contest.id}/judges"
    assert "未配置邮件服务器" in flash(page_of(done))
    [mail] = db.scalars(select(OutboxMail)).all()
    assert (mail.to, mail.kind) == (world.judge_users[0].email, "password_reset_by_organiser")
    assert db.scalars(select(AuditRecord).where(AuditRecord.action == "account.send_link")).one()


def test_the_entry_page_button_mails_the_team_a_link(client, db, world) -> None:
    entry = factories.entry(db, world.contest, world.startup, owner=world.team)
    typed_in = factories.entry(db, world.contest, world.startup, owner=None)
    db.commit()
    factories.login(client, world.organiser)

    page = page_of(client.get(f"/manage/entries/{entry.id}"))
    assert page.select_one(f"form[action='/manage/entries/{entry.id}/password-reset'] button")
    other = page_of(client.get(f"/manage/entries/{typed_in.id}"))
    assert other.select_one("form[action$='/password-reset']") is None
    done = client.post(f"/manage/entries/{entry.id}/password-reset", data=factories.form(client))

    assert done.url.path == f"/manage/entries/{entry.id}"
    [mail] = db.scalars(select(OutboxMail)).all()
    assert mail.to == world.team.email


def test_the_button_says_so_when_throttled(client, db, world) -> None:
    factories.login(client, world.organiser)
    url = f"/manage/judges/{world.judges[0].id}/password-reset"

    for _ in range(5):
        client.post(url, data=factories.form(client))
    refused = client.post(url, data=factories.form(client))

    assert flash(page_of(refused)) == "尝试次数过多，请 15 分钟后再试。"
    assert len(db.scalars(select(OutboxMail)).all()) == 5
