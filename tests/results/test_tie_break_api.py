"""Result rows say which step of the tie-break chain decided a rank (``tie_break``), and
the pages say it in words: 并列, 同分，按中位数决胜, 同分，按『技术与创新』决胜."""

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session

from contest.models import Entry
from tests import factories
from tests.factories import World


@pytest.fixture
def organiser(client, world):  # type: ignore[no-untyped-def]
    client.headers.update(factories.bearer(client, world.organiser))
    return client


def _entry(db: Session, world: World, title: str, sheets: list[list[int]]) -> Entry:
    entry = factories.entry(
        db, world.contest, world.startup, title=title, rounds=(world.preliminary,)
    )
    for judge, values in zip(world.judges, sheets, strict=False):
        factories.sheet(db, world.preliminary, judge, entry, values)
    return entry


def _rows(client, world: World) -> dict[int, dict]:  # type: ignore[no-untyped-def]
    url = f"/api/v1/rounds/{world.preliminary.id}/results?track_code=startup"
    return {row["entry_id"]: row for row in client.get(url).json()}


def test_tie_break_median_decides_equal_scores(organiser, db, world):
    # Both average 80 over three judges; medians 85 and 80.
    high, low = [300, 250, 200, 100, 0], [300, 250, 150, 0, 0]
    a = _entry(db, world, "甲", [low, high, high])
    b = _entry(db, world, "乙", [[300, 250, 200, 0, 0], [300, 250, 200, 50, 0], high])
    db.commit()

    rows = _rows(organiser, world)

    assert (rows[a.id]["rank"], rows[b.id]["rank"]) == (1, 2)
    assert rows[a.id]["score"] == rows[b.id]["score"] == 80.0
    assert rows[a.id]["tie_break"] == rows[b.id]["tie_break"] == "median"
    assert rows[a.id]["tie"] is False


def test_tie_break_names_the_deciding_criterion(organiser, db, world):
    first, second, _third = factories.criteria(db, world.preliminary)[:3]
    same = [[300, 250, 150, 100, 50]] * 3
    a = _entry(db, world, "甲", same)
    b = _entry(db, world, "乙", [[300, 240, 160, 100, 50]] * 3)
    c = _entry(db, world, "丙", [[280, 250, 170, 100, 50]] * 3)
    lone = _entry(db, world, "丁", [[100, 100, 100, 100, 100]] * 3)
    db.commit()

    rows = _rows(organiser, world)

    assert [rows[e.id]["rank"] for e in (a, b, c, lone)] == [1, 2, 3, 4]
    assert rows[a.id]["tie_break"] == f"criterion:{second.id}"
    assert rows[b.id]["tie_break"] == f"criterion:{second.id}"
    assert rows[c.id]["tie_break"] == f"criterion:{first.id}"
    assert rows[lone.id]["tie_break"] is None


def test_tie_break_still_tied_share_rank_and_say_so(organiser, db, world):
    same = [[300, 250, 150, 100, 50]] * 3
    a = _entry(db, world, "甲", same)
    b = _entry(db, world, "乙", same)
    db.commit()

    rows = _rows(organiser, world)

    assert [(rows[e.id]["rank"], rows[e.id]["tie"], rows[e.id]["tie_break"]) for e in (a, b)] == [
        (1, True, None),
        (1, True, None),
    ]


def test_tie_break_text_on_results_page(client, db, world):
    same = [[300, 250, 150, 100, 50]] * 3
    _entry(db, world, "甲", same)
    _entry(db, world, "乙", [[280, 250, 170, 100, 50]] * 3)
    _entry(db, world, "丙", [[200, 200, 100, 100, 50]] * 3)
    _entry(db, world, "丁", [[200, 200, 100, 100, 50]] * 3)
    db.commit()
    factories.login(client, world.organiser)

    page = client.get(f"/manage/rounds/{world.preliminary.id}/results?track=startup")

    soup = BeautifulSoup(page.text, "html.parser")
    badges = [
        b.get_text(strip=True)
        for b in soup.select(".results-table .badge-tie, .results-table .badge-tiebreak")
    ]
    assert badges == ["同分，按『技术与创新』决胜"] * 2 + ["并列"] * 2
