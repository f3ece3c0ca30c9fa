"""A correction as the public sees it: the awards of a finished live final are published;
a team objects that one judge's score of its project was entered wrong; the organisers
uphold the objection, withdraw the publication with a reason, reopen the round and the
sheet, the judge corrects the score, the organisers save and publish the awards again.
Version 2 then says 更正 with the date and the reason on the public results page, on the
big screen and in the 公示 PDF (text read with pypdf), and the corrected ranking shows.

Screenshots at 375 px and 1280 px of the public results and the big screen."""

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pypdf
import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlmodel import Session

from contest.models import Criterion, Objection, Publication
from tests import factories
from tests.judging_setup import read
from tests.live_setup import Final, arrange_final, score

TITLES = ("靶向递送纳米药物平台", "老年认知障碍早筛小程序", "可穿戴连续血糖监测贴片")
# arrange_final alternates the tracks: startup 0 and 2, creative 1. Trimmed means
# (five sheets, highest and lowest dropped): 0 -> 80.00; 2 -> 79.00 (every first
# criterion 1.0 lower), so 0 takes the startup gold and 2 the silver.
SHIFTS = (0, 0, -10)
OBJECTION = "评委3对本项目的评分录入有误：纸质评分表总分为88分，系统中为79分。"
DECISION = "经核对纸质评分表，评委3的评分录入有误，异议成立。"
WITHDRAWAL = "评委3对『可穿戴连续血糖监测贴片』的评分录入有误，撤回更正"


@pytest.fixture
def final(db: Session, world: factories.World, client) -> Final:  # type: ignore[no-untyped-def]
    """The live final over: every finalist pitched, scored by five judges and revealed."""
    arranged = arrange_final(db, world, entries=3, judges=5)
    for entry, title, shift in zip(arranged.entries, TITLES, SHIFTS, strict=True):
        entry.title = title
        db.add(entry)
        score(db, arranged, entry, shift=shift)
    arranged.entries[2].owner_id = world.team.id
    db.add(arranged.entries[2])
    db.commit()
    organiser = factories.bearer(client, world.organiser)
    url = arranged.live_url
    assert client.post(arranged.draw_url, json={"seed": 3}, headers=organiser).status_code == 200
    for n in range(3):
        action = "next" if n else "start"
        assert client.post(url, json={"action": action}, headers=organiser).status_code == 200
        assert client.post(url, json={"action": "reveal"}, headers=organiser).status_code == 200
    assert client.post(url, json={"action": "finish"}, headers=organiser).status_code == 200
    return arranged


def login(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("#f-email", email)
    page.fill("#f-password", factories.PASSWORD)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")


def submit(page, selector: str) -> None:  # type: ignore[no-untyped-def]
    """Click a submit button and wait for the page the form leads to."""
    with page.expect_navigation():
        page.click(selector)


def publish_awards(page, base: str, contest_id: int) -> None:  # type: ignore[no-untyped-def]
    """Preview gold 1 and silver 1 per track, save them, publish them (confirming)."""
    page.goto(f"{base}/manage/contests/{contest_id}/awards?scope=per_track&gold=1&silver=1")
    submit(page, "form.awards-save button[type=submit]")
    page.once("dialog", lambda dialog: dialog.accept())
    submit(page, "form.awards-publish button[type=submit]")
    expect(page.locator(".flash-success, .flash-info").first).to_be_visible()


def pdf_text(data: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in pages))


WINNERS = "section[aria-labelledby=winners-title]"


def startup_winners(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The startup track's winners on the public results page, gold first."""
    titles = page.locator(f"{WINNERS} .results-track[aria-label=创业组] .results-title")
    return [t.strip() for t in titles.all_inner_texts()]


def test_objection_upheld_withdrawn_corrected_and_republished(
    live_server, new_context, screenshot, db, world, final, client
) -> None:
    base, contest_id, final_id = live_server, world.contest.id, final.round.id
    wrong = final.entries[2]
    organiser = new_context().new_page()
    login(organiser, base, world.organiser.email)

    # Version 1 of the awards.
    publish_awards(organiser, base, contest_id)
    [(publication_id,)] = read(db, select(Publication.id))

    # The team of the third project objects, on its phone, naming its project.
    team = new_context(phone=True).new_page()
    login(team, base, world.team.email)
    team.goto(f"{base}/team/contests/{contest_id}/objections")
    team.fill("#f-entry", str(wrong.id))
    team.fill("#f-reason", OBJECTION)
    submit(team, "form.objection-form button[type=submit]")
    expect(team.locator(".objection-item .objection-reason")).to_have_text(OBJECTION)
    [(objection_id,)] = read(db, select(Objection.id))

    # The organisers uphold it, then withdraw the awards with a reason.
    organiser.goto(f"{base}/manage/contests/{contest_id}/publications")
    item = organiser.locator(f"#objection-{objection_id}")
    item.locator("textarea[name=answer]").fill("已调阅纸质评分表。")
    item.locator("input[name=decision][value=upheld]").check()
    item.locator("textarea[name=reason]").fill(DECISION)
    organiser.once("dialog", lambda dialog: dialog.accept())  # the team is told: it asks
    submit(organiser, f"#objection-{objection_id} button[type=submit]")
    organiser.fill(f"#withdraw-{publication_id}", WITHDRAWAL)
    organiser.once("dialog", lambda dialog: dialog.accept())
    submit(organiser, f"form[action='/manage/publications/{publication_id}/withdraw'] button")
    assert read(db, select(Objection.state, Objection.decision_reason)) == [("upheld", DECISION)]

    # The correction: scoring reopened (confirmed, with a reason), the judge's sheet
    # reopened, the judge enters the paper sheet (88 points), scoring closed again.
    organiser.goto(f"{base}/manage/rounds/{final_id}")
    organiser.click("details.reopen-round summary")
    organiser.fill("#reopen-reason", "更正评委3的评分录入")
    organiser.once("dialog", lambda dialog: dialog.accept())
    submit(organiser, "details.reopen-round button[type=submit]")
    organiser.goto(f"{base}/manage/rounds/{final_id}/progress")
    row = organiser.locator("tr", has_text=TITLES[2])
    sheet = row.locator("li", has_text="评委3")
    sheet.locator("summary").click()
    sheet.locator("input[name=reason]").fill("纸质评分表与系统不一致")
    organiser.once("dialog", lambda dialog: dialog.accept())
    with organiser.expect_navigation():
        sheet.locator("button[type=submit]").click()
    criteria = read(
        db, select(Criterion.id).where(Criterion.round_id == final_id).order_by(Criterion.position)
    )
    corrected = dict(zip([str(c) for (c,) in criteria], (30.0, 25.0, 19.0, 9.0, 5.0), strict=True))
    judge = factories.bearer(client, final.judge_users[2])
    saved = client.put(
        f"/api/v1/rounds/{final_id}/entries/{wrong.id}/sheet",
        json={"scores": corrected, "submit": True},
        headers=judge,
    )
    assert saved.status_code == 200, saved.text
    organiser.goto(f"{base}/manage/rounds/{final_id}")
    organiser.once("dialog", lambda dialog: dialog.accept())
    submit(organiser, f"form[action='/manage/rounds/{final_id}/close'] button")

    # Version 2: the corrected ranking (89, 88, 84, 74, 69 -> 82.00 beats 80.00).
    publish_awards(organiser, base, contest_id)

    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    day = f"{today.year}年{today.month}月{today.day}日"
    for phone in (False, True):
        reader = new_context(phone=phone).new_page()
        reader.goto(f"{base}/results/{contest_id}")
        state = reader.locator(f"{WINNERS} .publication-state")
        expect(state).to_have_attribute("data-version", "2")
        notice = state.locator(".correction-notice")
        expect(notice).to_contain_text("更正")
        expect(notice).to_contain_text(WITHDRAWAL)
        expect(notice).to_contain_text(day)
        assert startup_winners(reader) == [TITLES[2], TITLES[0]]
        screenshot(reader, f"{'375' if phone else '1280'}-results-corrected")

        reader.goto(f"{base}/live/{final_id}")
        correction = reader.locator(".bs-correction")
        expect(correction).to_be_visible()
        expect(correction).to_contain_text("更正")
        expect(correction).to_contain_text("第 2 版")
        expect(correction).to_contain_text(WITHDRAWAL)
        expect(correction).to_contain_text(day)
        expect(reader.locator("[data-bs=board]")).to_contain_text("82.00")
        # Readable in the hall and on a phone (not scaled down to the phone's 1vw).
        assert correction.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 13
        screenshot(reader, f"{'375' if phone else '1280'}-big-screen-corrected")

    pdf = organiser.request.get(f"{base}/api/v1/contests/{contest_id}/results.pdf?list=winners")
    text = pdf_text(pdf.body())
    assert f"更正：本名单第1版（{today:%Y年%m月%d日}公示）已于{today:%Y年%m月%d日}撤回" in text
    assert re.sub(r"\s+", "", WITHDRAWAL) in text
    assert "本名单为更正后的第2版。" in text
    assert text.index(TITLES[2]) < text.index(TITLES[0])
