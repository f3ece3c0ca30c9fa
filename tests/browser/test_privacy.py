"""The organiser's privacy pages in Chromium, on a laptop and on a phone: editing the
contest's notice makes version 2; after the contest, a team's personal data is erased
from its page once the confirmation is accepted."""

import pytest
from sqlalchemy import select

from contest.core.enums import ContestStatus
from contest.models import AuditRecord, Entry
from tests import factories
from tests.browser.layout import assert_no_sideways_scroll


def login(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("#f-email", email)
    page.fill("#f-password", factories.PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{base}/manage")


@pytest.mark.parametrize("phone", [False, True], ids=["1280", "375"])
def test_organiser_edits_the_notice_and_erases_a_teams_data(
    live_server, new_context, screenshot, db, world, settings, phone: bool
) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team, title="心电贴片")
    entry.leader_phone = "+85291234567"
    factories.document(db, entry, settings)
    db.commit()
    page = new_context(phone=phone).new_page()
    login(page, live_server, world.organiser.email)

    page.goto(f"{live_server}/manage/contests/{world.contest.id}/privacy")
    assert world.contest.name in page.input_value("#f-text_zh")
    assert_no_sideways_scroll(page)
    screenshot(page, "1-notice-editor")
    page.fill("#f-text_zh", "本届大赛隐私声明（第二版）：联系人 张老师 021-12345678。")
    with page.expect_navigation():
        page.click("form.card button[type=submit]")
    assert "2" in page.locator("h1 .badge").inner_text()
    screenshot(page, "2-notice-saved")

    world.contest.status = ContestStatus.finished
    db.add(world.contest)
    db.commit()
    page.goto(f"{live_server}/manage/entries/{entry.id}")
    page.click(f"a[href='/manage/entries/{entry.id}/personal-data']")
    assert "+852 9123 4567" in page.locator("td[data-label]").nth(2).inner_text()
    assert_no_sideways_scroll(page)
    screenshot(page, "3-personal-data")
    page.fill("#f-reason", "团队书面申请删除")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("form[data-confirm] button[type=submit]")
    assert "已删除" in page.locator("tbody").inner_text()
    screenshot(page, "4-erased")

    db.expire_all()
    erased = db.get(Entry, entry.id)
    assert (erased.leader_name, erased.leader_phone) == ("已删除", "")
    record = db.scalars(
        select(AuditRecord).where(AuditRecord.action == "personal_data.erase")
    ).one()
    assert record.reason == "团队书面申请删除"
