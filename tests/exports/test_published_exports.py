"""Exports of a published round read its publication's snapshot, not a recomputation,
and say beside each rank what the pages say: 并列, or the tie-breaker that decided it."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from sqlmodel import Session

from contest.core.enums import Role
from contest.models import Entry, utcnow
from tests import factories
from tests.app_client import TestClient
from tests.factories import World

HIGH, LOW = [300, 250, 200, 100, 0], [300, 250, 150, 0, 0]
SAME = [[300, 250, 150, 50, 0]] * 3


def _entry(db: Session, world: World, title: str, sheets: list[list[int]]) -> Entry:
    entry = factories.entry(db, world.contest, world.startup, title=title,
                            rounds=(world.preliminary,))
    for judge, values in zip(world.judges, sheets, strict=False):
        factories.sheet(db, world.preliminary, judge, entry, values)
    return entry


@pytest.fixture
def ranked(db: Session, world: World) -> dict[str, Entry]:
    """甲 and 乙 both 80.00, 甲 first by the median; 丙 and 丁 tied at 3 (75.00); closed."""
    entries = {
        "甲": _entry(db, world, "甲", [LOW, HIGH, HIGH]),
        "乙": _entry(db, world, "乙", [[300, 250, 200, 0, 0], [300, 250, 200, 50, 0], HIGH]),
        "丙": _entry(db, world, "丙", SAME),
        "丁": _entry(db, world, "丁", SAME),
    }
    world.preliminary.opens_at = utcnow() - timedelta(days=2)
    world.preliminary.closes_at = utcnow() - timedelta(minutes=1)
    db.add(world.preliminary)
    db.commit()
    return entries


def _csv(client: TestClient, url: str, headers: dict[str, str]) -> list[dict[str, str]]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _publish(client: TestClient, world: World, ranked: dict[str, Entry],
             headers: dict[str, str]) -> None:
    url = f"/api/v1/rounds/{world.preliminary.id}/advancement"
    chosen = [ranked["甲"].id, ranked["乙"].id]
    assert client.post(url, json={"entry_ids": chosen, "reason": ""},
                       headers=headers).status_code == 200
    assert client.post(f"{url}/publish", headers=headers).status_code == 200


def test_results_export_names_ties_and_tie_breaks(client, world, ranked):
    headers = factories.bearer(client, world.organiser)

    rows = _csv(client, f"/api/v1/rounds/{world.preliminary.id}/results.csv?track_code=startup",
                headers)

    shown = [(r["项目名称"], r["排名"], r["综合得分"], r["并列"]) for r in rows]
    assert shown == [
        ("甲", "1", "80.00", "同分，按中位数决胜"),
        ("乙", "2", "80.00", "同分，按中位数决胜"),
        ("丙", "3", "75.00", "并列"),
        ("丁", "3", "75.00", "并列"),
    ]


def test_published_results_export_reads_the_snapshot(client, db, world, ranked):
    headers = factories.bearer(client, world.organiser)
    _publish(client, world, ranked, headers)
    # Behind the product's back (its guards refuse such changes while the list stands):
    # a title edited and a fourth judge's sheet that would pull 丁 down on recomputation.
    ranked["甲"].title = "甲（改名）"
    db.add(ranked["甲"])
    late = factories.judge(db, world.contest, account=factories.user(db, Role.judge))
    factories.sheet(db, world.preliminary, late, ranked["丁"], [0, 0, 0, 0, 0])
    db.commit()
    url = f"/api/v1/rounds/{world.preliminary.id}/results"

    rows = _csv(client, f"{url}.csv?track_code=startup", headers)
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{url}.xlsx", headers=headers).content))

    shown = [(r["项目名称"], r["排名"], r["综合得分"], r["并列"], r["状态"]) for r in rows]
    assert shown == [
        ("甲", "1", "80.00", "同分，按中位数决胜", "晋级"),
        ("乙", "2", "80.00", "同分，按中位数决胜", "晋级"),
        ("丙", "3", "75.00", "并列", "未晋级"),
        ("丁", "3", "75.00", "并列", "未晋级"),
    ]
    sheet = book.active
    header = [c.value for c in sheet[1]]
    cells = [dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(2)]
    by_title = {c["项目名称"]: c for c in cells}
    assert by_title["丁"]["综合得分"] == 75.0
    assert by_title["丁"]["并列"] == "并列"
    assert by_title["甲"]["排名"] == 1
