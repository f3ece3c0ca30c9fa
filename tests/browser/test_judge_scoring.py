"""A judge scores two entries on a phone: a rejected value, a draft that survives a reload
(also one never saved to the server), confirmation with the total, read-only afterwards."""

import io

import pytest
from playwright.sync_api import expect
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from sqlalchemy import select
from sqlmodel import Session

from contest.models import CriterionScore, Document, ScoreSheet
from tests import factories
from tests.browser.layout import assert_no_sideways_scroll
from tests.judging_setup import Scoring, arrange_scoring, read


def _pdf() -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.setFont("STSong-Light", 24)
    page.drawString(72, 750, "商业计划书")
    page.save()
    return buffer.getvalue()


@pytest.fixture
def scoring(db: Session, world: factories.World, settings) -> Scoring:  # type: ignore[no-untyped-def]
    arranged = arrange_scoring(db, world)
    # Stored as an upload is: with the cleaned copy that judges read in the browser.
    factories.document(db, arranged.entries[0], settings, data=_pdf())
    db.commit()
    return arranged


def _login(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("#f-email", email)
    page.fill("#f-password", factories.PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{base}/judge")


def _values(db: Session) -> dict[int, int]:
    return dict(read(db, select(CriterionScore.criterion_id, CriterionScore.value_tenths)))


def test_judge_scores_two_entries_on_a_phone(live_server, new_context, screenshot, db, scoring):
    c = scoring.criteria
    page = new_context(phone=True).new_page()
    _login(page, live_server, scoring.world.judge_users[0].email)
    screenshot(page, "1-dashboard")
    assert_no_sideways_scroll(page)

    page.click(".judge-round a.btn-primary")
    expect(page.locator("h1")).to_have_text("参赛项目1")
    page.fill(f"#score-{c[0].id}", "27.55")
    error = page.locator(f"#e-score-{c[0].id}")
    expect(error).to_be_visible()
    expect(error).to_contain_text("0.1")
    screenshot(page, "2-rejected-value")
    page.locator(".sheet-card h2").scroll_into_view_if_needed()
    page.evaluate(
        "window.scrollBy(0, document.querySelector('.sheet-card').getBoundingClientRect().top - 10)"
    )
    if (shot := screenshot(page, "2-rejected-value")) is not None:
        page.screenshot(path=str(shot).replace(".png", "-viewport.png"))
    assert_no_sideways_scroll(page)

    page.fill(f"#score-{c[0].id}", "27.5")
    page.fill(f"#score-{c[1].id}", "20")
    page.fill(f"#score-{c[2].id}", "15.5")
    expect(error).to_be_hidden()
    expect(page.locator("#sheet-total")).to_have_text("63.0")
    expect(page.locator("#save-status[data-kind=ok]")).to_be_visible()
    assert _values(db) == {c[0].id: 275, c[1].id: 200, c[2].id: 155}

    page.reload()
    expect(page.locator(f"#score-{c[2].id}")).to_have_value("15.5")

    # Offline: the save fails, the input stays on the device and comes back after a reload.
    page.route("**/sheet", lambda route: route.abort())
    page.fill(f"#score-{c[3].id}", "12")
    expect(page.locator("#save-status[data-kind=error]")).to_be_visible()
    screenshot(page, "3-not-saved-retrying")
    page.reload()
    expect(page.locator(f"#score-{c[3].id}")).to_have_value("12")
    page.unroute("**/sheet")
    expect(page.locator("#save-status[data-kind=ok]")).to_be_visible(timeout=15_000)
    assert _values(db)[c[3].id] == 120

    page.fill(f"#score-{c[4].id}", "8")
    page.click("#submit-sheet")
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-total]")).to_have_text("83.0")
    screenshot(page, "4-confirm")
    dialog.locator("[data-confirm-submit]").click()
    expect(page.locator(".sheet-card .flash-success")).to_be_visible()
    expect(page.locator(f"#score-{c[0].id}")).to_be_disabled()
    screenshot(page, "5-submitted")

    page.click(".entry-pager >> nth=0 >> a[rel=next]")
    expect(page.locator("h1")).to_have_text("参赛项目2")
    for criterion, value in zip(c, ["30", "25", "20", "15", "10"], strict=True):
        page.fill(f"#score-{criterion.id}", value)
    page.click("#submit-sheet")
    expect(dialog.locator("[data-total]")).to_have_text("100.0")
    dialog.locator("[data-confirm-submit]").click()
    expect(page.locator(".sheet-card .flash-success")).to_be_visible()

    page.goto(f"{live_server}/judge")
    expect(page.locator(".queue-item.state-submitted")).to_have_count(2)
    screenshot(page, "6-done")
    states = read(db, select(ScoreSheet.entry_id, ScoreSheet.state).order_by(ScoreSheet.entry_id))
    assert states == [(scoring.entries[0].id, "submitted"), (scoring.entries[1].id, "submitted")]


def test_scoring_page_desktop_in_english(  # type: ignore[no-untyped-def]
    live_server, new_context, screenshot, db, scoring, previews
):
    """On a wide screen the business plan opens beside the sheet (the `previews` fixture
    checks that the app answers the preview with the PDF)."""
    page = new_context(locale="en-US").new_page()
    _login(page, live_server, scoring.world.judge_users[0].email)
    with page.expect_response(lambda response: response.url.endswith("?inline=1")):
        page.goto(f"{live_server}/judge/rounds/{scoring.round_id}/entries/{scoring.entries[0].id}")
    page.fill(f"#score-{scoring.criteria[0].id}", "31")

    expect(page.locator(f"#e-score-{scoring.criteria[0].id}")).to_contain_text("from 0 to 30")
    expect(page.locator("details.doc-preview")).to_have_attribute("open", "")
    plan = db.scalars(select(Document.id)).one()
    assert [url.split("/", 3)[-1] for url in previews.served] == [f"documents/{plan}?inline=1"]
    screenshot(page, "desktop-en")


def test_organiser_pages_at_phone_and_desktop(live_server, new_context, screenshot, db, scoring):
    world = scoring.world
    factories.assign(db, world.preliminary, world.judges[1], scoring.entries[0])
    factories.sheet(
        db, world.preliminary, world.judges[1], scoring.entries[0], [250, 200, 150, 120, 80]
    )
    db.commit()
    for phone in (True, False):
        page = new_context(phone=phone).new_page()
        page.goto(f"{live_server}/login")
        page.fill("#f-email", world.organiser.email)
        page.fill("#f-password", factories.PASSWORD)
        page.click("form.stack button[type=submit]")
        page.wait_for_url(f"{live_server}/manage**")
        for tab in ("assignments", "progress"):
            page.goto(f"{live_server}/manage/rounds/{world.preliminary.id}/{tab}")
            expect(page.locator("nav.tabs a[aria-current=page]")).to_have_count(1)
            screenshot(page, f"{tab}-{'phone' if phone else 'desktop'}")
            if phone:
                assert_no_sideways_scroll(page)
