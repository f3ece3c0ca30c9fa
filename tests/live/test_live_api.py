"""The live final's state machine through the API: the order of steps, reveal rules,
overrides, finishing, revisions and the audit log."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select
from sqlmodel import Session

from contest.models import Assignment, AuditRecord, LiveState, Round, RoundEntry, ScoreSheet
from tests import factories
from tests.judging_setup import read
from tests.live_setup import Final, arrange_final, drawn, score, step


@pytest.fixture
def final(db: Session, world: factories.World) -> Final:
    return arrange_final(db, world)


@pytest.fixture
def organiser(client, world):  # type: ignore[no-untyped-def]
    client.headers.update(factories.bearer(client, world.organiser))
    client.headers["Accept-Language"] = "en"
    return client


def live_row(db: Session, final: Final) -> LiveState:
    db.expire_all()
    found = db.get(LiveState, final.round.id)
    db.commit()
    assert found is not None
    return found


def audit_actions(db: Session) -> list[tuple[str, str]]:
    rows = read(
        db,
        select(AuditRecord.action, AuditRecord.reason)
        .where(AuditRecord.action.like("live.%"))
        .order_by(AuditRecord.id),
    )
    return [(action, reason) for action, reason in rows]


def test_next_before_start_is_409_and_creates_no_state(organiser, db, final):
    drawn(organiser, final)

    response = step(organiser, final, "next")

    assert response.status_code == 409
    assert response.json()["detail"] == "Start the live final first."
    assert read(db, select(LiveState)) == []


def test_start_without_a_draw_is_409(organiser, db, final):
    response = step(organiser, final, "start")

    assert response.status_code == 409
    assert response.json()["detail"] == "Draw the presentation order first."
    assert read(db, select(LiveState)) == []


def test_start_pitches_the_first_drawn_entry_and_opens_scoring(organiser, db, final):
    order = drawn(organiser, final)

    response = step(organiser, final, "start")

    body = response.json()
    assert response.status_code == 200
    assert (body["phase"], body["stage"], body["current_entry_id"]) == (
        "pitching",
        "pitch",
        order[0],
    )
    assert body["revision"] == 1
    assert (body["submitted"], body["expected"]) == (0, 5)
    assert body["timers"]["pitch_started_at"] is not None
    assert body["timers"]["qa_started_at"] is None
    assert (body["timers"]["pitch_seconds"], body["timers"]["qa_seconds"]) == (480, 420)
    db.expire_all()
    assert db.get(Round, final.round.id).opens_at is not None
    assert [a for a, _r in audit_actions(db)] == ["live.start"]


def test_qa_starts_the_question_timer_and_score_ends_the_pitch(organiser, final):
    drawn(organiser, final)
    step(organiser, final, "start")

    qa = step(organiser, final, "qa").json()
    scoring = step(organiser, final, "score").json()

    assert (qa["phase"], qa["stage"], qa["revision"]) == ("pitching", "qa", 2)
    assert qa["timers"]["qa_started_at"] is not None
    assert (scoring["phase"], scoring["stage"], scoring["revision"]) == ("scoring", None, 3)


def test_qa_twice_is_409(organiser, final):
    drawn(organiser, final)
    step(organiser, final, "start")
    step(organiser, final, "qa")

    response = step(organiser, final, "qa")

    assert response.status_code == 409
    assert response.json()["detail"] == "The questions have already started."


def test_reveal_before_every_judge_submitted_is_409_and_changes_nothing(organiser, db, final):
    order = drawn(organiser, final)
    step(organiser, final, "start")
    step(organiser, final, "score")
    entry = next(e for e in final.entries if e.id == order[0])
    score(db, final, entry, judges=3)

    response = step(organiser, final, "reveal")

    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == (
        "2 of 5 judges have not submitted yet. Wait for them, or reveal without them by "
        "giving a reason."
    )
    assert sorted(m["judge_id"] for m in body["missing"]) == [j.id for j in final.judges[3:]]
    assert live_row(db, final).phase == "scoring"
    assert read(db, select(RoundEntry.revealed_at).where(RoundEntry.entry_id == entry.id)) == [
        (None,)
    ]


def test_reveal_when_every_judge_submitted_shows_the_trimmed_mean(organiser, db, final):
    order = drawn(organiser, final)
    step(organiser, final, "start")
    entry = next(e for e in final.entries if e.id == order[0])
    score(db, final, entry)

    body = step(organiser, final, "reveal").json()

    assert body["phase"] == "revealed"
    assert (body["submitted"], body["expected"]) == (5, 5)
    [revealed] = body["revealed"]
    # 90, 85, 80, 75, 70: the highest and lowest dropped, (85 + 80 + 75) / 3 = 80.
    assert (revealed["entry_id"], revealed["score"], revealed["score_text"]) == (
        entry.id,
        80.0,
        "80.00",
    )
    totals = sorted((j["total"], j["dropped"]) for j in revealed["judges"])
    assert totals == [(70.0, True), (75.0, False), (80.0, False), (85.0, False), (90.0, True)]
    assert sorted(j["seat"] for j in revealed["judges"]) == [1, 2, 3, 4, 5]


def test_reveal_with_override_is_audited_and_takes_the_missing_judges_off(organiser, db, final):
    order = drawn(organiser, final)
    step(organiser, final, "start")
    entry = next(e for e in final.entries if e.id == order[0])
    score(db, final, entry, judges=4)
    factories.sheet(db, final.round, final.judges[4], entry, [100], submitted=False)
    db.commit()

    body = step(organiser, final, "reveal", override_reason="评委5临时离场").json()

    assert body["phase"] == "revealed"
    assert (body["submitted"], body["expected"]) == (4, 4)
    # 90, 85, 80, 75 (four judges < trim_min_judges 5): the plain mean, 82.5.
    assert body["revealed"][0]["score"] == 82.5
    judges_left = read(
        db,
        select(Assignment.judge_id).where(
            Assignment.round_id == final.round.id, Assignment.entry_id == entry.id
        ),
    )
    assert sorted(j for (j,) in judges_left) == [j.id for j in final.judges[:4]]
    drafts = read(db, select(ScoreSheet.id).where(ScoreSheet.judge_id == final.judges[4].id))
    assert drafts == []
    assert audit_actions(db)[-1] == ("live.reveal", "评委5临时离场")
    removal = read(db, select(AuditRecord.reason).where(AuditRecord.action == "assignment.remove"))
    assert removal == [("Revealed without this judge's score: 评委5临时离场",)]


def test_reveal_with_nobody_submitted_is_409_even_with_override(organiser, final):
    drawn(organiser, final)
    step(organiser, final, "start")

    response = step(organiser, final, "reveal", override_reason="试试")

    assert response.status_code == 409
    assert response.json()["detail"] == "No judge has submitted a score for this project yet."


def test_next_while_the_current_entry_is_not_revealed_is_409(organiser, db, final):
    drawn(organiser, final)
    step(organiser, final, "start")

    response = step(organiser, final, "next")

    assert response.status_code == 409
    assert response.json()["detail"] == "Reveal the current project's score before moving on."
    assert live_row(db, final).revision == 1


def test_next_pitches_the_next_entry_in_order(organiser, db, final):
    order = drawn(organiser, final)
    step(organiser, final, "start")
    score(db, final, next(e for e in final.entries if e.id == order[0]))
    step(organiser, final, "reveal")

    body = step(organiser, final, "next").json()

    assert (body["phase"], body["current_entry_id"], body["revision"]) == (
        "pitching",
        order[1],
        3,
    )
    assert body["timers"]["qa_started_at"] is None
    assert [item["revealed"] for item in body["order"]] == [True, False, False]


def test_next_may_jump_and_the_skipped_entry_comes_up_later(organiser, db, final):
    order = drawn(organiser, final)
    by_id = {e.id: e for e in final.entries}
    step(organiser, final, "start")
    score(db, final, by_id[order[0]])
    step(organiser, final, "reveal")

    jumped = step(organiser, final, "next", entry_id=order[2]).json()
    score(db, final, by_id[order[2]])
    step(organiser, final, "reveal")
    back = step(organiser, final, "next").json()

    assert jumped["current_entry_id"] == order[2]
    assert back["current_entry_id"] == order[1]


def test_next_to_a_revealed_or_unknown_entry_is_422_naming_entry_id(organiser, db, final):
    order = drawn(organiser, final)
    step(organiser, final, "start")
    score(db, final, next(e for e in final.entries if e.id == order[0]))
    step(organiser, final, "reveal")

    again = step(organiser, final, "next", entry_id=order[0])
    unknown = step(organiser, final, "next", entry_id=999999)

    for response in (again, unknown):
        assert response.status_code == 422
        assert [e["loc"] for e in response.json()["detail"]] == [["body", "entry_id"]]
    assert live_row(db, final).current_entry_id == order[0]


def test_entry_id_with_another_action_is_422(organiser, final):
    order = drawn(organiser, final)
    step(organiser, final, "start")

    response = step(organiser, final, "qa", entry_id=order[1])

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "entry_id"]]


def test_unknown_action_is_422_naming_action(organiser, final):
    response = step(organiser, final, "rewind")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "action"]


def test_a_stale_revision_is_409(organiser, db, final):
    drawn(organiser, final)
    step(organiser, final, "start")

    response = step(organiser, final, "qa", revision=0)

    assert response.status_code == 409
    assert response.json()["revision"] == 1
    assert live_row(db, final).qa_started_at is None


def run_through(organiser, db: Session, final: Final) -> list[int]:  # type: ignore[no-untyped-def]
    order = drawn(organiser, final)
    by_id = {e.id: e for e in final.entries}
    step(organiser, final, "start")
    for n, entry_id in enumerate(order):
        if n:
            step(organiser, final, "next")
        score(db, final, by_id[entry_id], shift=n)
        assert step(organiser, final, "reveal").status_code == 200
    return order


def test_finish_after_the_last_reveal_closes_scoring(organiser, db, final):
    run_through(organiser, db, final)

    body = step(organiser, final, "finish").json()

    assert (body["phase"], body["current_entry_id"]) == ("finished", None)
    db.expire_all()
    assert db.get(Round, final.round.id).closes_at is not None
    assert [len(t["entries"]) for t in body["leaderboard"]] == [2, 1]


def test_nothing_happens_after_finish(organiser, db, final):
    run_through(organiser, db, final)
    step(organiser, final, "finish")

    answers = [step(organiser, final, a) for a in ("start", "next", "qa", "reveal", "finish")]

    assert {r.status_code for r in answers} == {409}
    assert {r.json()["detail"] for r in answers} == {
        "The live final has finished; nothing more can happen."
    }
    assert live_row(db, final).revision == 7


def test_finish_before_every_entry_pitched_needs_a_reason(organiser, db, final):
    order = drawn(organiser, final)
    step(organiser, final, "start")
    score(db, final, next(e for e in final.entries if e.id == order[0]))
    step(organiser, final, "reveal")

    refused = step(organiser, final, "finish")
    finished = step(organiser, final, "finish", override_reason="两个团队弃权")

    assert refused.status_code == 409
    assert refused.json()["entry_ids"] == order[1:]
    assert finished.json()["phase"] == "finished"
    assert audit_actions(db)[-1] == ("live.finish", "两个团队弃权")


def test_finish_mid_pitch_is_409(organiser, final):
    drawn(organiser, final)
    step(organiser, final, "start")

    response = step(organiser, final, "finish", override_reason="提前结束")

    assert response.status_code == 409
    assert response.json()["detail"] == "Reveal the current project's score before finishing."


def test_every_transition_bumps_the_revision_and_is_audited(organiser, db, final):
    run_through(organiser, db, final)
    step(organiser, final, "finish")

    assert live_row(db, final).revision == 7
    assert [a for a, _r in audit_actions(db)] == [
        "live.start",
        "live.reveal",
        "live.next",
        "live.reveal",
        "live.next",
        "live.reveal",
        "live.finish",
    ]


def test_the_leaderboard_ranks_revealed_entries_only(organiser, db, final):
    order = drawn(organiser, final)
    by_id = {e.id: e for e in final.entries}
    step(organiser, final, "start")
    score(db, final, by_id[order[0]])
    step(organiser, final, "reveal")
    step(organiser, final, "next")
    # Scored but not revealed: not on the board yet.
    score(db, final, by_id[order[1]], shift=30)

    body = organiser.get(final.live_url).json()

    listed = [e["entry_id"] for board in body["leaderboard"] for e in board["entries"]]
    assert listed == [order[0]]
    assert [r["entry_id"] for r in body["revealed"]] == [order[0]]
    assert (body["submitted"], body["expected"]) == (5, 5)


def test_override_reason_with_start_is_422(organiser, final):
    drawn(organiser, final)

    response = step(organiser, final, "start", override_reason="无")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "override_reason"]


def test_live_steps_on_an_online_round_are_409(organiser, world, final):
    response = organiser.post(
        f"/api/v1/rounds/{world.preliminary.id}/live", json={"action": "start"}
    )

    assert response.status_code == 409
    assert response.json()["detail"] == "Only a roadshow round is run live."


@contextmanager
def statements(app) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    engine = app.state.database.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_poll_costs_the_same_however_many_entries_are_revealed(app, client, db, world):
    final = arrange_final(db, world, entries=8)
    organiser = client
    organiser.headers.update(factories.bearer(organiser, world.organiser))
    order = drawn(organiser, final)
    by_id = {e.id: e for e in final.entries}
    step(organiser, final, "start")
    counts = []
    for n, entry_id in enumerate(order):
        if n:
            step(organiser, final, "next")
        score(db, final, by_id[entry_id], shift=n)
        step(organiser, final, "reveal")
        if n in (1, 7):
            with statements(app) as seen:
                assert len(organiser.get(final.live_url).json()["revealed"]) == n + 1
            counts.append(len(seen))

    assert counts[0] == counts[1]
    # 21: the contest's publications are read once (the board of a published round reads
    # its snapshot, and the screen shows a correction notice).
    assert counts[0] <= 21, counts
