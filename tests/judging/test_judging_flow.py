"""A judge's list, recusal, and the organiser reopening a sheet, through the API."""

import pytest
from sqlalchemy import select
from sqlmodel import Session

from contest.models import Assignment, AuditRecord, Conflict, CriterionScore, ScoreSheet
from tests import factories
from tests.judging_setup import Scoring, arrange_scoring, full_scores, read


@pytest.fixture(autouse=True)
def english(client) -> None:  # type: ignore[no-untyped-def]
    client.headers["Accept-Language"] = "en"


@pytest.fixture
def scoring(db: Session, world: factories.World) -> Scoring:
    return arrange_scoring(db, world)


@pytest.fixture
def judge(client, world) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return factories.bearer(client, world.judge_users[0])


@pytest.fixture
def organiser(client, world) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return factories.bearer(client, world.organiser)


def _submit(client, scoring: Scoring, headers, entry_index: int = 0):  # type: ignore[no-untyped-def]
    response = client.put(
        scoring.url(scoring.entries[entry_index]),
        json={"scores": full_scores(scoring), "comment": "很好", "submit": True},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response


def test_my_assignments_lists_state_per_entry(client, scoring, judge):
    _submit(client, scoring, judge, 0)
    first, second = scoring.entries[:2]

    response = client.get(f"/api/v1/me/assignments?round_id={scoring.round_id}", headers=judge)

    assert response.status_code == 200
    assert [
        (a["entry_id"], a["title"], a["track_code"], a["state"], a["total"])
        for a in response.json()
    ] == [
        (first.id, "参赛项目1", "startup", "submitted", 83.1),
        (second.id, "参赛项目2", "creative", "todo", None),
    ]


def test_my_assignments_without_round_lists_every_round(client, db, scoring, judge):
    factories.assign(db, scoring.world.semifinal, scoring.world.judges[0], scoring.entries[2])
    db.commit()

    response = client.get("/api/v1/me/assignments", headers=judge)

    assert sorted((a["round_id"], a["entry_id"]) for a in response.json()) == sorted(
        [
            (scoring.round_id, scoring.entries[0].id),
            (scoring.round_id, scoring.entries[1].id),
            (scoring.world.semifinal.id, scoring.entries[2].id),
        ]
    )


def test_my_assignments_draft_state(client, scoring, judge):
    client.put(scoring.url(scoring.entries[1]), json={"scores": {}}, headers=judge)

    states = [a["state"] for a in client.get("/api/v1/me/assignments", headers=judge).json()]

    assert states == ["todo", "draft"]


def test_my_assignments_other_contest_round_404(client, db, scoring, judge):
    other_round = factories.round_(db, scoring.world.other_contest)
    db.commit()

    response = client.get(f"/api/v1/me/assignments?round_id={other_round.id}", headers=judge)

    assert response.status_code == 404


@pytest.mark.parametrize("who", ["organiser", "team"])
def test_my_assignments_other_roles_403(client, scoring, who):
    account = scoring.world.organiser if who == "organiser" else scoring.world.team
    headers = factories.bearer(client, account)

    assert client.get("/api/v1/me/assignments", headers=headers).status_code == 403


def test_my_assignments_anonymous_401(client, scoring):
    assert client.get("/api/v1/me/assignments").status_code == 401


def test_reopen_sets_draft_keeps_values_and_audits(client, db, scoring, judge, organiser):
    _submit(client, scoring, judge)
    entry = scoring.entries[0]

    response = client.post(
        f"/api/v1/rounds/{scoring.round_id}/sheets/reopen",
        json={"judge_id": scoring.world.judges[0].id, "entry_id": entry.id, "reason": "误填"},
        headers=organiser,
    )

    assert response.status_code == 200, response.text
    assert (response.json()["state"], response.json()["total"]) == ("draft", 83.1)
    [(sheet,)] = read(db, select(ScoreSheet))
    assert (sheet.state, sheet.submitted_at, sheet.revision) == ("draft", None, 2)
    assert len(read(db, select(CriterionScore))) == 5
    [(record,)] = read(db, select(AuditRecord).where(AuditRecord.action == "sheet.reopen"))
    assert record.reason == "误填"
    assert record.before["state"] == "submitted"
    assert record.after["state"] == "draft"
    assert record.before["total_tenths"] == record.after["total_tenths"] == 831
    assert record.actor_id == scoring.world.organiser.id


def test_reopened_sheet_can_be_changed_and_resubmitted(client, scoring, judge, organiser):
    _submit(client, scoring, judge)
    client.post(
        f"/api/v1/rounds/{scoring.round_id}/sheets/reopen",
        json={
            "judge_id": scoring.world.judges[0].id,
            "entry_id": scoring.entries[0].id,
            "reason": "复核",
        },
        headers=organiser,
    )

    response = client.put(
        scoring.url(scoring.entries[0]),
        json={"scores": full_scores(scoring, (30, 25, 20, 15, 10)), "submit": True},
        headers=judge,
    )

    assert (response.json()["state"], response.json()["total"]) == ("submitted", 100.0)


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopen_without_reason_422(client, db, scoring, judge, organiser, reason):
    _submit(client, scoring, judge)

    response = client.post(
        f"/api/v1/rounds/{scoring.round_id}/sheets/reopen",
        json={
            "judge_id": scoring.world.judges[0].id,
            "entry_id": scoring.entries[0].id,
            "reason": reason,
        },
        headers=organiser,
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "reason"
    assert read(db, select(ScoreSheet.state)) == [("submitted",)]


def test_reopen_a_draft_409(client, scoring, judge, organiser):
    client.put(scoring.url(scoring.entries[0]), json={"scores": {}}, headers=judge)

    response = client.post(
        f"/api/v1/rounds/{scoring.round_id}/sheets/reopen",
        json={
            "judge_id": scoring.world.judges[0].id,
            "entry_id": scoring.entries[0].id,
            "reason": "x",
        },
        headers=organiser,
    )

    assert response.status_code == 409


def test_reopen_missing_sheet_404(client, scoring, organiser):
    response = client.post(
        f"/api/v1/rounds/{scoring.round_id}/sheets/reopen",
        json={
            "judge_id": scoring.world.judges[0].id,
            "entry_id": scoring.entries[0].id,
            "reason": "x",
        },
        headers=organiser,
    )

    assert response.status_code == 404


def test_reopen_by_other_organiser_404_and_judge_403(client, db, scoring, judge):
    _submit(client, scoring, judge)
    body = {
        "judge_id": scoring.world.judges[0].id,
        "entry_id": scoring.entries[0].id,
        "reason": "x",
    }
    url = f"/api/v1/rounds/{scoring.round_id}/sheets/reopen"

    other = client.post(
        url, json=body, headers=factories.bearer(client, scoring.world.other_organiser)
    )
    by_judge = client.post(url, json=body, headers=judge)
    anonymous = client.post(url, json=body, headers={"Authorization": ""})

    assert (other.status_code, by_judge.status_code, anonymous.status_code) == (404, 403, 401)
    assert read(db, select(ScoreSheet.state)) == [("submitted",)]


def test_recuse_declares_conflict_and_reassigns_least_loaded(client, db, scoring, judge):
    world = scoring.world
    entry = scoring.entries[0]
    factories.assign(db, world.preliminary, world.judges[1], scoring.entries[2])
    db.commit()
    client.put(scoring.url(entry), json={"scores": {str(scoring.criteria[0].id): 5}}, headers=judge)

    response = client.post(
        f"/api/v1/rounds/{scoring.round_id}/entries/{entry.id}/recuse",
        json={"reason": "与项目负责人为同门"},
        headers=judge,
    )

    assert response.status_code == 200, response.text
    # judges[1] has one entry, judges[2] none: the least loaded takes over.
    assert response.json() == {"replacement_judge_id": world.judges[2].id}
    assignments = read(
        db, select(Assignment.judge_id, Assignment.source).where(Assignment.entry_id == entry.id)
    )
    assert assignments == [(world.judges[2].id, "recusal")]
    assert read(db, select(Conflict.judge_id, Conflict.entry_id, Conflict.reason)) == [
        (world.judges[0].id, entry.id, "与项目负责人为同门")
    ]
    assert read(db, select(ScoreSheet)) == []
    actions = {row[0] for row in read(db, select(AuditRecord.action))}
    assert {"assignment.recuse", "conflict.declare"} <= actions


def test_recuse_after_submitting_409(client, db, scoring, judge):
    _submit(client, scoring, judge)

    response = client.post(
        f"/api/v1/rounds/{scoring.round_id}/entries/{scoring.entries[0].id}/recuse",
        json={"reason": "x"},
        headers=judge,
    )

    assert response.status_code == 409
    assert len(read(db, select(Assignment))) == 2
    assert read(db, select(Conflict)) == []


def test_recuse_needs_a_reason_422(client, scoring, judge):
    response = client.post(
        f"/api/v1/rounds/{scoring.round_id}/entries/{scoring.entries[0].id}/recuse",
        json={"reason": " "},
        headers=judge,
    )

    assert response.status_code == 422


def test_recuse_unassigned_entry_404(client, scoring, judge):
    response = client.post(
        f"/api/v1/rounds/{scoring.round_id}/entries/{scoring.entries[2].id}/recuse",
        json={"reason": "x"},
        headers=judge,
    )

    assert response.status_code == 404
