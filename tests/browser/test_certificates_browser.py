"""Certificates in a browser: someone checks a code on a phone; an organiser revokes one.

Screenshots of each step at 375 px (and the organiser's page on a desktop) go to
test-artifacts/screenshots/.
"""

import pytest
from sqlalchemy import select

from contest.core.enums import Tier
from contest.models import Certificate
from tests import factories
from tests.browser.layout import assert_no_sideways_scroll
from tests.certificates_setup import award

CODE = "TJ-ABCD-EFGH-JKLM-NPQR"
WORDS = {
    "zh": {
        "valid": "证书有效",
        "revoked": "证书已撤销",
        "revoke": "撤销",
        "confirm": "确认撤销此证书",
    },
    "en": {
        "valid": "Valid certificate",
        "revoked": "Revoked certificate",
        "revoke": "Revoke",
        "confirm": "Revoke this certificate",
    },
}


@pytest.fixture
def issued(db, world) -> Certificate:  # type: ignore[no-untyped-def]
    entry = factories.entry(
        db, world.contest, world.startup, title="基于单细胞测序的肿瘤早筛液体活检平台"
    )
    _item, certificate = award(db, world.contest, entry, Tier.gold, code=CODE)
    db.commit()
    return certificate  # type: ignore[return-value]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_verify_a_typed_code_on_a_phone(
    live_server, new_context, screenshot, issued, lang: str
) -> None:
    page = new_context(phone=True).new_page()
    page.goto(f"{live_server}/lang/{lang}?next=/verify")
    screenshot(page, "1-form")

    page.fill("input[name=code]", "tj abcd efgh jklm npqr")
    with page.expect_navigation():
        page.click("form.verify-form button[type=submit]")

    assert (
        page.locator(".verify-valid .verify-state")
        .inner_text()
        .strip()
        .endswith(WORDS[lang]["valid"])
    )
    assert CODE in page.locator(".verify-valid").inner_text()
    assert_no_sideways_scroll(page)
    screenshot(page, "2-valid")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_organiser_revokes_and_the_code_verifies_as_revoked(
    live_server, new_context, screenshot, db, world, issued, lang: str
) -> None:
    page = new_context(phone=lang == "zh").new_page()
    page.goto(f"{live_server}/lang/{lang}?next=/login")
    page.fill("input[name=email]", world.organiser.email)
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    page.goto(f"{live_server}/manage/contests/{world.contest.id}/certificates")
    assert_no_sideways_scroll(page)
    screenshot(page, "1-list")

    item = page.locator(f"#cert-{CODE}")
    item.locator("summary", has_text=WORDS[lang]["revoke"]).click()
    item.locator("textarea[name=reason]").fill("项目材料与实际不符")
    screenshot(page, "2-reason")
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    with page.expect_navigation():
        item.locator("button[type=submit]", has_text=WORDS[lang]["confirm"]).click()
    assert len(asked) == 1
    assert CODE in asked[0]  # revoking asks first, naming the certificate
    screenshot(page, "3-revoked")

    page.goto(f"{live_server}/verify/{CODE}")
    assert (
        page.locator(".verify-revoked .verify-state")
        .inner_text()
        .strip()
        .endswith(WORDS[lang]["revoked"])
    )
    screenshot(page, "4-verify-revoked")
    db.expire_all()
    stored = db.scalars(select(Certificate)).one()
    assert stored.revoked_reason == "项目材料与实际不符"
