"""Assignments through the API: automatic, listed, added and removed by hand; who may."""

from collections import Counter

import pytest
from sqlalchemy import select
from sqlmodel import Session

from contest.models import Assignment, AuditRecord, ScoreSheet
from tests import factories
from tests.judging_setup import read


@pytest.fixture(autouse=True)
def english(client) -> None:  # type: ignore[no-untyped-def]
    client.headers["Accept-Language"] = "en"


@pytest.fixture
def entries(db: Session, world: factories.World) -> list:
    """Four entries; 2 judges per entry from the world's three judges (机构1..3)."""
    world.preliminary.judges_per_entry = 2
    items = [
        factories.entry(
            db, world.contest, world.startup, institution=f"大学{i}", rounds=(world.preliminary,)
        )
        for i in range(4)
    ]
    db.commit()
    return items


@pytest.fixture
def organiser(client, world) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return factories.bearer(client, world.organiser)


def _url(world: factories.World, tail: str = "") -> str:
    return f"/api/v1/rounds/{world.preliminary.id}/assignments{tail}"


def _pairs(db: Session) -> list[tuple[int, int, str]]:
    return sorted(read(db, select(Assignment.judge_id, Assignment.entry_id, Assignment.source)))


def test_auto_assign_answers_count_and_lists_them(client, db, world, entries, organiser):
    response = client.post(_url(world, "/auto"), json={"seed": 11}, headers=organiser)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["assignments"], body["added"], body["seed"]) == (8, 8, 11)
    assert (body["min_load"], body["max_load"]) in {(2, 3), (3, 3)}
    listed = client.get(_url(world), headers=organiser).json()
    assert sorted((a["judge_id"], a["entry_id"], a["source"]) for a in listed) == _pairs(db)
    assert Counter(a["entry_id"] for a in listed) == {e.id: 2 for e in entries}


def test_auto_assign_without_body_draws_a_seed(client, world, entries, organiser):
    response = client.post(_url(world, "/auto"), headers=organiser)

    assert response.status_code == 200
    assert isinstance(response.json()["seed"], int)
    assert response.json()["assignments"] == 8


def test_auto_assign_same_seed_same_result(client, db, world, entries, organiser):
    client.post(_url(world, "/auto"), json={"seed": 5}, headers=organiser)
    first = _pairs(db)

    client.post(_url(world, "/auto"), json={"seed": 5}, headers=organiser)

    assert _pairs(db) == first


def test_auto_assign_infeasible_409_names_entries_nothing_changed(client, db, world, organiser):
    world.preliminary.judges_per_entry = 3
    lacking = factories.entry(
        db,
        world.contest,
        world.startup,
        institution="机构2",
        title="缺评委的项目",
        rounds=(world.preliminary,),
    )
    db.commit()

    response = client.post(_url(world, "/auto"), json={"seed": 1}, headers=organiser)

    assert response.status_code == 409
    body = response.json()
    assert body["lacking"] == [{"entry_id": lacking.id, "eligible": 2}]
    assert "缺评委的项目" in body["detail"]
    assert "fewer than 3" in body["detail"]
    assert _pairs(db) == []
    assert read(db, select(AuditRecord)) == []


def test_auto_assign_bad_seed_422(client, world, entries, organiser):
    response = client.post(_url(world, "/auto"), json={"seed": "abc"}, headers=organiser)

    assert response.status_code == 422


def test_manual_add_201_then_duplicate_409(client, db, world, entries, organiser):
    body = {"judge_id": world.judges[0].id, "entry_id": entries[0].id}

    first = client.post(_url(world), json=body, headers=organiser)
    again = client.post(_url(world), json=body, headers=organiser)

    assert first.status_code == 201
    assert first.json() == {**body, "source": "manual"}
    assert again.status_code == 409
    assert "already" in again.json()["detail"]
    assert _pairs(db) == [(world.judges[0].id, entries[0].id, "manual")]


def test_manual_add_conflict_409(client, db, world, organiser):
    same = factories.entry(
        db, world.contest, world.startup, institution="机构1", rounds=(world.preliminary,)
    )
    db.commit()

    response = client.post(
        _url(world), json={"judge_id": world.judges[0].id, "entry_id": same.id}, headers=organiser
    )

    assert response.status_code == 409
    assert "conflict" in response.json()["detail"]
    assert _pairs(db) == []


def test_manual_add_judge_of_other_contest_422(client, db, world, entries, organiser):
    stranger = factories.judge(db, world.other_contest)
    db.commit()

    response = client.post(
        _url(world), json={"judge_id": stranger.id, "entry_id": entries[0].id}, headers=organiser
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "judge_id"]


def test_delete_removes_assignment_204(client, db, world, entries, organiser):
    factories.assign(db, world.preliminary, world.judges[0], entries[0])
    db.commit()

    response = client.request(
        "DELETE",
        _url(world),
        json={"judge_id": world.judges[0].id, "entry_id": entries[0].id},
        headers=organiser,
    )

    assert response.status_code == 204
    assert _pairs(db) == []


def test_delete_with_submitted_sheet_409(client, db, world, entries, organiser):
    factories.assign(db, world.preliminary, world.judges[0], entries[0])
    factories.sheet(db, world.preliminary, world.judges[0], entries[0], [1, 2, 3, 4, 5])
    db.commit()

    response = client.request(
        "DELETE",
        _url(world),
        json={"judge_id": world.judges[0].id, "entry_id": entries[0].id},
        headers=organiser,
    )

    assert response.status_code == 409
    assert len(_pairs(db)) == 1
    assert len(read(db, select(ScoreSheet))) == 1


def test_delete_unknown_404(client, world, entries, organiser):
    response = client.request(
        "DELETE",
        _url(world),
        json={"judge_id": world.judges[0].id, "entry_id": entries[0].id},
        headers=organiser,
    )

    assert response.status_code == 404


ROUTES = [
    ("POST", "/auto", {"seed": 1}),
    ("GET", "", None),
    ("POST", "", "pair"),
    ("DELETE", "", "pair"),
]


@pytest.mark.parametrize(("method", "tail", "body"), ROUTES)
@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 401), ("team", 403), ("judge", 403), ("other_organiser", 404)],
)
def test_assignment_routes_permissions(
    client, db, world, entries, method, tail, body, who, expected
):
    factories.assign(db, world.preliminary, world.judges[0], entries[0])
    db.commit()
    accounts = {
        "team": world.team,
        "judge": world.judge_users[0],
        "other_organiser": world.other_organiser,
    }
    headers = factories.bearer(client, accounts[who]) if who in accounts else {}
    payload = (
        {"judge_id": world.judges[1].id, "entry_id": entries[1].id} if body == "pair" else body
    )
    if method == "DELETE":
        payload = {"judge_id": world.judges[0].id, "entry_id": entries[0].id}

    response = client.request(method, _url(world, tail), json=payload, headers=headers)

    assert response.status_code == expected
    assert _pairs(db) == [(world.judges[0].id, entries[0].id, "manual")]


def test_auto_assign_rebalance_flag_keeps_existing(client, db, world, entries, organiser):
    client.post(_url(world, "/auto"), json={"seed": 3}, headers=organiser)
    first = _pairs(db)

    response = client.post(
        _url(world, "/auto"), json={"seed": 99, "rebalance": True}, headers=organiser
    )

    assert response.status_code == 200
    assert (response.json()["added"], response.json()["replaced"]) == (0, 0)
    assert _pairs(db) == first
