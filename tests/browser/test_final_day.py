"""A whole roadshow final as the hall sees it, in Chinese and English: the organiser's
console (draw, start, Q&A, scoring, reveal, finish), the big screen at 1920x1080 (and
1280x720 at the end) and audience phones at 375 px. The titles are long, realistic ones;
two projects tie; the awards are published after the final and the board shows medals.

What is asserted is what a person in the hall would notice: every title whole (nothing
cut with "…"), no line holding a single Chinese character, "Congratulations" never split,
the medals, 并列 / Tied with the reason, and no sideways scrolling on a phone."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlmodel import Session

from contest.models import LiveState
from tests import factories
from tests.browser.layout import assert_no_sideways_scroll
from tests.judging_setup import read
from tests.live_setup import Final, arrange_final, score

FULL_HD = {"width": 1920, "height": 1080}
HD = {"width": 1280, "height": 720}
# Startup projects: 0, 2, 4, 6; creative: 1, 3, 5 (arrange_final alternates the tracks).
TITLES = (
    "基于多组学数据与人工智能的早期肝癌无创筛查与风险分层平台",
    "可降解镁合金冠脉支架",
    "面向基层医疗机构的智能辅助诊断系统",
    "用于术中快速病理诊断的便携式光学成像设备",
    "新型mRNA肿瘤疫苗递送系统",
    "老年慢病居家管理数字疗法平台",
    "儿童罕见病基因检测与遗传咨询一站式服务",
)
# Tenths added to every sheet's first criterion: trimmed mean 80.00 + shift / 10.
# Startup: 4 first (81), 0 and 2 tied (80), 6 last (79); creative: 1, 3, 5.
SHIFTS = (0, 20, 0, 10, 10, 0, -10)
TIERS = [
    {"tier": "gold", "count": 1},
    {"tier": "silver", "count": 2},
    {"tier": "bronze", "count": 1},
]

# The text of an element line by line as laid out (one character at a time, grouped by
# the line box it sits on).
LINES = """(node) => {
  const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  const lines = [];
  let top = null;
  while (walker.nextNode()) {
    const text = walker.currentNode;
    for (let i = 0; i < text.length; i += 1) {
      range.setStart(text, i);
      range.setEnd(text, i + 1);
      const rect = range.getClientRects()[0];
      if (!rect || !rect.width) continue;
      if (top === null || rect.top > top + rect.height / 2) { lines.push(""); top = rect.top; }
      lines[lines.length - 1] += text.data[i];
    }
  }
  return lines.map((line) => line.trim()).filter(Boolean);
}"""
CJK_CHAR = r"[\u3400-\u9fff]"


@pytest.fixture
def final(db: Session, world: factories.World) -> Final:
    arranged = arrange_final(db, world, entries=len(TITLES), judges=5)
    for entry, title in zip(arranged.entries, TITLES, strict=True):
        entry.title = title
        db.add(entry)
    db.commit()
    return arranged


def login(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("#f-email", email)
    page.fill("#f-password", factories.PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{base}/manage")


def lines_of(locator) -> list[str]:  # type: ignore[no-untyped-def]
    return locator.evaluate(LINES)  # type: ignore[no-any-return]


def assert_whole(locator, title: str) -> None:  # type: ignore[no-untyped-def]
    """The title is all there, laid out in lines of whole words: nothing clipped, no line
    of one Chinese character."""
    lines = lines_of(locator)
    assert "".join(lines).replace(" ", "") == title.replace(" ", ""), lines
    for line in lines:
        assert not (len(line) == 1 and re.match(CJK_CHAR, line)), lines
    clipped = locator.evaluate(
        "(n) => n.scrollHeight > n.clientHeight + 1"
        " || getComputedStyle(n).textOverflow === 'ellipsis'"
    )
    assert not clipped, lines


def kept_through_two_polls(screen) -> None:  # type: ignore[no-untyped-def]
    """Polls that bring nothing new leave the screen's nodes alone (they once drew the
    order anew a second after the page loaded, under a reader's selection)."""
    screen.evaluate("document.querySelector('[data-bs=order] li').dataset.kept = 'yes'")
    for _poll in range(2):  # the first poll's answer is drawn before the second is sent
        with screen.expect_response(lambda r: r.url.endswith("/live")):
            pass
    expect(screen.locator("[data-bs=order] li[data-kept=yes]")).to_have_count(1)


def test_a_whole_final_on_console_big_screens_and_phones_in_both_languages(
    live_server, new_context, screenshot, db, world, client, final
):  # type: ignore[no-untyped-def]
    titles = {e.id: e.title for e in final.entries}
    console = new_context(locale="en-US").new_page()
    console.on("dialog", lambda dialog: dialog.accept())
    login(console, live_server, world.organiser.email)
    console.goto(f"{live_server}/manage/rounds/{final.round.id}/live")
    console.fill("#f-seed", "20231107")
    console.click("form.live-draw button[type=submit]")
    expect(console.locator(".flash-success")).to_contain_text("20231107")

    screens = {}
    for lang, locale in (("zh", "zh-CN"), ("en", "en-US")):
        screen = new_context(locale=locale).new_page()
        screen.set_viewport_size(FULL_HD)
        screen.goto(f"{live_server}/live/{final.round.id}")
        expect(screen.locator("[data-bs=order] li")).to_have_count(len(TITLES))
        screens[lang] = screen
    kept_through_two_polls(screens["zh"])
    phones = {
        "zh": new_context(phone=True).new_page(),
        "en": new_context(phone=True, locale="en-US").new_page(),
    }
    for phone in phones.values():
        phone.goto(f"{live_server}/live/{final.round.id}")
        expect(phone.locator("[data-bs=order] li")).to_have_count(len(TITLES))
        assert_no_sideways_scroll(phone)
    for title in screens["zh"].locator(".bs-order-title").all():
        assert_whole(title, title.inner_text().replace("\n", ""))
    screenshot(screens["zh"], "01-screen-zh-waiting")
    screenshot(phones["en"], "02-phone-en-waiting")
    screenshot(console, "03-console-en-drawn")

    by_title = {e.title: e for e in final.entries}
    shifts = {title: SHIFTS[n] for n, title in enumerate(TITLES)}
    for pitch in range(len(TITLES)):
        step = "start" if pitch == 0 else "next"
        console.click(f"form[data-role=next][data-step={step}] button")
        expect(console.locator("[data-live=phase]")).to_have_text("Pitching")
        current = titles[read(db, select(LiveState.current_entry_id))[0][0]]
        expect(screens["zh"].locator("[data-bs=title]")).to_have_text(current)
        expect(phones["zh"].locator("[data-bs=title]")).to_have_text(current)
        assert_whole(screens["zh"].locator("[data-bs=title]"), current)
        assert_whole(phones["zh"].locator("[data-bs=title]"), current)
        console.click("form[data-role=next][data-step=qa] button")
        expect(screens["en"].locator("[data-bs=timer-label]")).to_have_text("Q&A")
        if pitch == 0:
            screenshot(screens["zh"], "04-screen-zh-qa")
            screenshot(screens["en"], "05-screen-en-qa")
            screenshot(phones["zh"], "06-phone-zh-qa")
            assert_no_sideways_scroll(phones["zh"])
        console.click("form[data-role=next][data-step=score] button")
        expect(console.locator("[data-live=phase]")).to_have_text("Scoring")
        entry = by_title[current]
        score(db, final, entry, shift=shifts[current])
        expect(console.locator("[data-live=count]")).to_contain_text("5")
        console.click("form[data-role=next][data-step=reveal] button")
        shown = f"{80 + shifts[current] / 10:.2f}"
        for page in (*screens.values(), *phones.values()):
            expect(page.locator("[data-bs=revealed-title]")).to_have_text(current)
            expect(page.locator("[data-bs=score]")).to_have_text(shown)
        assert_whole(screens["zh"].locator("[data-bs=revealed-title]"), current)
        if pitch == 2:
            screenshot(screens["zh"], "07-screen-zh-revealed")
            screenshot(phones["en"], "08-phone-en-revealed")
            assert_no_sideways_scroll(phones["en"])

    console.click("form[data-role=next][data-step=finish] button")
    expect(screens["en"].locator("[data-bs=phase]")).to_have_text("Final finished")
    # The awards, published after the final, come onto the board as medals.
    client.headers.update(factories.bearer(client, world.organiser))
    awards = f"/api/v1/contests/{world.contest.id}/awards"
    saved = client.post(awards, json={"scope": "per_track", "tiers": TIERS})
    assert saved.status_code == 200, saved.text
    assert client.post(awards + "/publish").status_code == 200

    tied = [final.entries[0].title, final.entries[2].title]
    for lang, screen in screens.items():
        board = screen.locator(".bs-board")
        expect(board.locator(".bs-medal.gold")).to_have_count(2, timeout=15_000)
        expect(board.locator(".bs-medal.silver")).to_have_count(4)
        expect(board.locator(".bs-medal.bronze")).to_have_count(1)
        gold = board.locator("li.gold .bs-board-title-text").all_inner_texts()
        assert sorted(t.replace("\n", "") for t in gold) == sorted([TITLES[4], TITLES[1]])
        tie_word = "并列" if lang == "zh" else "Tied"
        for title in tied:
            line = board.locator("li", has=screen.locator(".bs-board-title-text", has_text=title))
            expect(line.locator(".bs-tie")).to_have_text(tie_word)
            expect(line.locator(".bs-rank")).to_have_text("2")
        expect(board.locator(".bs-tie")).to_have_count(2)
        for title in board.locator(".bs-board-title-text").all():
            assert_whole(title, title.inner_text().replace("\n", ""))
        heading = screen.locator("[data-bs-view=finished] .bs-title")
        if lang == "en":
            assert any("Congratulations" in line for line in lines_of(heading)), lines_of(heading)
        for size, name in ((FULL_HD, "1920"), (HD, "1280")):
            screen.set_viewport_size(size)
            assert_whole(heading, heading.inner_text().replace("\n", ""))
            # The whole board is on the screen: nothing hangs below the frame.
            screenshot(screen, f"09-screen-{lang}-final-{name}")
            bottom = board.evaluate("(n) => n.scrollHeight <= n.clientHeight + 1")
            assert bottom, f"the {lang} board overflows at {name}"

    for lang, phone in phones.items():
        expect(phone.locator(".bs-medal.gold")).to_have_count(2, timeout=15_000)
        expect(phone.locator(".bs-tie")).to_have_count(2)
        assert_no_sideways_scroll(phone)
        screenshot(phone, f"10-phone-{lang}-final")
    zh_console = new_context().new_page()
    login(zh_console, live_server, world.organiser.email)
    zh_console.goto(f"{live_server}/manage/rounds/{final.round.id}/live")
    expect(zh_console.locator("[data-live=phase]")).to_have_text("决赛已结束")
    screenshot(zh_console, "11-console-zh-finished")
    screenshot(console, "12-console-en-finished")
