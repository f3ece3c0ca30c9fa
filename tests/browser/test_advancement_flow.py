"""An organiser looks at a round's results, compares with z-scores, settles a boundary
tie and confirms advancement, then publishes; on a phone and on a desktop, in Chinese
and in English (screenshots in test-artifacts/)."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlmodel import Session

from contest.models import RoundEntry, utcnow
from tests import factories
from tests.browser.layout import assert_no_sideways_scroll
from tests.factories import World
from tests.judging_setup import read

STARTUP = [
    ("靶向递送纳米药物平台", "复旦大学", [86.5, 88.0, 84.0, 91.5, 79.0]),
    ("基于AI的眼底影像筛查系统", "上海交通大学", [84.0, 85.5, 83.0, 86.0, 82.5]),
    ("可穿戴连续血糖监测贴片", "同济大学", [80.0, 75.5, 90.0, 60.0, 82.5]),
    ("术中快速病理诊断仪", "华东师范大学", [78.0, 77.5, 80.5, 76.0, 79.0]),
    ("基层慢病管理数字平台", "上海大学", [72.0, 70.5, 74.0, 69.0, 71.5]),
]
CREATIVE = [
    ("老年认知障碍早筛小程序", "上海中医药大学", [88.0, 86.0, 87.5, 85.0, 89.0]),
    ("新型可降解止血材料", "东华大学", [80.0, 80.0, 80.0, 80.0, 80.0]),
    ("儿童哮喘智能雾化器", "上海理工大学", [80.0, 80.0, 80.0, 80.0, 80.0]),
    ("中药活性成分高通量筛选", "华东理工大学", [70.0, 73.5, 68.0, 75.0, 71.0]),
]
MAXIMA = (300, 250, 200, 150, 100)


def split(total: int) -> list[int]:
    values, left = [], total
    for most in MAXIMA:
        values.append(min(most, left))
        left -= values[-1]
    return values


@pytest.fixture
def arranged(db: Session, world: World) -> World:
    extra = [factories.user(db, "judge", name=f"评委{i}", institution=f"机构{i}") for i in (4, 5)]
    judges = [
        *world.judges,
        *(factories.judge(db, world.contest, account=u, institution=u.institution) for u in extra),
    ]
    for track, rows in ((world.startup, STARTUP), (world.creative, CREATIVE)):
        for title, institution, totals in rows:
            entry = factories.entry(
                db,
                world.contest,
                track,
                title=title,
                institution=institution,
                rounds=(world.preliminary,),
            )
            for judge, total in zip(judges, totals, strict=True):
                factories.sheet(db, world.preliminary, judge, entry, split(round(total * 10)))
    world.preliminary.name = "初赛"
    world.semifinal.name = "复赛"
    world.preliminary.advance_count = {"startup": 3, "creative": 2}
    db.add_all([world.preliminary, world.semifinal])
    db.commit()
    return world


def login(page, base: str, world: World) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("#f-email", world.organiser.email)
    page.fill("#f-password", factories.PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_results_and_advancement_pages(
    live_server, new_context, screenshot, db, arranged, locale, phone
):
    world = arranged
    page = new_context(phone=phone, locale=locale).new_page()
    login(page, live_server, world)
    base = f"{live_server}/manage/rounds/{world.preliminary.id}"

    page.goto(f"{base}/results")
    expect(page.locator("table.results-table")).to_be_visible()
    expect(page.locator("li.dropped s").first).to_be_visible()
    assert_no_sideways_scroll(page)
    screenshot(page, "results")
    page.goto(f"{base}/results?track=creative")
    expect(page.locator(".badge-tie").first).to_be_visible()
    screenshot(page, "results-creative")
    page.goto(f"{base}/results?track=startup&view=compare")
    expect(page.locator("table.compare-table")).to_be_visible()
    assert_no_sideways_scroll(page)
    screenshot(page, "compare")

    page.goto(f"{base}/advancement")
    expect(page.locator(".confirm-actions button[type=submit]")).to_be_disabled()
    assert_no_sideways_scroll(page)
    screenshot(page, "advancement-open")


def test_settle_a_tie_confirm_and_publish(live_server, new_context, screenshot, db, arranged):
    world = arranged
    world.preliminary.closes_at = utcnow() - timedelta(minutes=5)
    db.add(world.preliminary)
    db.commit()
    page = new_context(phone=True).new_page()
    login(page, live_server, world)
    page.goto(f"{live_server}/manage/rounds/{world.preliminary.id}/advancement")
    creative = page.locator('section.track-advance[data-track="creative"]')
    expect(creative.locator(".tie-note")).to_be_visible()
    expect(creative.locator(".selected-count output")).to_have_text("1")

    creative.locator("tr.boundary-tie input[type=checkbox]").first.check()
    expect(creative.locator(".selected-count output")).to_have_text("2")
    expect(page.locator("#reason-needed")).to_be_visible()
    page.fill("#f-reason", "同分项目经组委会合议，按路演材料完整度决定")
    screenshot(page, "ticked")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(".confirm-actions button[type=submit]")
    expect(page.locator("section.decision")).to_be_visible()
    assert_no_sideways_scroll(page)
    screenshot(page, "confirmed")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click(".publish-forms button.btn-primary")
    expect(page.locator("section.decision .badge-advanced")).to_be_visible()
    screenshot(page, "published")
    semifinal = read(
        db, select(RoundEntry.entry_id).where(RoundEntry.round_id == world.semifinal.id)
    )
    assert len(semifinal) == 5
