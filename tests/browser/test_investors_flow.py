"""Investors in browsers: an investor marks interest on a phone during the live final,
the organiser exports the leads, requests a meeting, records the signed intent and
attaches its PDF, the team sees it (and reads the PDF) and the public page lists it
(docs/rules.md "Investors and follow-up")."""

import io
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select
from sqlmodel import Session

from contest.core.enums import LivePhase
from contest.models import Advancement, Deal, Interest, LiveState, utcnow
from tests import factories
from tests.investors_setup import arrange


def login(page, base: str, email: str, landing: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("#f-email", email)
    page.fill("#f-password", factories.PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{base}{landing}")


def test_investor_marks_on_a_phone_and_the_intent_reaches_the_public_page(
    live_server, new_context, screenshot, db: Session, world, tmp_path
):  # type: ignore[no-untyped-def]
    guests = arrange(db, world)
    entry = guests.finalists[0]
    db.add(Advancement(round_id=world.semifinal.id, published_at=utcnow()))
    db.add(LiveState(round_id=world.final.id, phase=LivePhase.pitching,
                     current_entry_id=entry.id, pitch_started_at=utcnow()))
    db.commit()
    base = live_server

    # The investor, on a phone during the final, follows the live page and marks the team.
    phone = new_context(phone=True).new_page()
    login(phone, base, guests.investor.email, f"/invest/contests/{world.contest.id}")
    expect(phone.locator(f"a[href='/live/{world.final.id}']")).to_be_visible()
    card = phone.locator(f"#entry-{entry.id}")
    card.locator("label.level", has_text="有意投资").click()
    card.locator("textarea").fill("现场路演很精彩，想尽快跟进")
    card.locator("button[type=submit]").click()
    expect(phone.locator(f"#entry-{entry.id} .badge-ok")).to_have_text("有意投资")
    screenshot(phone, "investor-phone")
    # A stake in the other finalist's company: its card says it is a conflict, and why.
    phone.fill("#f-stakes", "上海影像科技（集团）股份有限公司")
    phone.click("form[action$='/stakes'] button[type=submit]")
    rival = phone.locator(f"#entry-{guests.finalists[1].id}")
    expect(rival.locator(".conflict-reason")).to_contain_text("上海影像科技有限公司")
    screenshot(phone, "investor-stake")
    phone.goto(f"{base}/live/{world.final.id}")
    expect(phone.locator("body")).to_contain_text(entry.title)
    db.rollback()
    assert db.scalars(select(Interest)).one().level == "intent"

    # The team agrees to be contacted and to publish its deals.
    team = new_context().new_page()
    login(team, base, world.team.email, "/team")
    team.click(f"a[href='/team/entries/{entry.id}/investors']")
    team.check("input[name=contact]")
    team.check("input[name=publish_deals]")
    team.click("form[action$='/investors'] button[type=submit]")
    expect(team.locator("body")).to_contain_text("普陀创投")

    # The organiser exports the leads and records the signed intent.
    organiser = new_context().new_page()
    login(organiser, base, world.organiser.email, "/manage")
    organiser.goto(f"{base}/manage/contests/{world.contest.id}/investors")
    expect(organiser.locator("table").first).to_contain_text(entry.title)
    with organiser.expect_download() as download:
        organiser.click(f"a[href='/api/v1/contests/{world.contest.id}/leads.xlsx']")
    assert download.value.suggested_filename == f"leads-{world.contest.id}.xlsx"
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = [[str(c) for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert any(entry.title in row and "现场路演很精彩，想尽快跟进" in row for row in rows)
    # One click on the mark: without mail configured, the request is ready for the
    # organiser's mail program, addressed to the investor with the team in copy.
    organiser.locator("form.meeting-form button").first.click()
    mailto = organiser.locator("#meeting a[href^='mailto:']")
    expect(mailto).to_be_visible()
    assert mailto.get_attribute("href").startswith(
        f"mailto:{guests.investor.email}?cc={entry.leader_email}&subject=")
    expect(organiser.locator("#meeting")).to_contain_text(entry.title)
    screenshot(organiser, "organiser-leads")
    organiser.click(f"a[href='/manage/contests/{world.contest.id}/follow-up']")
    organiser.select_option("#f-entry_id", str(entry.id))
    organiser.select_option("#f-kind", "investment_intent")
    organiser.fill("#f-partner", "普陀创投")
    organiser.fill("#f-amount_wan", "500")
    organiser.fill("#f-signed_on", "2023-11-07")
    organiser.check("input[name=public]")
    organiser.click("form[action$='/deals'] button[type=submit]")
    expect(organiser.locator(".flash-success")).to_be_visible()
    screenshot(organiser, "organiser-follow-up")
    db.rollback()  # a fresh snapshot: the server wrote since the last read
    deal = db.scalars(select(Deal)).one()
    assert deal.kind == "investment_intent"
    # The signed intent's PDF, attached from the deal's row.
    signed = tmp_path / "投资意向书.pdf"
    signed.write_bytes(factories.pdf_bytes("投资意向书 signed on stage"))
    organiser.set_input_files(f"#file-{deal.id}", str(signed))
    organiser.click(f"form[action='/manage/deals/{deal.id}/document'] button[type=submit]")
    expect(organiser.locator(f"a[href='/api/v1/deals/{deal.id}/document']")).to_have_text(
        "投资意向书.pdf")
    screenshot(organiser, "organiser-follow-up-pdf")
    organiser.set_viewport_size({"width": 375, "height": 812})
    screenshot(organiser, "organiser-follow-up-phone")

    # The team sees it; the public page lists it.
    team.reload()
    expect(team.locator("table")).to_contain_text("签署投资意向书")
    with team.expect_download() as pdf:
        team.click(f"a[href='/api/v1/deals/{deal.id}/document']")
    assert Path(pdf.value.path()).read_bytes() == signed.read_bytes()
    screenshot(team, "team-deals")
    public = new_context(phone=True).new_page()
    public.goto(f"{base}/results/{world.contest.id}/signed")
    expect(public.locator(".signed-list h2")).to_have_text([entry.title])
    screenshot(public, "public-signed")
