"""Stored HTML and script in every text field is shown as text on every page."""

from collections.abc import Callable
from typing import Any

from bs4 import BeautifulSoup
from sqlalchemy import select

from contest.models import (
    Contest,
    Criterion,
    Document,
    Entry,
    EntryMember,
    Judge,
    Round,
    ScoreSheet,
    Track,
    User,
)
from tests import factories
from tests.investors_setup import investor
from tests.security.test_access_matrix import MATRIX, PEOPLE, caller, concrete
from tests.security.test_investor_access import INVESTOR_PAGES, call_as

PAYLOAD = '<script>alert("xss")</script><img src=x onerror=alert(1)><b id=xss>"\'>'
# For short columns (a city, a field): PostgreSQL refuses longer text, SQLite would not.
SHORT_PAYLOAD = "<b id=xss><img src=x onerror=alert(1)>"

TEXT_FIELDS = {
    Contest: ("name", "series", "description"),
    Track: ("name",),
    Round: ("name",),
    Criterion: ("name", "description"),
    Entry: ("title", "summary", "field", "institution", "city", "leader_name", "company_name"),
    EntryMember: ("name",),
    Judge: ("institution", "title"),
    User: ("name",),
    Document: ("filename",),
}


def poison(db, world, scene):
    """Put the payload in every text field of everything the scene shows."""
    entry = db.get(Entry, scene["entry_id"])
    factories.sheet(db, world.preliminary, world.judges[0], entry, [100, 100], submitted=False,
                    comment=PAYLOAD)
    for model, fields in TEXT_FIELDS.items():
        for index, row in enumerate(db.scalars(select(model))):
            for name in fields:
                length = getattr(model.__table__.c[name].type, "length", None) or 10_000
                text = PAYLOAD if length > len(PAYLOAD) + 4 else SHORT_PAYLOAD
                # Unique titles and names per contest: keep them distinct.
                setattr(row, name, f"{text}{index}" if name in ("title", "name") else text)
    world.contest.organisers = [PAYLOAD]
    db.commit()
    assert db.scalars(select(ScoreSheet)).first().comment == PAYLOAD


def injected(html: str) -> list[str]:
    page = BeautifulSoup(html, "html.parser")
    found = [f"element #{element.get('id')}" for element in page.select("#xss")]
    found += [f"<{tag.name} onerror>" for tag in page.find_all(attrs={"onerror": True})]
    for script in page.find_all("script"):
        if script.get("type") == "application/json":
            # Data for our scripts: fine as long as nothing in it can close the element.
            if "<" in script.text:
                found.append("raw < in a JSON block")
        elif "alert(" in script.text:
            found.append("script text")
    return found


def test_no_page_executes_stored_html(make_client, db, world, scene):
    poison(db, world, scene)
    account, _seat = investor(db, world.contest.id, organisation=SHORT_PAYLOAD)
    db.commit()
    # Investors are not among the matrix's people: their pages are read as an investor.
    callers: dict[str, Callable[..., Any]] = {"investor": call_as(make_client(), account)}
    pages = [path for (method, path) in MATRIX if method == "GET" and not path.startswith("/api/")]
    problems, shown = [], 0

    for path in sorted(pages):
        rule = MATRIX[("GET", path)]
        person = "investor" if ("GET", path) in INVESTOR_PAGES else next(
            p for p, expected in zip(PEOPLE, rule, strict=True) if expected == "ok"
        )
        if person not in callers:
            callers[person] = caller(make_client(), world, person)
        response = callers[person]("GET", concrete(path, scene))
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        problems += [f"{path} as {person}: {what}" for what in injected(response.text)]
        shown += PAYLOAD.split("<")[1] in BeautifulSoup(response.text, "html.parser").get_text()

    assert problems == [], problems
    assert shown >= 10  # the payload really was on the pages, as text


def test_the_detector_finds_executed_html():
    page = ('<p><b id=xss>x</b><img src=x onerror=alert(1)><script>alert("xss")</script>'
            '<script type="application/json">{"a": "<b>"}</script></p>')

    assert injected(page) == ["element #xss", "<img onerror>", "script text",
                              "raw < in a JSON block"]
