"""The organiser's results page: ranks, scores, each judge's total with the dropped ones
struck through, tie and status badges, the z-score look and comparison, who may see it,
and a constant number of SQL statements."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import event
from sqlmodel import Session

from contest.models import Entry, Judge, User
from tests import factories
from tests.factories import World

MAXIMA = (300, 250, 200, 150, 100)


def split(total: int) -> list[int]:
    """Values of the default rubric in tenths adding up to ``total`` tenths."""
    values, left = [], total
    for most in MAXIMA:
        values.append(min(most, left))
        left -= values[-1]
    assert left == 0
    return values


class Panel:
    def __init__(self, db: Session, world: World) -> None:
        self.db, self.world = db, world
        extra = [factories.judge(db, world.contest, institution=f"机构{i}") for i in (4, 5)]
        self.judges: list[Judge] = [*world.judges, *extra]

    def entry(self, title: str, totals: list[float], *, creative: bool = False) -> Entry:
        track = self.world.creative if creative else self.world.startup
        item = factories.entry(
            self.db, self.world.contest, track, title=title, rounds=(self.world.preliminary,)
        )
        for judge, total in zip(self.judges, totals, strict=False):
            factories.sheet(self.db, self.world.preliminary, judge, item, split(round(total * 10)))
        return item


@pytest.fixture
def panel(db: Session, world: World) -> Panel:
    return Panel(db, world)


@pytest.fixture
def organiser(client, world):  # type: ignore[no-untyped-def]
    client.headers["Accept-Language"] = "en"
    return factories.login(client, world.organiser)


def page(client, world: World, query: str = "") -> BeautifulSoup:  # type: ignore[no-untyped-def]
    response = client.get(f"/manage/rounds/{world.preliminary.id}/results{query}")
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


def rows(soup: BeautifulSoup) -> list:  # type: ignore[type-arg]
    return [r for r in soup.select("table.results-table tbody tr") if "cut-row" not in r["class"]]


def test_results_page_shows_the_worked_example(organiser, db, world, panel):
    panel.entry("X", [80.0, 75.5, 90.0, 60.0, 82.5])
    panel.entry("Y", [70, 80, 85, 90])
    panel.entry("Z", [79.3, 79.4, 79.3, 79.3, 79.4])
    db.commit()

    soup = page(organiser, world)

    found = rows(soup)
    assert [r.select_one(".title-cell strong").get_text() for r in found] == ["Y", "X", "Z"]
    assert [r.select_one(".rank-number").get_text() for r in found] == ["1", "2", "3"]
    assert [r.select_one("td.score").get_text() for r in found] == ["81.25", "79.33", "79.33"]
    assert soup.select(".badge-tie") == []
    x = found[1]
    struck = [s.get_text(" ", strip=True) for s in x.select("li.dropped s")]
    fourth = db.get(User, panel.judges[3].user_id).name
    assert struck == ["评委3 90.0", f"{fourth} 60.0"]
    assert [s.select_one(".value").get_text() for s in x.select("li.dropped")] == ["90.0", "60.0"]
    kept = [li.select_one(".value").get_text() for li in x.select("li:not(.dropped)")]
    assert kept == ["82.5", "80.0", "75.5"]
    assert rows(soup)[0].select("li.dropped") == []
    assert [r.select_one(".badge-in").get_text() for r in found] == ["Pending"] * 3
    # X and Z are exactly equal (238/3): the median decides, and the page says so.
    assert [b.get_text() for b in soup.select(".badge-tiebreak")] == [
        "Equal score, decided by the median"
    ] * 2
    assert soup.select_one("nav.tabs a[aria-current=page]")["href"].endswith("/results")


def test_results_page_marks_ties_and_the_advancement_line(organiser, db, world, panel):
    panel.entry("甲", [90])
    panel.entry("乙", [80])
    panel.entry("丙", [80])
    db.commit()

    soup = page(organiser, world)

    found = rows(soup)
    tied = [r.select_one(".title-cell strong").get_text() for r in found if r.select(".badge-tie")]
    assert tied == ["乙", "丙"]
    assert [r.select_one(".rank-number").get_text() for r in found] == ["1", "2", "2"]
    # Two places advance in this track (world.preliminary.advance_count): the second
    # place is shared, so the line is drawn after the tie and says so.
    line = soup.select_one("tr.cut-row")
    assert "cut-tie" in line["class"]
    assert line.find_previous_sibling("tr").select_one("strong").get_text() == "丙"
    assert "falls inside a tie" in line.get_text()


def test_results_page_draws_the_advancement_line_after_the_nth(organiser, db, world, panel):
    for title, total in (("甲", 90), ("乙", 85), ("丙", 80)):
        panel.entry(title, [total])
    db.commit()

    soup = page(organiser, world)

    line = soup.select_one("tr.cut-row")
    assert "cut-tie" not in line["class"]
    assert line.find_previous_sibling("tr").select_one("strong").get_text() == "乙"
    assert line.get_text(strip=True) == "Advancement line: the top 2 advance"


def test_results_page_tracks_overall_and_unscored(organiser, db, world, panel):
    panel.entry("创业项目", [70])
    panel.entry("创意项目", [88], creative=True)
    factories.entry(db, world.contest, world.creative, title="未评", rounds=(world.preliminary,))
    db.commit()

    creative = page(organiser, world, "?track=creative")
    overall = page(organiser, world, "?track=all")

    assert [r.select_one("strong").get_text() for r in rows(creative)] == ["创意项目", "未评"]
    assert rows(creative)[1].select_one("td.score").get_text() == "–"
    assert "No sheet submitted" in rows(creative)[1].select_one("td.totals").get_text()
    assert [r.select_one("strong").get_text() for r in rows(overall)] == [
        "创意项目",
        "创业项目",
        "未评",
    ]
    tabs = overall.select("nav.segmented")[0]
    assert tabs.select_one("a[aria-current=page]").get_text(strip=True) == "All tracks"
    assert [a.select_one(".count").get_text() for a in tabs.select("a") if a.select(".count")] == [
        "1",
        "2",
    ]


def _zscore_case(db: Session, world: World, panel: Panel) -> None:
    """Lenient judge 1 (90, 88, 86), strict judge 2 (80, 70, 30): two places advance."""
    for title, total in (("E1", 90), ("E2", 88), ("E3", 86)):
        item = factories.entry(
            db, world.contest, world.startup, title=title, rounds=(world.preliminary,)
        )
        factories.sheet(db, world.preliminary, panel.judges[0], item, split(total * 10))
    for title, total in (("E4", 80), ("E5", 70), ("E6", 30)):
        item = factories.entry(
            db, world.contest, world.startup, title=title, rounds=(world.preliminary,)
        )
        factories.sheet(db, world.preliminary, panel.judges[1], item, split(total * 10))
    db.commit()


def test_zscore_look_reorders_and_says_it_is_only_a_look(organiser, db, world, panel):
    _zscore_case(db, world, panel)

    soup = page(organiser, world, "?track=startup&view=zscore")

    assert [r.select_one("strong").get_text() for r in rows(soup)] == [
        "E1",
        "E4",
        "E5",
        "E2",
        "E3",
        "E6",
    ]
    assert "A look only" in soup.select_one(".flash-info").get_text()
    assert soup.select("tr.cut-row") == []


def test_compare_view_shows_both_ranks_and_what_changes(organiser, db, world, panel):
    _zscore_case(db, world, panel)

    soup = page(organiser, world, "?track=startup&view=compare")

    table = soup.select_one("table.compare-table")
    cells = [
        [td.get_text(" ", strip=True) for td in tr.select("td")] for tr in table.select("tbody tr")
    ]
    assert [(c[0].split()[0], c[1], c[3], c[5]) for c in cells] == [
        ("E1", "1", "1", "="),
        ("E2", "2", "4", "▼ 2"),
        ("E3", "3", "5", "▼ 2"),
        ("E4", "4", "2", "▲ 2"),
        ("E5", "5", "3", "▲ 2"),
        ("E6", "6", "6", "="),
    ]
    changed = [tr.select_one("strong").get_text() for tr in table.select("tbody tr.changes")]
    assert changed == ["E2", "E4"]
    assert [s.select_one(".value").get_text() for s in soup.select(".stats .stat")] == ["4", "2"]
    only = page(organiser, world, "?track=startup&view=compare&changed=1")
    titles = [
        tr.select_one("strong").get_text() for tr in only.select("table.compare-table tbody tr")
    ]
    assert titles == ["E2", "E3", "E4", "E5"]


def test_results_page_in_chinese(client, db, world, panel):
    panel.entry("X", [80.0, 75.5, 90.0, 60.0, 82.5])
    db.commit()
    factories.login(client, world.organiser)

    soup = page(client, world)

    assert soup.select_one("table.results-table th").get_text() == "排名"
    assert soup.select_one(".rules").get_text() == (
        "去掉最高分和最低分后取平均（评委人数达到 5 人时适用）。标准化：不做标准化。"
    )


@contextmanager
def statements(app) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    engine = app.state.database.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize("query", ["", "?view=compare", "?track=all"])
def test_results_page_statements_do_not_grow_with_entries(app, organiser, db, world, panel, query):
    for i in range(3):
        panel.entry(f"少{i}", [70 + i, 71, 72])
    db.commit()
    with statements(app) as few:
        page(organiser, world, query)
    for i in range(30):
        panel.entry(f"多{i}", [60 + i, 61, 62], creative=i % 2 == 0)
    db.commit()
    with statements(app) as many:
        page(organiser, world, query)

    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 303), ("team", 403), ("judge", 403), ("other_organiser", 404)],
)
def test_results_page_permissions(client, world, who, expected):
    accounts = {
        "team": world.team,
        "judge": world.judge_users[0],
        "other_organiser": world.other_organiser,
    }
    if who in accounts:
        factories.login(client, accounts[who])

    response = client.get(f"/manage/rounds/{world.preliminary.id}/results", follow_redirects=False)

    assert response.status_code == expected
    if who == "anonymous":
        assert response.headers["location"].startswith("/login?next=")
    assert BeautifulSoup(response.text, "html.parser").select("table.results-table") == []
