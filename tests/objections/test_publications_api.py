"""Publishing freezes a versioned snapshot; while it stands, changes are refused (409
naming it); withdrawing (with a reason) lets the organiser correct and publish version 2."""

import pytest
from sqlalchemy import select

from contest.models import AuditRecord, Publication
from tests import factories
from tests.judging_setup import read
from tests.objections.publication_setup import Published


@pytest.fixture
def published(db, world, client):  # type: ignore[no-untyped-def]
    arranged = Published(db, world, client)
    assert arranged.confirm().status_code == 200
    assert arranged.publish().status_code == 200
    return arranged


def test_publish_creates_version_one_with_snapshot(published, db, world):
    [item] = published.publications()

    assert item["kind"] == "advancement"
    assert item["round_id"] == world.preliminary.id
    assert item["version"] == 1
    assert item["withdrawn_at"] is None
    assert item["withdraw_reason"] is None
    assert item["final"] is False
    assert item["objections_close_at"] > item["published_at"]
    [(snapshot,)] = read(db, select(Publication.snapshot))
    lines = snapshot["tracks"][0]["lines"]
    shown = [(line["title"], line["rank"], line["score_text"], line["status"]) for line in lines]
    assert shown == [
        ("S1", 1, "81.00", "advanced"),
        ("S2", 2, "78.00", "advanced"),
        ("S3", 3, "70.00", "eliminated"),
    ]
    assert lines[0]["judges"][0]["counted"] is True


@pytest.mark.parametrize(
    "change",
    [
        {"aggregation": "mean"},
        {"normalization": "zscore"},
        {"carry_over_weight": 0.5},
        {"trim_min_judges": 3},
        {"criteria": [{"name": "综合评价", "max_score": 100}]},
    ],
)
def test_round_settings_refused_while_published(published, client, change):
    before = client.get(published.round_url, headers=published.organiser).json()

    response = client.patch(published.round_url, json=change, headers=published.organiser)

    assert response.status_code == 409
    [item] = published.publications()
    assert str(item["id"]) in response.json()["detail"]
    assert response.json()["publication_id"] == item["id"]
    assert client.get(published.round_url, headers=published.organiser).json() == before


def test_reopen_sheet_advancement_and_open_refused_while_published(published, client, world):
    [item] = published.publications()
    reopen = client.post(
        f"{published.round_url}/sheets/reopen",
        json={
            "judge_id": world.judges[0].id,
            "entry_id": published.entries[2].id,
            "reason": "复核",
        },
        headers=published.organiser,
    )
    confirm = published.confirm([published.entries[0].id], reason="改")
    opened = client.post(f"{published.round_url}/open", headers=published.organiser)

    for response in (reopen, confirm, opened):
        assert response.status_code == 409
        assert response.json()["publication_id"] == item["id"]


def test_withdraw_needs_a_reason(published, client):
    [item] = published.publications()

    response = client.post(
        f"/api/v1/publications/{item['id']}/withdraw", json={"reason": " "},
        headers=published.organiser,
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "reason"
    assert published.publications()[0]["withdrawn_at"] is None


def test_withdraw_then_correct_then_version_two(published, client, db, world):
    [item] = published.publications()

    withdrawn = client.post(
        f"/api/v1/publications/{item['id']}/withdraw", json={"reason": "计分有误"},
        headers=published.organiser,
    )
    corrected = client.patch(
        published.round_url, json={"aggregation": "mean"}, headers=published.organiser
    )
    reconfirmed = published.confirm()
    republished = published.publish()

    assert withdrawn.status_code == 200
    assert withdrawn.json()["withdrawn_at"] is not None
    assert withdrawn.json()["withdraw_reason"] == "计分有误"
    assert corrected.status_code == 200
    assert reconfirmed.status_code == 200
    assert republished.status_code == 200
    public = published.publications()
    assert [(p["version"], p["withdrawn_at"] is None) for p in public] == [(2, True)]
    everything = published.publications(published.organiser)
    assert [(p["version"], p["withdrawn_at"] is None) for p in everything] == [
        (1, False),
        (2, True),
    ]
    actions = read(db, select(AuditRecord.action, AuditRecord.reason))
    assert ("publication.withdraw", "计分有误") in actions


def test_withdraw_twice_is_409_and_others_cannot(published, client, world):
    [item] = published.publications()
    url = f"/api/v1/publications/{item['id']}/withdraw"
    team = client.post(url, json={"reason": "x"}, headers=published.team)
    first = client.post(url, json={"reason": "错"}, headers=published.organiser)
    second = client.post(url, json={"reason": "错"}, headers=published.organiser)

    assert team.status_code == 403
    assert first.status_code == 200
    assert second.status_code == 409


def test_publications_of_a_draft_contest_are_hidden(client, db, world):
    other = world.other_contest
    other.status = "draft"
    db.add(other)
    db.commit()

    assert client.get(f"/api/v1/contests/{other.id}/publications").status_code == 404
    assert client.get("/api/v1/contests/999999/publications").status_code == 404


def test_objection_days_on_contest(client, world):
    auth = factories.bearer(client, world.organiser)
    url = f"/api/v1/contests/{world.contest.id}"

    assert client.get(url, headers=auth).json()["objection_days"] == 5
    assert client.patch(url, json={"objection_days": 7}, headers=auth).json()["objection_days"] == 7
    bad = client.patch(url, json={"objection_days": 31}, headers=auth)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][-1] == "objection_days"
    assert client.get(url, headers=auth).json()["objection_days"] == 7


def test_objection_days_on_create(client, world):
    auth = factories.bearer(client, world.organiser)
    body = {"name": "2024年第三届大赛", "year": 2024, "organisers": ["组委会"]}

    default = client.post("/api/v1/contests", json=body, headers=auth)
    chosen = client.post(
        "/api/v1/contests", json={**body, "name": "2025年第四届大赛", "objection_days": 10},
        headers=auth,
    )
    bad = client.post(
        "/api/v1/contests", json={**body, "name": "2026年第五届大赛", "objection_days": -1},
        headers=auth,
    )

    assert (default.status_code, default.json()["objection_days"]) == (201, 5)
    assert (chosen.status_code, chosen.json()["objection_days"]) == (201, 10)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][-1] == "objection_days"


def test_window_follows_objection_days(client, db, world):
    world.contest.objection_days = 0
    db.add(world.contest)
    db.commit()
    arranged = Published(db, world, client)
    arranged.confirm()
    arranged.publish()

    [item] = arranged.publications()
    objection = client.post(
        f"/api/v1/contests/{world.contest.id}/objections",
        json={"publication_id": item["id"], "reason": "太晚了"},
        headers=arranged.team,
    )

    assert item["objections_close_at"] == item["published_at"]
    assert item["final"] is True
    assert objection.status_code == 409
