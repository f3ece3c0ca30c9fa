"""The live final's pages in every phase of a pitch, checked by axe-core (no serious or
critical violation) and, on phones, for width at 375 px. Every other page type is
checked in tests/browser/test_every_page.py, on the demo contest, whose final is over.
"""

from axe_playwright_python.sync_playwright import Axe

from contest.live import presence
from tests import factories
from tests.browser.axe_check import describe, violations
from tests.browser.site_pages import log_in
from tests.live_setup import arrange_final, drawn, step


def test_the_live_final_pages_in_every_phase_of_a_pitch(
    live_server, new_context, db, world, client, settings, screenshot
) -> None:
    """The demo's final is over; here one is under way: the console, the pre-flight, a
    judge's phone, the audience's phone and the big screen while a project pitches,
    answers questions and is scored, checked by axe and (phones) for width at 375 px."""
    final = arrange_final(db, world, entries=3, judges=5)
    client.headers.update(factories.bearer(client, world.organiser))
    drawn(client, final)
    f = final.round.id
    screen = presence.screen_pass(settings.secret_key, f)
    console = new_context().new_page()
    log_in(console, live_server, world.organiser.email, factories.PASSWORD)
    judge = new_context(phone=True).new_page()
    log_in(judge, live_server, final.judge_users[0].email, factories.PASSWORD)
    pages = [
        ("console", console, f"/manage/rounds/{f}/live"),
        ("pre-flight", console, f"/manage/rounds/{f}/live/preflight"),
        ("judge's phone", judge, f"/judge/rounds/{f}/live"),
        ("audience's phone", new_context(phone=True).new_page(), f"/live/{f}"),
        ("big screen", new_context().new_page(), f"/live/{f}?screen={screen}"),
    ]
    axe = Axe()

    found: list[str] = []
    for action in ("start", "qa", "score"):
        assert step(client, final, action).status_code == 200
        for kind, tab, url in pages:
            response = tab.goto(f"{live_server}{url}")
            assert response is not None, url
            assert response.ok, (url, response.status)
            tab.wait_for_timeout(300)  # the first poll has drawn the phase
            found += [describe(f"{kind}, {action}", url, v) for v in violations(axe, tab)]
            width = tab.evaluate("document.scrollingElement.scrollWidth")
            viewport = tab.viewport_size
            assert viewport is not None
            if width > viewport["width"]:
                found.append(f"{kind}, {action} ({url}): {width} px wide at {viewport['width']}")
        screenshot(judge, f"judge-{action}")

    assert not found, "\n".join(found)
