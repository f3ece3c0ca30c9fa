"""No sideways scroll on a phone: every page type of the demo contest, opened at 375 px
as the person who uses it, is no wider than the screen (wide tables scroll inside their
frame or become cards). A failure names the page and its width."""

import pytest

from tests.browser.site_pages import emails, load_demo, log_in, open_registration, site_pages

PHONE_WIDTH = 375


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_page_scrolls_sideways_at_375px(
    lang, live_server, new_context, database, settings, db, screenshot
) -> None:
    """English words are longer than Chinese ones: a list of round outcomes fitted in
    Chinese and widened the English entry list to 436 px."""
    logins = load_demo(database, settings)
    pages = site_pages(db, logins, settings.secret_key)
    tabs = {"public": new_context(phone=True).new_page()}
    for who, email in emails(logins).items():
        tabs[who] = new_context(phone=True).new_page()
        log_in(tabs[who], live_server, email)
    for tab in tabs.values():
        tab.goto(f"{live_server}/lang/{lang}")

    too_wide: list[str] = []
    for n, item in enumerate(pages):
        if item.needs_registration and logins.contest_id is not None:
            open_registration(db, logins.contest_id)
        tab = tabs[item.who]
        response = tab.goto(f"{live_server}{item.url}")
        assert response is not None, item.url
        assert response.ok, (item.url, response.status)
        assert tab.viewport_size is not None
        assert tab.viewport_size["width"] == PHONE_WIDTH
        width = tab.evaluate("document.scrollingElement.scrollWidth")
        if width > PHONE_WIDTH:
            too_wide.append(f"{item.kind} ({item.url}): {width} px")
            screenshot(tab, f"{n:02d}-too-wide", failure=True)
    screenshot(tabs["organiser"], "entries-last")

    assert len(pages) > 40
    assert not too_wide, "\n".join(too_wide)
