"""A team goes from the home page to a submitted entry with its PDF, on a phone (375 px)."""

from pathlib import Path

import pytest
from sqlalchemy import select

from contest.core.enums import EntryStatus
from contest.models import Document, Entry, User
from tests import factories
from tests.browser.layout import assert_no_sideways_scroll

WORDS = {
    "zh": {
        "register": "注册团队",
        "create": "创建账号",
        "submit": "提交报名",
        "upload": "上传",
        "plan_ok": "已上传商业计划书",
        "check": "校验码",
    },
    "en": {
        "register": "Register a team",
        "create": "Create account",
        "submit": "Submit entry",
        "upload": "Upload",
        "plan_ok": "Business plan uploaded",
        "check": "check character",
    },
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_team_registers_enters_and_uploads_on_a_phone(
    live_server, new_context, screenshot, db, world, tmp_path: Path, lang: str
) -> None:
    words = WORDS[lang]
    world.preliminary.opens_at = None  # registration: no round has opened yet
    db.add(world.preliminary)
    db.commit()
    plan = tmp_path / "商业计划书.pdf"
    plan.write_bytes(factories.pdf_bytes("商业计划书", pages=3))
    page = new_context(phone=True, locale="zh-CN" if lang == "zh" else "en-US").new_page()
    page.goto(f"{live_server}/lang/{lang}")
    screenshot(page, "1-home")

    page.locator("main a[href='/register']").first.click()
    page.fill("input[name=name]", "陈晨")
    page.fill("input[name=email]", f"chen-{lang}@example.com")
    page.fill("input[name=password]", "a long enough password")
    page.locator(".consent-notice summary").click()  # the notice unfolds on the form
    assert "PIPL" in page.locator(".consent-text").inner_text() or "个人信息保护法" in \
        page.locator(".consent-text").inner_text()
    screenshot(page, "1b-register-consent")
    page.check("#f-privacy_consent")
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    assert page.url.endswith("/team")
    screenshot(page, "2-dashboard-empty")

    page.click(f"a[href='/team/contests/{world.contest.id}/enter']")
    assert page.locator("[data-company-fields]").is_visible()
    page.check("input[name=track_code][value=creative]")
    assert not page.locator("[data-company-fields]").is_visible()
    page.check("input[name=track_code][value=startup]")
    page.fill("input[name=title]", f"智能可穿戴心电监测 {lang}")
    page.fill("textarea[name=summary]", "面向基层医疗机构的低成本、可穿戴心电监测方案。")
    page.fill("input[name=field]", "医疗器械")
    page.fill("input[name=city]", "上海")
    page.fill("input[name=institution]", "复旦大学")
    page.fill("input[name=leader_phone]", "138 0013 8000")
    page.fill("textarea[name=members]", "李雷\n韩梅梅")
    page.fill("input[name=company_name]", "上海心联医疗科技有限公司")
    page.fill("input[name=credit_code]", "91310000MA1FL4B24H")  # one character mistyped
    page.fill("input[name=founded_on]", "2021-05-01")
    page.check("#f-privacy_consent")
    screenshot(page, "3-entry-form")
    with page.expect_navigation():
        page.get_by_role("button", name=words["submit"]).click()

    error = page.locator("#f-credit_code ~ p.error")
    assert words["check"] in error.inner_text()
    assert_no_sideways_scroll(page)
    screenshot(page, "4-entry-form-error")
    page.fill("input[name=credit_code]", "91310000ma1fl4b24g")
    with page.expect_navigation():
        page.get_by_role("button", name=words["submit"]).click()
    assert "/team" in page.url
    screenshot(page, "5-dashboard-entered")

    page.set_input_files("input[type=file]", str(plan))
    with page.expect_navigation():
        page.locator("form.upload-form button[type=submit]").click(no_wait_after=True)

    card = page.locator("article.entry-card")
    assert card.locator(".doc-main a").inner_text() == "商业计划书.pdf"
    assert words["plan_ok"] in card.locator(".entry-badges").inner_text()
    assert_no_sideways_scroll(page)
    screenshot(page, "6-dashboard-with-plan")
    team = db.scalars(select(User).where(User.email == f"chen-{lang}@example.com")).one()
    entry = db.scalars(select(Entry).where(Entry.owner_id == team.id)).one()
    assert (entry.credit_code, entry.leader_phone) == ("91310000MA1FL4B24G", "+8613800138000")
    assert (team.privacy_version, entry.privacy_version) == (1, 1)
    document = db.scalars(select(Document).where(Document.entry_id == entry.id)).one()
    assert document.size == plan.stat().st_size
    response = page.request.get(f"{live_server}/documents/{document.id}?inline=1")
    assert response.headers["content-type"] == "application/pdf"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_organiser_entry_pages_at_desktop_and_phone(
    live_server, new_context, screenshot, db, world, settings, tmp_path: Path, lang: str
) -> None:
    bad_csv = tmp_path / "报名表.csv"
    bad_csv.write_text(
        "track_code,title,summary,institution,city,leader_name,leader_phone,credit_code\n"
        "startup,心电贴片,简介,复旦大学,上海,王五,13800138000,91310000MA1FL4B24H\n"
        "creative,,简介,复旦大学,上海,赵六,123,\n",
        encoding="utf-8-sig",
    )
    for n, (track, title) in enumerate(
        [
            (world.startup, "智能可穿戴心电监测系统"),
            (world.creative, "AI辅助病理切片诊断"),
            (world.creative, "新型mRNA疫苗递送平台（一个很长的项目名称用来检查换行效果）"),
        ]
    ):
        item = factories.entry(
            db,
            world.contest,
            track,
            title=title,
            rounds=(world.preliminary,),
            company_name="上海心联医疗科技有限公司" if n == 0 else "",
            credit_code="91310000MA1FL4B24G" if n == 0 else "",
        )
        if n != 1:
            factories.document(db, item, settings, filename=f"{title}.pdf")
    factories.enrol(db, world.semifinal, item, EntryStatus.in_)
    db.commit()
    for phone in (False, True):
        page = new_context(phone=phone).new_page()
        page.goto(f"{live_server}/lang/{lang}")
        page.goto(f"{live_server}/login")
        page.fill("input[name=email]", world.organiser.email)
        page.fill("input[name=password]", factories.PASSWORD)
        with page.expect_navigation():
            page.click("form.stack button[type=submit]")
        size = "phone" if phone else "desktop"
        page.goto(f"{live_server}/manage/contests/{world.contest.id}/entries")
        assert page.locator("table.entries-table tbody tr").count() == 3
        screenshot(page, f"{size}-1-list")
        page.locator("table.entries-table td.title-cell a").first.click()
        page.wait_for_load_state()
        screenshot(page, f"{size}-2-detail")
        page.goto(f"{live_server}/manage/contests/{world.contest.id}/entries/import")
        screenshot(page, f"{size}-3-import")
        page.set_input_files("input[type=file]", str(bad_csv))
        page.fill("input[name=late_reason]", "组委会同意补录")  # the preliminary is open
        with page.expect_navigation():
            page.locator("form.upload-form button[type=submit]").click(no_wait_after=True)
        assert page.locator("table.import-errors tbody tr").count() == 4
        screenshot(page, f"{size}-4-import-errors")
        assert_no_sideways_scroll(page)
