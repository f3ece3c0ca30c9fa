"""Every page type of the demo contest (tests/browser/site_pages.py), opened by the person
who uses it on a phone, in Chinese and in English.

- No page scrolls sideways at 375 px: wide tables scroll inside their frame or become
  cards. A failure names the page and its width.
- In Chinese, axe-core (the copy bundled, pinned, in the PyPI package
  axe-playwright-python) finds no serious or critical violation on any page, checked at
  1,280 px: the page is widened after the phone check rather than loaded a second time.
  Every rule axe runs by default is checked (WCAG 2.0/2.1 A and AA, and best practices);
  minor and moderate findings are not failures here.
"""

from collections.abc import Iterator

from axe_playwright_python.sync_playwright import Axe

from tests.browser.axe_check import describe, violations
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.site_pages import (
    SitePage,
    emails,
    load_demo,
    log_in,
    open_registration,
    site_pages,
)


def every_page(  # type: ignore[no-untyped-def]
    lang: str, live_server, new_context, database, settings, db
) -> Iterator[tuple[SitePage, object]]:
    """Each page type, loaded on a phone in `lang` by the person who uses it; the tab."""
    logins = load_demo(database, settings)
    pages = site_pages(db, logins, settings.secret_key)
    assert len(pages) > 40
    tabs = {"public": new_context(phone=True).new_page()}
    for who, email in emails(logins).items():
        tabs[who] = new_context(phone=True).new_page()
        log_in(tabs[who], live_server, email)
    for tab in tabs.values():
        tab.goto(f"{live_server}/lang/{lang}")
    for item in pages:
        if item.needs_registration and logins.contest_id is not None:
            open_registration(db, logins.contest_id)
        tab = tabs[item.who]
        response = tab.goto(f"{live_server}{item.url}")
        assert response is not None, item.url
        assert response.ok, (item.url, response.status)
        assert tab.evaluate("document.documentElement.lang").startswith(lang), item.url
        yield item, tab


def too_wide(item: SitePage, tab, screenshot, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    assert tab.viewport_size == PHONE
    width = tab.evaluate("document.scrollingElement.scrollWidth")
    if width <= PHONE["width"]:
        return []
    screenshot(tab, f"{n:02d}-too-wide", failure=True)
    return [f"{item.kind} ({item.url}): {width} px"]


def test_in_chinese_every_page_fits_a_phone_and_has_no_serious_accessibility_violation(
    live_server, new_context, database, settings, db, screenshot
) -> None:
    wide: list[str] = []
    found: list[str] = []
    axe = Axe()
    walk = every_page("zh", live_server, new_context, database, settings, db)
    for n, (item, tab) in enumerate(walk):
        wide += too_wide(item, tab, screenshot, n)
        tab.set_viewport_size(DESKTOP)  # type: ignore[attr-defined]
        found += [describe(item.kind, item.url, v) for v in violations(axe, tab)]
        tab.set_viewport_size(PHONE)  # type: ignore[attr-defined]
        checked = n + 1

    assert checked > 40
    assert not wide, "\n".join(wide)
    assert not found, "\n".join(found)


def test_in_english_no_page_scrolls_sideways_at_375px(
    live_server, new_context, database, settings, db, screenshot
) -> None:
    """English words are longer than Chinese ones: a list of round outcomes fitted in
    Chinese and widened the English entry list to 436 px."""
    wide: list[str] = []
    walk = every_page("en", live_server, new_context, database, settings, db)
    for n, (item, tab) in enumerate(walk):
        wide += too_wide(item, tab, screenshot, n)
        checked = n + 1

    assert checked > 40
    assert not wide, "\n".join(wide)
