"""Browser tests: the app served by uvicorn in a thread, driven by Playwright in Chromium.

Without Chromium these tests skip, except where TIANJIAO_REQUIRE_BROWSER=1 (as in CI),
where a missing browser is a failure. Screenshots of each step go to test-artifacts/
(not committed) with TIANJIAO_SCREENSHOTS=1 (`make screenshots`); without it only the
screenshots that show a failure are taken. A full-page screenshot is about a tenth of a
second of Chromium's CPU, and a run of the suite took 376 of them that nobody looked at.
"""

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.serving import serving

# Debian's Chromium without its browser UI (package chromium-headless-shell: the same
# build and Blink, what Playwright itself runs headless tests in) where installed: a third
# less CPU than full Chromium run headless (the whole-contest walk: 114 -> 75 s).
# TIANJIAO_CHROMIUM=/usr/bin/chromium runs the tests in the full browser.
HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"
CHROMIUM = os.environ.get("TIANJIAO_CHROMIUM") or (
    HEADLESS_SHELL if Path(HEADLESS_SHELL).exists() else "/usr/bin/chromium"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 860}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if os.environ.get("TIANJIAO_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium is required but not found at {CHROMIUM}")
        pytest.skip("Chromium is not installed (apt-get install chromium-headless-shell)")

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The test app on a real port, for the browser; its URL."""
    with serving(app, lifespan="off") as base:
        yield base


# A document shown inside a page (the judge's score sheet opens the first one beside the
# sheet on a wide screen): /documents/<id>?inline=1 in an iframe.
PREVIEW = re.compile(r"/documents/\d+\?inline=1$")


class Previews:
    """Document previews in iframes: each answer the app gives one is checked to be the PDF,
    served inline (an attachment in a frame is a download, not a preview). The answers are
    read as they pass: routing them instead turns the browser's cache off for every request
    of the test (each page then fetched and parsed its style sheets and scripts again, a
    quarter more Chromium CPU a page). The headless shell has no PDF viewer: it hands a PDF
    in a frame over as a download, which nothing looks at."""

    def __init__(self) -> None:
        self.served: list[str] = []
        self.wrong: list[str] = []

    def check(self, response) -> None:  # type: ignore[no-untyped-def]
        request = response.request
        if not PREVIEW.search(request.url) or request.frame.parent_frame is None:
            return  # not a preview, or opened as a page of its own
        kind = response.headers.get("content-type")
        disposition = response.headers.get("content-disposition", "")
        if response.status == 200 and kind == "application/pdf" and disposition.startswith(
            "inline"
        ):
            self.served.append(request.url)
        else:
            self.wrong.append(f"{request.url}: {response.status} {kind} {disposition}")


@pytest.fixture
def previews() -> Iterator[Previews]:
    """The document previews the test's pages showed; every one must have been a PDF."""
    seen = Previews()
    yield seen
    assert not seen.wrong, "a document preview did not get its PDF:\n" + "\n".join(seen.wrong)


@pytest.fixture
def new_context(browser, previews):
    """Browser contexts (separate people: own cookies), closed after the test."""
    contexts = []

    def make(*, phone: bool = False, locale: str = "zh-CN"):
        context = browser.new_context(
            viewport=PHONE if phone else DESKTOP,
            locale=locale,
            device_scale_factor=1,
            accept_downloads=True,
        )
        context.set_default_timeout(10_000)
        # A page load waits longer: on 2 cores shared by 4 test processes a login page
        # once took over 10 s to load (a page that never loads still fails).
        context.set_default_navigation_timeout(30_000)
        context.on("response", previews.check)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


SCREENSHOTS = os.environ.get("TIANJIAO_SCREENSHOTS") == "1"


@pytest.fixture
def screenshot(request: pytest.FixtureRequest):
    """Save a full-page screenshot named after the test and a step, when screenshots are
    asked for (TIANJIAO_SCREENSHOTS=1) or it shows a failure (`failure=True`); its path,
    or None when none was taken."""
    test_name = request.node.name.replace("[", "-").replace("]", "")

    def take(page, step: str, *, failure: bool = False) -> Path | None:
        if not (SCREENSHOTS or failure):
            return None
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{test_name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
