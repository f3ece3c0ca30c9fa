"""The live final in browsers: an organiser at the control page, five judges on phones and
the big screen. Three pitches are scored and revealed; a judge reloads mid-pitch and
finds their draft; the big screen shows each revealed score and the leaderboard."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlmodel import Session

from contest.core.enums import EntryStatus
from contest.models import Advancement, LiveState, utcnow
from tests import factories
from tests.awards_setup import arrange_ranked
from tests.browser.layout import assert_no_sideways_scroll
from tests.judging_setup import read
from tests.live_setup import Final, arrange_final, drawn, score, step

# Points per criterion for judges 1..5 (totals 90, 85, 80, 75, 70); the trimmed mean
# drops 90 and 70: 80.00. Pitch n adds n points to every judge's first criterion.
MARKS = (
    ("27", "22.5", "18", "13.5", "9"),
    ("25.5", "21.5", "17", "12.5", "8.5"),
    ("24", "20", "16", "12", "8"),
    ("22.5", "18.5", "15", "11.5", "7.5"),
    ("21", "17.5", "14", "10.5", "7"),
)
BIG_SCREEN = {"width": 1600, "height": 900}


@pytest.fixture
def final(db: Session, world: factories.World) -> Final:
    return arrange_final(db, world, entries=3, judges=5)


def login(page, base: str, email: str, landing: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("#f-email", email)
    page.fill("#f-password", factories.PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{base}{landing}")


def score_on_phone(page, criteria, marks, shift: int) -> None:  # type: ignore[no-untyped-def]
    for criterion, value in zip(criteria, marks, strict=True):
        if criterion is criteria[0]:
            value = str(float(value) + shift).removesuffix(".0")
        page.fill(f"#score-{criterion.id}", value)


def submit_on_phone(page) -> None:  # type: ignore[no-untyped-def]
    page.click("#live-sheet button[type=submit]")
    page.click("#live-confirm [data-confirm-submit]")
    expect(page.locator("[data-view=submitted]")).to_be_visible()


def test_three_pitches_scored_on_phones_and_revealed_on_the_big_screen(
    live_server, new_context, screenshot, db, world, final
):  # type: ignore[no-untyped-def]
    criteria = factories.criteria(db, final.round)
    titles = {e.id: e.title for e in final.entries}

    control = new_context().new_page()
    control.on("dialog", lambda dialog: dialog.accept())
    login(control, live_server, world.organiser.email, "/manage")
    control.goto(f"{live_server}/manage/rounds/{final.round.id}/live")
    control.fill("#f-seed", "2023")
    control.click("form.live-draw button[type=submit]")
    expect(control.locator(".flash-success")).to_contain_text("2023")

    screen_context = new_context()
    screen = screen_context.new_page()
    screen.set_viewport_size(BIG_SCREEN)
    screen.goto(f"{live_server}/live/{final.round.id}")
    expect(screen.locator("[data-bs=order] li")).to_have_count(3)
    screenshot(screen, "0-big-screen-waiting")

    phones = []
    for account in final.judge_users:
        phone = new_context(phone=True).new_page()
        login(phone, live_server, account.email, "/judge")
        phone.goto(f"{live_server}/judge/rounds/{final.round.id}/live")
        expect(phone.locator("[data-view=waiting]")).to_be_visible()
        phones.append(phone)
    screenshot(phones[0], "1-judge-waiting")

    control.click("form[data-role=next][data-step=start] button")
    expect(control.locator("[data-live=phase]")).to_have_text("路演中")

    for pitch in range(3):
        state = read(db, select(LiveState.current_entry_id))
        current = titles[state[0][0]]
        expect(control.locator("[data-live=title]")).to_have_text(current)
        expect(screen.locator("[data-bs=title]")).to_have_text(current)
        expect(screen.locator("[data-bs=timer-value]")).to_have_text(re.compile(r"^[78]:\d\d$"))
        if pitch == 0:
            control.click("form[data-role=next][data-step=qa] button")
            expect(screen.locator("[data-bs=timer-label]")).to_have_text("答辩")
            screenshot(screen, "2-big-screen-pitch")

        for n, phone in enumerate(phones):
            expect(phone.locator("#live-title")).to_have_text(current)
            score_on_phone(phone, criteria, MARKS[n], pitch)
        expect(phones[0].locator("[data-sheet=total]")).to_have_text(f"{90 + pitch}.0")
        if pitch == 1:
            # A judge's phone reloads mid-pitch: back on the same pitch, draft intact.
            expect(phones[4].locator("[data-sheet=status]")).to_contain_text("草稿已于")
            phones[4].reload()
            expect(phones[4].locator("#live-title")).to_have_text(current)
            expect(phones[4].locator(f"#score-{criteria[1].id}")).to_have_value("17.5")
            expect(phones[4].locator("[data-sheet=total]")).to_have_text(f"{70 + pitch}.0")
            screenshot(phones[4], "3-judge-draft-after-reload")
        for n, phone in enumerate(phones[:4]):
            submit_on_phone(phone)
        expect(control.locator("[data-live=count]")).to_have_text("4/5 位评委已评分")
        expect(control.locator("form[data-role=override][data-step=reveal]")).to_be_visible()
        if pitch == 0:
            screenshot(phones[0], "4-judge-submitted")
            screenshot(control, "5-control-waiting-for-one")
        submit_on_phone(phones[4])
        expect(control.locator("[data-live=count]")).to_have_text("5/5 位评委已评分")
        expect(control.locator("form[data-role=override][data-step=reveal]")).to_be_hidden()

        control.click("form[data-role=next][data-step=reveal] button")
        expected = f"{80 + pitch}.00"
        expect(screen.locator("[data-bs=score]")).to_have_text(expected)
        expect(screen.locator("[data-bs=revealed-title]")).to_have_text(current)
        totals = screen.locator("[data-bs=judges] li")
        expect(totals).to_have_count(5)
        dropped = sorted(screen.locator("[data-bs=judges] li.dropped .bs-total").all_inner_texts())
        assert dropped == sorted([f"{90 + pitch}.0", f"{70 + pitch}.0"])
        seats = screen.locator("[data-bs=judges] .bs-seat").all_inner_texts()
        assert sorted(seats) == [f"评委{i}" for i in range(1, 6)]
        expect(screen.locator(".bs-board-score", has_text=expected)).to_have_count(1)
        for phone in phones:
            expect(phone.locator("[data-view=waiting]")).to_be_visible()
        if pitch == 0:
            screenshot(screen, "6-big-screen-revealed")
        if pitch < 2:
            control.click("form[data-role=next][data-step=next] button")
            expect(control.locator("[data-live=phase]")).to_have_text("路演中")

    screenshot(control, "7-control-all-revealed")
    control.click("form[data-role=next][data-step=finish] button")
    expect(screen.locator("[data-bs=phase]")).to_have_text("决赛已结束")
    expect(screen.locator(".bs-board-title")).to_have_text("最终排名")
    board = screen.locator(".bs-board-score").all_inner_texts()
    assert sorted(board) == ["80.00", "81.00", "82.00"]
    for phone in phones:
        expect(phone.locator("[data-view=finished]")).to_be_visible()
    screenshot(screen, "8-big-screen-final")
    # Seats are anonymous: no e-mail, and (the test judges being named 评委1..5 too) the
    # seat numbers do not follow the judges' own numbers.
    content = screen.content()
    assert all(account.email not in content for account in final.judge_users)

    phone_control = new_context(phone=True).new_page()
    login(phone_control, live_server, world.organiser.email, "/manage")
    phone_control.goto(f"{live_server}/manage/rounds/{final.round.id}/live")
    expect(phone_control.locator("[data-live=phase]")).to_have_text("决赛已结束")
    assert_no_sideways_scroll(phone_control)
    screenshot(phone_control, "9-control-phone-finished")


def test_awards_page_and_public_results_at_phone_and_desktop_width(
    live_server, new_context, screenshot, db, world
):  # type: ignore[no-untyped-def]
    ranked = arrange_ranked(
        db, world, startup=(290, 280, 280, 260, 250, 240, 230), creative=(285, 275, 265, 255)
    )
    for entry in ranked.s + ranked.c:
        factories.enrol(db, world.semifinal, entry, EntryStatus.advanced)
    db.add(Advancement(round_id=world.semifinal.id, published_at=utcnow()))
    db.commit()
    s = ranked.s
    desktop = new_context().new_page()
    login(desktop, live_server, world.organiser.email, "/manage")
    desktop.goto(
        f"{live_server}/manage/contests/{world.contest.id}/awards?gold=1&silver=1&bronze=3"
    )
    expect(desktop.locator(".awards-ties")).to_be_visible()
    screenshot(desktop, "1-awards-tie")

    desktop.check(f"input[name=resolve-{s[2].id}][value=silver]")
    desktop.check(f"input[name=resolve-{s[1].id}][value=bronze]")
    desktop.click("form.awards-form button[type=submit]")
    desktop.fill("#f-reason", "按现场答辩表现决定")
    desktop.click("form.awards-save button[type=submit]")
    expect(desktop.locator(".flash-success")).to_contain_text("已保存")
    desktop.on("dialog", lambda dialog: dialog.accept())
    desktop.click("form.awards-publish button[type=submit]")
    expect(desktop.locator(".awards-table td.mono").first).to_have_text(re.compile(r"^TJ-"))
    screenshot(desktop, "2-awards-published")

    for locale, phone in (("zh-CN", True), ("zh-CN", False), ("en-US", False)):
        page = new_context(phone=phone, locale=locale).new_page()
        page.goto(f"{live_server}/results/{world.contest.id}")
        expect(page.locator(".results-part")).to_have_count(2)
        if phone:
            assert_no_sideways_scroll(page)
        screenshot(page, f"3-public-results-{locale}-{'phone' if phone else 'desktop'}")
    phone_page = new_context(phone=True).new_page()
    login(phone_page, live_server, world.organiser.email, "/manage")
    phone_page.goto(f"{live_server}/manage/contests/{world.contest.id}/awards")
    screenshot(phone_page, "4-awards-phone")


def test_big_screen_marks_every_entry_sharing_first_place(
    live_server, new_context, screenshot, db, world, client
):  # type: ignore[no-untyped-def]
    final = arrange_final(db, world, entries=3, judges=5)
    for entry in final.entries:  # identical sheets: the two startup entries tie for first
        score(db, final, entry)
    client.headers.update(factories.bearer(client, world.organiser))
    drawn(client, final)
    for action in ("start", "reveal", "next", "reveal", "next", "reveal", "finish"):
        assert step(client, final, action).status_code == 200

    screen = new_context().new_page()
    screen.set_viewport_size(BIG_SCREEN)
    screen.goto(f"{live_server}/live/{final.round.id}")
    startup = screen.locator(".bs-board-track", has_text=world.startup.name).locator("li")
    expect(startup).to_have_count(2)

    assert startup.locator(".bs-rank").all_inner_texts() == ["1", "1"]
    # Said in words too, and only where the rank is shared (the creative entry is alone).
    assert startup.locator(".bs-tie").all_inner_texts() == ["并列", "并列"]
    expect(screen.locator(".bs-tie")).to_have_count(2)
    colours = screen.locator(".bs-rank").evaluate_all(
        "items => items.map((item) => getComputedStyle(item).backgroundColor)"
    )
    assert len(colours) == 3
    assert set(colours) == {"rgb(242, 195, 91)"}  # all three first in their track: gold
    screenshot(screen, "shared-first-place")
