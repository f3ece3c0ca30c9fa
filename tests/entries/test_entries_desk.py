"""The organiser's desk on the entry list: outcome per round, award, sorting, bulk actions."""

import csv
import io
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select
from sqlmodel import Session

from contest.core.enums import EntryStatus, Tier
from contest.models import Advancement, AuditRecord, Entry, RoundEntry
from tests import factories
from tests.app_client import TestClient
from tests.certificates_setup import award
from tests.factories import World


def soup(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def organiser(client: TestClient, world: World) -> TestClient:
    factories.login(client, world.organiser)
    client.cookies.set("tj_lang", "en")
    return client


def titles(response: Any) -> list[str]:
    return [a.get_text() for a in soup(response).select("table.entries-table td.title-cell a")]


def _path(db: Session, entry: Entry, *steps: tuple[Any, EntryStatus]) -> Entry:
    for round_, status in steps:
        db.add(RoundEntry(round_id=round_.id, entry_id=entry.id, status=status))
    db.flush()
    return entry


@pytest.fixture
def finished(db: Session, world: World) -> dict[str, Entry]:
    """After the final: a gold winner, a finalist without award, two stopped earlier."""
    pre, semi, final = world.preliminary, world.semifinal, world.final
    ad, out, in_ = EntryStatus.advanced, EntryStatus.eliminated, EntryStatus.in_
    items = {
        "gold": _path(db, factories.entry(db, world.contest, world.startup, title="金奖项目"),
                      (pre, ad), (semi, ad), (final, in_)),
        "finalist": _path(db, factories.entry(db, world.contest, world.creative, title="决赛项目"),
                          (pre, ad), (semi, ad), (final, in_)),
        "semi_out": _path(db, factories.entry(db, world.contest, world.creative, title="复赛止步"),
                          (pre, ad), (semi, out)),
        "pre_out": _path(db, factories.entry(db, world.contest, world.startup, title="初赛止步"),
                         (pre, out)),
        "new": _path(db, factories.entry(db, world.contest, world.startup, title="新项目"),
                     (pre, in_)),
    }  # fmt: skip
    award(db, world.contest, items["gold"], Tier.gold)
    db.commit()
    return items


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "advanced"}, ["金奖项目", "决赛项目"]),
        ({"status": "eliminated"}, ["复赛止步", "初赛止步"]),
        ({"status": "in"}, ["新项目"]),
        ({"award": "gold"}, ["金奖项目"]),
        ({"award": "any"}, ["金奖项目"]),
        ({"award": "silver"}, []),
        ({"award": "none", "status": "advanced"}, ["决赛项目"]),
        ({"sort": "award", "order": "desc", "status": "advanced"}, ["金奖项目", "决赛项目"]),
        ({"sort": "title"}, ["决赛项目", "初赛止步", "复赛止步", "新项目", "金奖项目"]),
        (
            {"sort": "status", "order": "desc"},
            ["金奖项目", "决赛项目", "新项目", "复赛止步", "初赛止步"],
        ),
        (
            {"sort": "id", "order": "desc"},
            ["新项目", "初赛止步", "复赛止步", "决赛项目", "金奖项目"],
        ),
        ({"sort": "nonsense"}, ["金奖项目", "决赛项目", "复赛止步", "初赛止步", "新项目"]),
    ],
)
def test_filters_and_sorting_after_the_final(
    client: TestClient, world: World, finished: dict[str, Entry], query: dict[str, str],
    expected: list[str],
) -> None:  # fmt: skip
    response = organiser(client, world).get(
        f"/manage/contests/{world.contest.id}/entries", params=query
    )

    assert response.status_code == 200
    if query.get("sort") == "title":
        assert sorted(titles(response)) == sorted(expected)  # collation differs by backend
    else:
        assert titles(response) == expected


def test_a_winner_shows_its_award_and_every_round(
    client: TestClient, world: World, finished: dict[str, Entry]
) -> None:
    page = soup(organiser(client, world).get(f"/manage/contests/{world.contest.id}/entries"))
    row = page.select("table.entries-table tbody tr")[0]

    assert (
        row.select_one('td[data-label="Status"]').get_text(" ", strip=True).startswith("Advanced")
    )
    assert row.select_one('td[data-label="Award"] .badge-gold').get_text() == "Gold award"
    assert [li.get_text(" ", strip=True) for li in row.select(".outcomes li")] == [
        "preliminary: Advanced", "semifinal: Advanced", "final: In the round",
    ]  # fmt: skip
    head = page.select_one('th[aria-sort="ascending"] a')
    assert head.get_text(strip=True).startswith("No.")
    award_head = next(a for a in page.select("th a.sort-link") if "Award" in a.get_text())
    assert "sort=award" in award_head["href"]


def test_the_winners_entry_page_shows_the_award_and_no_withdraw_form(
    client: TestClient, world: World, finished: dict[str, Entry]
) -> None:
    web = organiser(client, world)

    page = soup(web.get(f"/manage/entries/{finished['gold'].id}"))
    other = soup(web.get(f"/manage/entries/{finished['finalist'].id}"))

    assert page.select_one(".entry-award .badge-gold") is not None
    assert page.select_one(f'form[action="/manage/entries/{finished["gold"].id}/withdraw"]') is None
    assert other.select_one(f'form[action="/manage/entries/{finished["finalist"].id}/withdraw"]')


def test_a_published_winner_cannot_be_withdrawn_through_the_api(
    client: TestClient, world: World, finished: dict[str, Entry]
) -> None:
    headers = factories.bearer(client, world.organiser)

    response = client.post(
        f"/api/v1/entries/{finished['gold'].id}/withdraw", json={}, headers=headers
    )

    assert response.status_code == 409


def _bulk(client: TestClient, world: World, values: dict[str, Any]) -> Any:
    return client.post(
        f"/manage/contests/{world.contest.id}/entries/bulk",
        data=factories.form(client, values),
        follow_redirects=False,
    )


def test_bulk_withdraw_needs_a_reason_and_then_withdraws_each(
    client: TestClient, db: Session, world: World, finished: dict[str, Entry]
) -> None:
    web = organiser(client, world)
    ids = [finished["new"].id, finished["pre_out"].id]

    refused = _bulk(web, world, {"action": "withdraw", "entry_ids": ids, "reason": " "})
    done = _bulk(web, world, {"action": "withdraw", "entry_ids": ids, "reason": "重复报名"})

    assert refused.status_code == 422
    assert soup(refused).select_one("#e-bulk-reason") is not None
    assert done.status_code == 303
    withdrawn = db.scalars(select(Entry.title).where(Entry.withdrawn_at.is_not(None))).all()
    assert sorted(withdrawn) == sorted(["新项目", "初赛止步"])
    records = db.scalars(select(AuditRecord).where(AuditRecord.action == "entry.withdraw")).all()
    assert [r.reason for r in records] == ["重复报名", "重复报名"]


def test_bulk_withdraw_refuses_a_selection_with_a_winner(
    client: TestClient, db: Session, world: World, finished: dict[str, Entry]
) -> None:
    web = organiser(client, world)
    ids = [finished["new"].id, finished["gold"].id]

    response = _bulk(web, world, {"action": "withdraw", "entry_ids": ids, "reason": "x"})

    assert response.status_code == 409
    assert str(finished["gold"].id) in soup(response).select_one("#e-bulk-action").get_text()
    assert db.scalars(select(Entry).where(Entry.withdrawn_at.is_not(None))).all() == []


def test_bulk_add_to_round_with_a_reason(
    client: TestClient, db: Session, world: World, finished: dict[str, Entry]
) -> None:
    web = organiser(client, world)
    entry = finished["pre_out"]
    values = {"action": "add_to_round", "entry_ids": [entry.id], "round_id": world.semifinal.id}

    missing = _bulk(web, world, values)
    added = _bulk(web, world, {**values, "reason": "复议后递补"})
    again = _bulk(web, world, {**values, "reason": "复议后递补"})

    assert missing.status_code == 422
    assert added.status_code == 303
    assert again.status_code == 303
    links = db.scalars(
        select(RoundEntry).where(
            RoundEntry.entry_id == entry.id, RoundEntry.round_id == world.semifinal.id
        )
    ).all()
    assert [link.status for link in links] == [EntryStatus.in_]
    record = db.scalars(select(AuditRecord).where(AuditRecord.action == "entry.add_to_round")).one()
    assert (record.object_id, record.reason) == (entry.id, "复议后递补")


def test_bulk_add_to_a_round_already_decided_is_refused(
    client: TestClient, db: Session, world: World, finished: dict[str, Entry]
) -> None:
    db.add(Advancement(round_id=world.preliminary.id))
    db.commit()
    web = organiser(client, world)

    response = _bulk(web, world, {"action": "add_to_round", "entry_ids": [finished["new"].id],
                                  "round_id": world.preliminary.id, "reason": "x"})  # fmt: skip

    assert response.status_code == 409


@pytest.mark.parametrize(
    "values",
    [
        {"action": "explode", "entry_ids": ["1"]},
        {"action": "export"},
        {"action": "export", "entry_ids": ["abc"]},
        {"action": "export", "entry_ids": ["999999"]},
        {"action": "add_to_round", "entry_ids": ["1"], "round_id": "x", "reason": "r"},
        {"action": "add_to_round", "entry_ids": ["1"], "round_id": "99999", "reason": "r"},
    ],
)
def test_bulk_bad_input_is_422_and_changes_nothing(
    client: TestClient, db: Session, world: World, finished: dict[str, Entry],
    values: dict[str, Any],
) -> None:  # fmt: skip
    web = organiser(client, world)
    before = db.scalars(select(RoundEntry)).all()

    response = _bulk(web, world, values)

    assert response.status_code == 422
    assert soup(response).select_one(".bulk-form .error") is not None
    assert len(db.scalars(select(RoundEntry)).all()) == len(before)


def test_bulk_export_streams_only_the_selection(
    client: TestClient, world: World, finished: dict[str, Entry]
) -> None:
    web = organiser(client, world)
    ids = [finished["gold"].id, finished["new"].id]

    response = _bulk(web, world, {"action": "export", "entry_ids": ids})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["title"] for row in rows] == ["金奖项目", "新项目"]
    assert rows[0]["status"] == "advanced"


def test_another_organisers_entries_cannot_be_selected(
    client: TestClient, db: Session, world: World
) -> None:
    theirs = factories.entry(db, world.other_contest, world.startup, title="别家")
    db.commit()
    web = organiser(client, world)

    response = _bulk(web, world, {"action": "withdraw", "entry_ids": [theirs.id], "reason": "x"})

    assert response.status_code == 422
    db.refresh(theirs)
    assert theirs.withdrawn_at is None
