"""The entry list's bulk actions in the browser: an export of the selection downloads at
once, without a question; withdrawing asks first, and saying no changes nothing; saying
yes withdraws the selected entries with the reason (issue 21: bulk actions and
confirmations)."""

from sqlalchemy import select
from sqlmodel import Session

from contest.models import AuditRecord, Entry
from tests import factories


def test_bulk_export_goes_straight_through_and_withdraw_asks_first(
    live_server, new_context, db: Session, world, screenshot
) -> None:
    entries = [
        factories.entry(db, world.contest, world.startup, title=f"批量项目{n}",
                        rounds=(world.preliminary,))
        for n in range(3)
    ]
    db.commit()
    page = new_context(phone=True).new_page()
    page.goto(f"{live_server}/login")
    page.fill("#f-email", world.organiser.email)
    page.fill("#f-password", factories.PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{live_server}/manage")
    page.goto(f"{live_server}/manage/contests/{world.contest.id}/entries")
    for entry in entries[:2]:
        page.check(f'input[name="entry_ids"][value="{entry.id}"]')
    questions: list[str] = []
    say_yes = [False]

    def answer(dialog) -> None:  # type: ignore[no-untyped-def]
        questions.append(dialog.message)
        if say_yes[0]:
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", answer)
    with page.expect_download() as download:
        page.click("#bulk-form button[type=submit]")
    assert download.value.suggested_filename.endswith(".csv")
    assert questions == []

    page.select_option("#bulk-action", "withdraw")
    page.fill("#bulk-reason", "重复报名")
    screenshot(page, "withdraw-chosen")
    page.click("#bulk-form button[type=submit]")
    page.wait_for_timeout(300)
    assert len(questions) == 1
    db.expire_all()
    assert all(db.get(Entry, e.id).withdrawn_at is None for e in entries)

    say_yes[0] = True
    page.click("#bulk-form button[type=submit]")
    page.wait_for_load_state()
    screenshot(page, "withdrawn")
    db.expire_all()
    assert [db.get(Entry, e.id).withdrawn_at is not None for e in entries] == [True, True, False]
    reasons = db.scalars(
        select(AuditRecord.reason).where(AuditRecord.action == "entry.withdraw")
    ).all()
    assert reasons == ["重复报名", "重复报名"]
    assert len(questions) == 2
