"""Score sheets through the API: every rule of docs/rules.md section 3, and what it changes."""

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select
from sqlmodel import Session

from contest.models import AuditRecord, CriterionScore, ScoreSheet, utcnow
from tests import factories
from tests.judging_setup import Scoring, arrange_scoring, full_scores, read


@pytest.fixture
def scoring(db: Session, world: factories.World) -> Scoring:
    return arrange_scoring(db, world)


@pytest.fixture(autouse=True)
def english(client) -> None:  # type: ignore[no-untyped-def]
    client.headers["Accept-Language"] = "en"


@pytest.fixture
def judge_headers(client, world) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return factories.bearer(client, world.judge_users[0])


def _sheets(db: Session) -> list[ScoreSheet]:
    return [row[0] for row in read(db, select(ScoreSheet).order_by(ScoreSheet.id))]


def _values(db: Session, sheet_id: int) -> dict[int, int]:
    return dict(
        read(
            db,
            select(CriterionScore.criterion_id, CriterionScore.value_tenths).where(
                CriterionScore.sheet_id == sheet_id
            ),
        )
    )


def test_save_draft_partial_stores_tenths_and_answers_total(client, db, scoring, judge_headers):
    first, second = scoring.criteria[:2]

    response = client.put(
        scoring.url(scoring.entries[0]),
        json={
            "scores": {str(first.id): 27.5, str(second.id): 20},
            "comment": "好",
            "submit": False,
        },
        headers=judge_headers,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["state"], body["total"], body["revision"]) == ("draft", 47.5, 1)
    assert body["scores"] == {str(first.id): 27.5, str(second.id): 20.0}
    [sheet] = _sheets(db)
    assert (sheet.state, sheet.comment, sheet.submitted_at) == ("draft", "好", None)
    assert _values(db, sheet.id) == {first.id: 275, second.id: 200}
    assert sheet.total_tenths == 475  # kept on the sheet for the results


def test_save_again_replaces_values_and_bumps_revision(client, db, scoring, judge_headers):
    first, second = scoring.criteria[:2]
    url = scoring.url(scoring.entries[0])
    client.put(url, json={"scores": {str(first.id): 10, str(second.id): 5}}, headers=judge_headers)

    response = client.put(url, json={"scores": {str(second.id): 7.5}}, headers=judge_headers)

    assert response.json()["revision"] == 2
    [sheet] = _sheets(db)
    assert _values(db, sheet.id) == {second.id: 75}
    assert sheet.total_tenths == 75


def test_omitted_comment_keeps_the_stored_one(client, db, scoring, judge_headers):
    url = scoring.url(scoring.entries[0])
    client.put(url, json={"scores": {}, "comment": "第一稿"}, headers=judge_headers)

    response = client.put(url, json={"scores": {}}, headers=judge_headers)

    assert response.json()["comment"] == "第一稿"
    assert _sheets(db)[0].comment == "第一稿"


def test_submit_complete_locks_sheet_and_audits(client, db, scoring, judge_headers):
    response = client.put(
        scoring.url(scoring.entries[0]),
        json={"scores": full_scores(scoring), "submit": True},
        headers=judge_headers,
    )

    assert response.status_code == 200, response.text
    assert (response.json()["state"], response.json()["total"]) == ("submitted", 83.1)
    [sheet] = _sheets(db)
    assert sheet.state == "submitted"
    assert sheet.submitted_at is not None
    actions = [row[0] for row in read(db, select(AuditRecord.action))]
    assert "sheet.submit" in actions


def test_submitted_sheet_is_locked_409(client, db, scoring, judge_headers):
    url = scoring.url(scoring.entries[0])
    client.put(url, json={"scores": full_scores(scoring), "submit": True}, headers=judge_headers)

    response = client.put(url, json={"scores": {}, "submit": False}, headers=judge_headers)

    assert response.status_code == 409
    assert "locked" in response.json()["detail"]
    [sheet] = _sheets(db)
    assert sheet.state == "submitted"
    assert len(_values(db, sheet.id)) == 5


def test_submit_incomplete_422_lists_each_missing_criterion(client, db, scoring, judge_headers):
    first = scoring.criteria[0]

    response = client.put(
        scoring.url(scoring.entries[0]),
        json={"scores": {str(first.id): 10}, "submit": True},
        headers=judge_headers,
    )

    assert response.status_code == 422
    locs = [tuple(e["loc"]) for e in response.json()["detail"]]
    assert locs == [("body", "scores", str(c.id)) for c in scoring.criteria[1:]]
    assert _sheets(db) == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (27.55, "one decimal"),
        (-1, "from 0 to 30"),
        (31, "from 0 to 30"),
        (30.01, "from 0 to 30"),
        (0.05, "one decimal"),
        (True, "Enter a number"),
        ("20", "Enter a number"),
        (None, "Enter a number"),
        ([1], "Enter a number"),
    ],
)
def test_bad_value_422_names_the_criterion(client, db, scoring, judge_headers, value, message):
    first = scoring.criteria[0]  # max 30

    response = client.put(
        scoring.url(scoring.entries[0]),
        json={"scores": {str(first.id): value}},
        headers=judge_headers,
    )

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "scores", str(first.id)]
    assert message in error["msg"]
    assert _sheets(db) == []


@pytest.mark.parametrize("value", [0, 30, 29.9, 0.1, 15])
def test_boundary_values_are_accepted(client, db, scoring, judge_headers, value):
    first = scoring.criteria[0]

    response = client.put(
        scoring.url(scoring.entries[0]),
        json={"scores": {str(first.id): value}},
        headers=judge_headers,
    )

    assert response.status_code == 200, response.text
    assert _values(db, _sheets(db)[0].id) == {first.id: round(value * 10)}


@pytest.mark.parametrize("key", ["999999", "abc", "-1"])
def test_unknown_criterion_422(client, db, scoring, judge_headers, key):
    response = client.put(
        scoring.url(scoring.entries[0]), json={"scores": {key: 1}}, headers=judge_headers
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "scores", key]
    assert _sheets(db) == []


def test_criterion_of_another_round_is_unknown(client, db, scoring, judge_headers):
    other = factories.criteria(db, scoring.world.semifinal)[0]
    db.commit()

    response = client.put(
        scoring.url(scoring.entries[0]),
        json={"scores": {str(other.id): 1}},
        headers=judge_headers,
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "Unknown criterion."


def test_unassigned_entry_404(client, db, scoring, judge_headers):
    response = client.put(
        scoring.url(scoring.entries[2]), json={"scores": {}}, headers=judge_headers
    )

    assert response.status_code == 404
    assert _sheets(db) == []


def test_other_judge_cannot_save_404(client, db, scoring):
    headers = factories.bearer(client, scoring.world.judge_users[1])

    response = client.put(scoring.url(scoring.entries[0]), json={"scores": {}}, headers=headers)

    assert response.status_code == 404
    assert _sheets(db) == []


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (None, None, "not opened"),
        (timedelta(days=1), None, "not opened"),
        (timedelta(days=-2), timedelta(days=-1), "closed"),
    ],
)
def test_round_not_open_409(client, db, scoring, judge_headers, opens, closes, message):
    round_ = scoring.world.preliminary
    now = utcnow()
    round_.opens_at = now + opens if opens is not None else None
    round_.closes_at = now + closes if closes is not None else None
    db.commit()

    response = client.put(
        scoring.url(scoring.entries[0]), json={"scores": {}}, headers=judge_headers
    )

    assert response.status_code == 409
    assert message in response.json()["detail"]
    assert _sheets(db) == []


def test_comment_too_long_422(client, db, scoring, judge_headers):
    response = client.put(
        scoring.url(scoring.entries[0]),
        json={"scores": {}, "comment": "长" * 5001},
        headers=judge_headers,
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "comment"


def test_get_sheet_before_and_after_saving(client, scoring, judge_headers):
    url = scoring.url(scoring.entries[0])
    first = scoring.criteria[0]

    empty = client.get(url, headers=judge_headers).json()
    client.put(url, json={"scores": {str(first.id): 12.3}, "comment": "c"}, headers=judge_headers)
    saved = client.get(url, headers=judge_headers).json()

    assert (empty["state"], empty["total"], empty["scores"]) == ("todo", 0.0, {})
    assert (saved["state"], saved["total"], saved["scores"], saved["comment"]) == (
        "draft",
        12.3,
        {str(first.id): 12.3},
        "c",
    )


def test_get_sheet_of_unassigned_entry_404(client, scoring, judge_headers):
    assert client.get(scoring.url(scoring.entries[2]), headers=judge_headers).status_code == 404


def test_organiser_cannot_save_a_sheet_403(client, db, scoring):
    headers = factories.bearer(client, scoring.world.organiser)

    response = client.put(scoring.url(scoring.entries[0]), json={"scores": {}}, headers=headers)

    assert response.status_code == 403
    assert _sheets(db) == []


def test_anonymous_save_401(client, scoring):
    response = client.put(scoring.url(scoring.entries[0]), json={"scores": {}})

    assert response.status_code == 401


def test_cookie_save_without_csrf_header_403(client, db, scoring):
    factories.login(client, scoring.world.judge_users[0])

    response = client.put(scoring.url(scoring.entries[0]), json={"scores": {}})

    assert response.status_code == 403
    assert _sheets(db) == []


def test_cookie_save_with_csrf_header_works(client, db, scoring):
    factories.login(client, scoring.world.judge_users[0])

    response = client.put(
        scoring.url(scoring.entries[0]),
        json={"scores": {}},
        headers={"X-CSRF-Token": client.cookies["tj_csrf"]},
    )

    assert response.status_code == 200
    assert len(_sheets(db)) == 1


def test_team_cannot_read_sheet_403(client, scoring):
    headers = factories.bearer(client, scoring.world.team)

    assert client.get(scoring.url(scoring.entries[0]), headers=headers).status_code == 403


def test_save_path_query_count_is_small(client, db, scoring, judge_headers, database):
    url = scoring.url(scoring.entries[0])
    client.put(url, json={"scores": full_scores(scoring)}, headers=judge_headers)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    engine = database.write_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.put(url, json={"scores": full_scores(scoring)}, headers=judge_headers)
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert response.status_code == 200
    # BEGIN, caller, target, rubric, upsert, lock, delete, insert, update: no N+1.
    assert len(statements) <= 9, statements
    assert read(db, select(func.count()).select_from(CriterionScore)) == [(5,)]
