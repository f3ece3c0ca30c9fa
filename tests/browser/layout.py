"""The check every browser test makes on a phone: the page does not scroll sideways, and
a failure names what sticks out."""

from playwright.sync_api import Page

# Elements inside a box that scrolls or clips on its own (a wide table in its wrapper,
# the tab bar) do not widen the page, so they are not named.
STICKING_OUT = """(edge) => {
  const clipped = (node) => {
    for (let box = node.parentElement; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== "visible") return true;
    }
    return false;
  };
  return Array.from(document.querySelectorAll("body *"))
    .filter((node) => node.getBoundingClientRect().right > edge && !clipped(node))
    .slice(0, 8)
    .map((node) => `${node.tagName}.${node.className} ${node.textContent.trim().slice(0, 30)}`);
}"""


def assert_no_sideways_scroll(page: Page) -> None:
    # A click's navigation returns once the new document is parsing; a layout forced
    # before all its stylesheets have loaded uses only some of them, and a page styled
    # by its feature's sheet without app.css can be wider than the phone (the
    # advancement page was 12 px too wide that way, once, on a busy machine).
    page.wait_for_load_state("load")
    width = page.evaluate("window.innerWidth")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        sticking_out = page.evaluate(STICKING_OUT, width)
        raise AssertionError(f"{page.url} is {scroll_width} px wide on {width} px: {sticking_out}")
