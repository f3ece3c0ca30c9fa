"""The exports page: every export listed with its CSV and XLSX links, for organisers only."""

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session

from contest.exports import parallel as exports_parallel
from tests import factories
from tests.app_client import TestClient
from tests.factories import World


def url(world: World) -> str:
    return f"/manage/contests/{world.contest.id}/exports"


def test_exports_page_lists_every_export_with_its_files(
    client: TestClient, db: Session, world: World
) -> None:
    entry = factories.entry(db, world.contest, world.startup, rounds=(world.preliminary,))
    factories.assign(db, world.preliminary, world.judges[0], entry)
    factories.sheet(db, world.preliminary, world.judges[0], entry, [100, 100, 100, 100, 100])
    db.commit()
    factories.login(client, world.organiser)

    page = BeautifulSoup(client.get(url(world)).text, "html.parser")

    contest_api = f"/api/v1/contests/{world.contest.id}"
    prelim_api = f"/api/v1/rounds/{world.preliminary.id}"
    assert page.select_one(".export-hero a")["href"] == f"{contest_api}/export.xlsx"
    links = [a["href"] for a in page.select(".export-item .export-buttons a")]
    assert links[:10] == [
        f"{contest_api}/entries.csv",
        f"{contest_api}/entries.xlsx",
        f"{contest_api}/awards.csv",
        f"{contest_api}/awards.xlsx",
        f"{prelim_api}/results.csv",
        f"{prelim_api}/results.xlsx",
        f"{prelim_api}/sheets.csv",
        f"{prelim_api}/sheets.xlsx",
        f"{prelim_api}/assignments.csv",
        f"{prelim_api}/assignments.xlsx",
    ]
    assert len(links) == 4 + 3 * 6
    headings = [h.get_text(" ", strip=True) for h in page.select(".export-item h3")]
    assert headings[:5] == [
        "参赛项目 1 行",
        "奖项 0 行",
        "成绩 1 行",
        "评分表 1 行",
        "评审分配 1 行",
    ]
    assert [h.get_text(strip=True) for h in page.select(".export-group > h2")] == [
        "大赛", "preliminary", "semifinal", "final",
    ]  # fmt: skip
    assert page.select_one('.subnav a[aria-current="page"]')["href"] == url(world)


def test_exports_page_every_link_downloads(client: TestClient, world: World) -> None:
    factories.login(client, world.organiser)
    page = BeautifulSoup(client.get(url(world)).text, "html.parser")
    links = [a["href"] for a in page.select(".export-hero a, .export-item .export-buttons a")]

    statuses = {link: client.get(link).status_code for link in links}

    assert set(statuses.values()) == {200}


@pytest.mark.parametrize(
    ("who", "expected"),
    [("team", 403), ("judge", 403), ("other_organiser", 404), ("anonymous", 303)],
)
def test_exports_page_by_role(client: TestClient, world: World, who: str, expected: int) -> None:
    people = {
        "team": world.team,
        "judge": world.judge_users[0],
        "other_organiser": world.other_organiser,
    }
    if who in people:
        factories.login(client, people[who])

    response = client.get(url(world), follow_redirects=False)

    assert response.status_code == expected


@pytest.mark.parametrize(("big_from", "started"), [(1, True), (2, False)])
def test_exports_page_starts_the_export_workers_for_a_big_contest(
    client: TestClient,
    db: Session,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    big_from: int,
    started: bool,
) -> None:
    """One entry: "big" from 1 entry starts the workers, from 2 it does not."""
    factories.entry(db, world.contest, world.startup)
    db.commit()
    monkeypatch.setattr(exports_parallel, "PARALLEL_FROM", big_from)
    monkeypatch.setattr(exports_parallel, "workers", lambda: 2)
    submitted: list[object] = []
    monkeypatch.setattr(exports_parallel, "_pool", lambda: FakePool(submitted))
    factories.login(client, world.organiser)

    assert client.get(url(world)).status_code == 200

    assert len(submitted) == (2 if started else 0)


class FakePool:
    def __init__(self, submitted: list[object]) -> None:
        self.submitted = submitted

    def submit(self, fn: object) -> None:
        self.submitted.append(fn)
