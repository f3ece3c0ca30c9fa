"""axe-core (the copy bundled, pinned, in the PyPI package axe-playwright-python) run on
a page: the serious and critical violations, and how a failure names them (its rule, the
page and the first elements it names)."""

from axe_playwright_python.sync_playwright import Axe

SERIOUS = ("serious", "critical")


def violations(axe: Axe, page) -> list[dict]:  # type: ignore[no-untyped-def]
    # Only the serious and critical ones come back from the page: axe's whole report is
    # about 50 kB a page, and carrying it out through Playwright cost more than a third
    # as much as the check itself.
    page.evaluate(axe.axe_script)
    return page.evaluate(  # type: ignore[no-any-return]
        f"""axe.run({{resultTypes: ["violations"]}}).then(
            (results) => results.violations.filter((v) => {list(SERIOUS)}.includes(v.impact)))"""
    )


def describe(kind: str, url: str, violation: dict) -> str:
    targets = [", ".join(map(str, n["target"])) for n in violation["nodes"][:3]]
    rule = f"{violation['id']} [{violation['impact']}] {violation['help']}"
    return f"{kind} ({url}): {rule} -> {targets}"
