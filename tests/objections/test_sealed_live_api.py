"""Nothing before it is published: the live final's public state is 404 until the
previous round's advancement is published; a draft contest cannot start its final."""

from datetime import timedelta

from contest.core.enums import ContestStatus
from contest.models import utcnow
from tests import factories
from tests.live_setup import arrange_final


def test_live_state_hidden_until_previous_round_published(client, db, world):
    final = arrange_final(db, world, published=False)
    url = f"/api/v1/rounds/{world.final.id}/live"

    anonymous = client.get(url)
    page = client.get(f"/live/{world.final.id}")
    organiser = client.get(url, headers=factories.bearer(client, world.organiser))

    assert anonymous.status_code == 404
    assert page.status_code == 404
    assert organiser.status_code == 200
    assert "决赛项目1" not in anonymous.text + page.text
    assert final.entries


def test_live_state_public_once_previous_round_published(client, db, world):
    arrange_final(db, world, published=True)

    assert client.get(f"/api/v1/rounds/{world.final.id}/live").status_code == 200


def test_draft_contest_cannot_start_live_final(client, db, world):
    final = arrange_final(db, world)
    world.contest.status = ContestStatus.draft
    db.add(world.contest)
    db.commit()
    auth = factories.bearer(client, world.organiser)

    response = client.post(
        f"/api/v1/rounds/{world.final.id}/live",
        json={"action": "start", "entry_id": final.entries[0].id},
        headers=auth,
    )

    assert response.status_code == 409
    assert "draft" in response.json()["detail"] or "草稿" in response.json()["detail"]
    state = client.get(f"/api/v1/rounds/{world.final.id}/live", headers=auth).json()
    assert state["phase"] == "waiting"


def test_assignment_in_a_closed_round_is_409(client, db, world):
    entry = factories.entry(db, world.contest, world.creative, rounds=(world.preliminary,))
    world.preliminary.closes_at = utcnow() - timedelta(minutes=1)
    db.add(world.preliminary)
    db.commit()
    url = f"/api/v1/rounds/{world.preliminary.id}/assignments"
    auth = factories.bearer(client, world.organiser)

    response = client.post(
        url, json={"judge_id": world.judges[0].id, "entry_id": entry.id}, headers=auth
    )

    assert response.status_code == 409
    assert client.get(url, headers=auth).json() == []
