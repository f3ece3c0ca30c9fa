"""The audit log as an organiser reads it: words, local times, diffs, filters and CSV."""

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session

from contest.models import AuditRecord
from tests import factories
from tests.app_client import TestClient
from tests.factories import World


def soup(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture
def logged(db: Session, world: World) -> World:
    entry = factories.entry(db, world.contest, world.startup, title="心电贴片")
    records = [
        AuditRecord(
            at=datetime(2023, 11, 6, 15, 30, tzinfo=UTC),  # 23:30 on the 6th in Shanghai
            actor_id=world.organiser.id, contest_id=world.contest.id, action="round.update",
            object_type="rounds", object_id=world.final.id,
            before={"judges_per_entry": 5, "closes_at": None, "blind": False},
            after={"judges_per_entry": 7, "closes_at": "2023-11-07T08:00:00+00:00", "blind": False},
            reason="评委增补",
        ),
        AuditRecord(
            at=datetime(2023, 11, 6, 16, 30, tzinfo=UTC),  # 00:30 on the 7th in Shanghai
            actor_id=None, contest_id=world.contest.id, action="live.start",
            object_type="live_states", object_id=world.final.id,
            before={"phase": "waiting"}, after={"phase": "pitching"},
        ),
        AuditRecord(
            at=datetime(2023, 11, 7, 2, 0, tzinfo=UTC),
            actor_id=world.organiser.id, contest_id=world.contest.id, action="entry.withdraw",
            object_type="entries", object_id=entry.id,
            after={"withdrawn_at": "2023-11-07T02:00:00+00:00"},
        ),
        AuditRecord(
            at=datetime(2023, 11, 7, 3, 0, tzinfo=UTC), contest_id=world.other_contest.id,
            action="awards.publish", object_type="contests", object_id=world.other_contest.id,
        ),
    ]  # fmt: skip
    db.add_all(records)
    db.commit()
    return world


def organiser(client: TestClient, world: World, lang: str = "zh") -> TestClient:
    factories.login(client, world.organiser)
    client.cookies.set("tj_lang", lang)
    return client


def url(world: World) -> str:
    return f"/manage/contests/{world.contest.id}/audit"


def test_actions_objects_and_times_read_as_words(client: TestClient, logged: World) -> None:
    page = soup(organiser(client, logged).get(url(logged)))

    items = page.select("li.audit-item")
    assert [i.select_one(".audit-action").get_text(strip=True) for i in items] == [
        "项目退赛", "现场决赛：开始路演", "轮次设置修改",
    ]  # fmt: skip
    assert [i.select_one(".audit-when").get_text() for i in items] == [
        "2023-11-07 10:00:00", "2023-11-07 00:30:00", "2023-11-06 23:30:00",
    ]  # fmt: skip
    meta = [i.select_one(".audit-meta").get_text(" ", strip=True) for i in items]
    assert "心电贴片" in meta[0]
    assert meta[1].startswith("系统")
    assert "决赛现场" in meta[1]
    assert "final" in meta[1]
    assert "live_states" not in page.get_text()
    assert "round.update" not in page.get_text(" ")


def test_before_and_after_show_only_what_changed(client: TestClient, logged: World) -> None:
    page = soup(organiser(client, logged).get(url(logged), params={"action": "round.update"}))

    rows = page.select("table.audit-diff tbody tr")
    cells = [[c.get_text(strip=True) for c in row.select("th, td")] for row in rows]
    assert cells == [
        ["每个项目的评委数", "5", "7"],
        ["截止时间", "–", "2023-11-07 16:00:00"],
    ]
    assert page.select_one(".audit-reason").get_text(strip=True).endswith("评委增补")


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({"action": "live.start"}, 1),
        ({"actor": "system"}, 1),
        ({"object": "entries"}, 1),
        ({"since": "2023-11-07"}, 2),
        ({"until": "2023-11-06"}, 1),
        ({"since": "2023-11-07", "until": "2023-11-07", "object": "entries"}, 1),
        ({"since": "not a date", "actor": "abc"}, 3),
    ],
)
def test_filters(
    client: TestClient, logged: World, query: dict[str, str], count: int
) -> None:
    response = organiser(client, logged).get(url(logged), params=query)

    assert response.status_code == 200
    assert len(soup(response).select("li.audit-item")) == count


def test_the_actor_filter_offers_the_people_in_the_log(client: TestClient, logged: World) -> None:
    page = soup(organiser(client, logged).get(url(logged)))

    people = [o.get_text() for o in page.select("#filter-actor option")]
    assert people == ["全部", "组委会", "系统"]


def test_csv_export_follows_the_filters(client: TestClient, logged: World) -> None:
    web = organiser(client, logged, "en")

    response = web.get(url(logged) + ".csv", params={"object": "rounds"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    assert rows[0]["time"] == "2023-11-06 23:30:00"
    assert rows[0]["action"] == "Round settings changed"
    assert rows[0]["action_id"] == "round.update"
    assert rows[0]["who"] == "组委会"
    assert "Judges per entry: 5 → 7" in rows[0]["changes"]
    assert rows[0]["reason"] == "评委增补"


def test_other_organisers_get_404_for_the_csv(client: TestClient, logged: World) -> None:
    factories.login(client, logged.other_organiser)

    assert client.get(url(logged) + ".csv").status_code == 404
