"""axe-core (the copy bundled, pinned, in the PyPI package axe-playwright-python) run on
a page: the serious and critical violations, and how a failure names them (its rule, the
page and the first elements it names)."""

from axe_playwright_python.sync_playwright import Axe

SERIOUS = ("serious", "critical")


def violations(axe: Axe, page) -> list[dict]:  # type: ignore[no-untyped-def]
    results = axe.run(page, options={"resultTypes": ["violations"]})
    return [v for v in results.response["violations"] if v["impact"] in SERIOUS]


def describe(kind: str, url: str, violation: dict) -> str:
    targets = [", ".join(map(str, n["target"])) for n in violation["nodes"][:3]]
    rule = f"{violation['id']} [{violation['impact']}] {violation['help']}"
    return f"{kind} ({url}): {rule} -> {targets}"
