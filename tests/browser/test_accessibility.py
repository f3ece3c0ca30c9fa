"""An accessibility check of every page type: axe-core (the copy bundled, pinned, in the
PyPI package axe-playwright-python) run in Chromium on each page of the demo contest in
Chinese, as each kind of person; no serious or critical violation is allowed.

Every rule axe runs by default is checked (WCAG 2.0/2.1 A and AA, and best practices);
minor and moderate findings are not failures here. A failure lists each violation with
its rule, the page and the first elements it names.
"""

from axe_playwright_python.sync_playwright import Axe

from contest.live import presence
from tests import factories
from tests.browser.site_pages import emails, load_demo, log_in, open_registration, site_pages
from tests.live_setup import arrange_final, drawn, step

SERIOUS = ("serious", "critical")


def violations(axe: Axe, page) -> list[dict]:  # type: ignore[no-untyped-def]
    results = axe.run(page, options={"resultTypes": ["violations"]})
    return [v for v in results.response["violations"] if v["impact"] in SERIOUS]


def describe(kind: str, url: str, violation: dict) -> str:
    targets = [", ".join(map(str, n["target"])) for n in violation["nodes"][:3]]
    rule = f"{violation['id']} [{violation['impact']}] {violation['help']}"
    return f"{kind} ({url}): {rule} -> {targets}"


def test_no_serious_accessibility_violation_on_any_page_type(
    live_server, new_context, database, settings, db, screenshot
) -> None:
    logins = load_demo(database, settings)
    pages = site_pages(db, logins, settings.secret_key)
    tabs = {"public": new_context().new_page()}
    for who, email in emails(logins).items():
        tabs[who] = new_context().new_page()
        log_in(tabs[who], live_server, email)
    axe = Axe()

    found: list[str] = []
    checked = 0
    for item in pages:
        if item.needs_registration and logins.contest_id is not None:
            open_registration(db, logins.contest_id)
        tab = tabs[item.who]
        response = tab.goto(f"{live_server}{item.url}")
        assert response is not None, item.url
        assert response.ok, (item.url, response.status)
        assert tab.evaluate("document.documentElement.lang").startswith("zh"), item.url
        found += [describe(item.kind, item.url, v) for v in violations(axe, tab)]
        checked += 1
    screenshot(tabs["organiser"], "last-page")

    assert checked == len(pages) > 40
    assert not found, "\n".join(found)


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
