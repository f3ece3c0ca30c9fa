"""The round's progress figures through the API: exact counts, and who may see them."""

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from tests import factories


@pytest.fixture
def arranged(db: Session, world: factories.World) -> dict[str, object]:
    """3 entries x 2 judges; judge 0: 1 submitted + 1 draft; judge 1: 2 submitted; judge 2: 0.

    A fourth entry is withdrawn: its assignment is not expected.
    """
    world.preliminary.judges_per_entry = 2
    e = [
        factories.entry(
            db, world.contest, world.startup, institution=f"大学{i}", rounds=(world.preliminary,)
        )
        for i in range(4)
    ]
    j0, j1, j2 = world.judges
    for judge, entry in [(j0, e[0]), (j0, e[1]), (j1, e[0]), (j1, e[1]), (j2, e[2]), (j2, e[3])]:
        factories.assign(db, world.preliminary, judge, entry)
    factories.sheet(db, world.preliminary, j0, e[0], [100, 100, 100, 100, 100])
    factories.sheet(db, world.preliminary, j0, e[1], [100], submitted=False)
    factories.sheet(db, world.preliminary, j1, e[0], [100, 100, 100, 100, 100])
    factories.sheet(db, world.preliminary, j1, e[1], [100, 100, 100, 100, 100])
    e[3].withdrawn_at = datetime(2023, 6, 1, tzinfo=UTC)
    db.commit()
    return {"entries": e}


def test_progress_figures_are_exact(client, world, arranged):
    headers = factories.bearer(client, world.organiser)

    response = client.get(f"/api/v1/rounds/{world.preliminary.id}/progress", headers=headers)

    assert response.status_code == 200
    body = response.json()
    assert {
        k: body[k]
        for k in (
            "sheets_expected",
            "sheets_submitted",
            "sheets_draft",
            "entries",
            "entries_complete",
            "entries_short_of_judges",
        )
    } == {
        "sheets_expected": 5,
        "sheets_submitted": 3,
        "sheets_draft": 1,
        "entries": 3,
        "entries_complete": 1,
        "entries_short_of_judges": 1,
    }
    judges = {j["judge_id"]: (j["assigned"], j["submitted"], j["drafts"]) for j in body["judges"]}
    j0, j1, j2 = world.judges
    assert judges == {j0.id: (2, 1, 1), j1.id: (2, 2, 0), j2.id: (1, 0, 0)}
    last = {j["judge_id"]: j["last_activity"] for j in body["judges"]}
    assert last[j2.id] is None
    assert last[j0.id] is not None
    assert (
        next(j for j in body["judges"] if j["judge_id"] == j0.id)["email"] == "judge1@example.com"
    )


def test_progress_of_empty_round(client, world):
    headers = factories.bearer(client, world.organiser)

    body = client.get(f"/api/v1/rounds/{world.semifinal.id}/progress", headers=headers).json()

    assert (body["sheets_expected"], body["sheets_submitted"], body["entries"]) == (0, 0, 0)
    assert [j["assigned"] for j in body["judges"]] == [0, 0, 0]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 401), ("team", 403), ("judge", 403), ("other_organiser", 404)],
)
def test_progress_permissions(client, world, who, expected):
    accounts = {
        "team": world.team,
        "judge": world.judge_users[0],
        "other_organiser": world.other_organiser,
    }
    headers = factories.bearer(client, accounts[who]) if who in accounts else {}

    response = client.get(f"/api/v1/rounds/{world.preliminary.id}/progress", headers=headers)

    assert response.status_code == expected
