"""The pre-flight check in browsers: before the final the organiser sees what is missing;
judges open their live page on phones, the hall's screen opens from the check page's
link, and the check turns green by itself; the console then puts "start" forward."""

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from tests import factories
from tests.browser.layout import assert_no_sideways_scroll
from tests.browser.test_live_final import login
from tests.live_setup import Final, arrange_final

BIG_SCREEN = {"width": 1920, "height": 1080}
TEXT = {
    "zh-CN": {"ready": "可以开始", "start": "开始决赛", "draw": "抽签决定顺序"},
    "en-US": {"ready": "Ready to start", "start": "Start the final", "draw": "Draw the order"},
}


@pytest.fixture
def final(db: Session, world: factories.World) -> Final:
    world.final.judges_per_entry = 3  # a panel of three scores every project
    db.add(world.final)
    db.commit()
    return arrange_final(db, world, entries=3, judges=3)


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_preflight_turns_green_as_judges_and_the_screen_report_in(
    live_server, new_context, screenshot, db, world, final, locale
):  # type: ignore[no-untyped-def]
    words = TEXT[locale]
    organiser = new_context(locale=locale).new_page()
    login(organiser, live_server, world.organiser.email, "/manage")
    organiser.goto(f"{live_server}/manage/rounds/{final.round.id}/live")
    expect(organiser.locator("[data-role=next][data-step=draw]")).to_have_text(words["draw"])
    expect(organiser.locator("[data-role=next]:visible")).to_have_count(1)
    organiser.fill("#f-seed", "7")
    organiser.click("form.live-draw button[type=submit]")
    expect(organiser.locator("form[data-role=next][data-step=start]")).to_be_visible()

    check = new_context(locale=locale).new_page()
    login(check, live_server, world.organiser.email, "/manage")
    check.goto(f"{live_server}/manage/rounds/{final.round.id}/live/preflight")
    expect(check.locator("[data-check=judges_online].fail")).to_be_visible()
    expect(check.locator("[data-check=screen].fail")).to_be_visible()
    expect(check.locator("[data-check=order_drawn].ok")).to_be_visible()
    screenshot(check, f"1-preflight-missing-{locale}")

    for account in final.judge_users:
        phone = new_context(phone=True, locale=locale).new_page()
        login(phone, live_server, account.email, "/judge")
        phone.goto(f"{live_server}/judge/rounds/{final.round.id}/live")
        expect(phone.locator("[data-view=waiting]")).to_be_visible()
    with check.expect_popup() as opened:
        check.click(".live-preflight a[target=_blank]")
    screen = opened.value
    screen.set_viewport_size(BIG_SCREEN)
    expect(screen.locator("[data-bs=order] li")).to_have_count(3)

    expect(check.locator("[data-check=judges_online].ok")).to_be_visible(timeout=15_000)
    expect(check.locator("[data-check=screen].ok")).to_be_visible(timeout=15_000)
    expect(check.locator("[data-pf=summary]")).to_have_text(words["ready"])
    expect(check.locator("[data-pf=judges] tr.online")).to_have_count(3)
    screenshot(check, f"2-preflight-ready-{locale}")
    phone_check = new_context(phone=True, locale=locale).new_page()
    login(phone_check, live_server, world.organiser.email, "/manage")
    phone_check.goto(f"{live_server}/manage/rounds/{final.round.id}/live/preflight")
    assert_no_sideways_scroll(phone_check)
    screenshot(phone_check, f"3-preflight-phone-{locale}")

    organiser.reload()
    expect(organiser.locator(".live-checklist li.fail")).to_have_count(0)
    start = organiser.locator("form[data-role=next][data-step=start] button")
    expect(start).to_have_text(words["start"])
    expect(start).to_be_enabled()
    expect(organiser.locator("[data-live=panel] li.online")).to_have_count(3)
    screenshot(organiser, f"4-console-ready-{locale}")
