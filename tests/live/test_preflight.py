"""The pre-flight check of a live final and the presence reports behind it: judges'
live pages and big screens report in; the check says what holds and what does not."""

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session

from contest.core.enums import ContestStatus
from contest.live import presence
from contest.models import Contest, LivePresence, Round, utcnow
from tests import factories
from tests.judging_setup import read
from tests.live_setup import Final, arrange_final, drawn, step


@pytest.fixture
def final(db: Session, world: factories.World) -> Final:
    return arrange_final(db, world)


@pytest.fixture
def organiser(client, world):  # type: ignore[no-untyped-def]
    client.headers.update(factories.bearer(client, world.organiser))
    client.headers["Accept-Language"] = "en"
    return client


def preflight_url(final: Final) -> str:
    return f"/api/v1/rounds/{final.round.id}/live/preflight"


def checks(client, final: Final) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    response = client.get(preflight_url(final))
    assert response.status_code == 200, response.text
    return {c["key"]: c for c in response.json()["checks"]}


def judge_client(make_client, account):  # type: ignore[no-untyped-def]
    client = make_client()
    client.headers.update(factories.bearer(client, account))
    return client


def screen_pass(app, final: Final) -> str:  # type: ignore[no-untyped-def]
    return presence.screen_pass(app.state.settings.secret_key, final.round.id)


def report_screen(client, final: Final, value: str, screen_id: str = "hall-a"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/rounds/{final.round.id}/live/screens",
        json={"screen_pass": value, "screen_id": screen_id},
    )


def test_before_anything_the_check_names_what_is_missing(organiser, final):
    found = checks(organiser, final)

    assert [key for key, c in found.items() if c["ok"]] == [
        "contest_open",
        "judges_assigned",
        "timers",
    ]
    assert found["order_drawn"]["detail"] == "Draw the presentation order."
    assert found["judges_online"]["detail"].startswith("Not seen in the last minute: ")
    assert all(j.name in found["judges_online"]["detail"] for j in final.judge_users)
    assert found["screen"]["ok"] is False
    assert organiser.get(preflight_url(final)).json()["ready"] is False


def test_every_check_passes_once_drawn_and_everyone_reports_in(organiser, make_client, app, final):  # type: ignore[no-untyped-def]
    drawn(organiser, final)
    for account in final.judge_users:
        response = judge_client(make_client, account).post(
            f"/api/v1/rounds/{final.round.id}/live/presence"
        )
        assert response.status_code == 204
    assert report_screen(make_client(), final, screen_pass(app, final)).status_code == 204

    body = organiser.get(preflight_url(final)).json()

    assert body["ready"] is True, body["checks"]
    assert body["screens"] == 1
    assert [j["online"] for j in body["judges"]] == [True] * 5
    assert {j["entries"] for j in body["judges"]} == {3}


def test_a_judge_not_seen_for_a_minute_is_offline(organiser, make_client, db, final):
    account = final.judge_users[0]
    judge_client(make_client, account).post(f"/api/v1/rounds/{final.round.id}/live/presence")
    db.execute(update(LivePresence).values(seen_at=utcnow() - timedelta(seconds=61)))
    db.commit()

    body = organiser.get(preflight_url(final)).json()

    mine = next(j for j in body["judges"] if j["name"] == account.name)
    assert mine["online"] is False
    assert mine["seen_at"] is not None


def test_a_screen_without_the_link_s_pass_is_refused_and_not_counted(
    organiser, make_client, db, app, final
):  # type: ignore[no-untyped-def]
    anyone = make_client()
    other_round = presence.screen_pass(app.state.settings.secret_key, final.round.id + 1000)

    assert report_screen(anyone, final, "forged.0123").status_code == 403
    assert report_screen(anyone, final, other_round).status_code == 403
    assert report_screen(anyone, final, screen_pass(app, final), "a b").status_code == 422
    assert read(db, LivePresence.__table__.select()) == []
    assert checks(organiser, final)["screen"]["ok"] is False


def test_two_reports_keep_one_row_per_screen(make_client, db, app, final):  # type: ignore[no-untyped-def]
    anyone = make_client()
    for _ in range(3):
        assert report_screen(anyone, final, screen_pass(app, final)).status_code == 204
    report_screen(anyone, final, screen_pass(app, final), "hall-b")

    keys = sorted(row.key for row in read(db, LivePresence.__table__.select()))
    assert keys == ["screen:hall-a", "screen:hall-b"]


def test_draft_contest_and_short_timers_fail_their_checks(organiser, db, final):
    db.execute(update(Contest).values(status=ContestStatus.draft))
    db.execute(update(Round).where(Round.id == final.round.id).values(qa_seconds=0))
    db.commit()

    found = checks(organiser, final)

    assert found["contest_open"]["ok"] is False
    assert found["contest_open"]["detail"] == (
        "The contest is still a draft: open it before the final."
    )
    assert found["timers"]["ok"] is False


def test_a_project_short_of_judges_fails_the_assignment_check(organiser, db, world):
    arranged = arrange_final(db, world, judges=4)

    found = checks(organiser, arranged)

    assert found["judges_assigned"]["ok"] is False
    assert found["judges_assigned"]["detail"] == "3 projects have fewer than 5 judges assigned."


def test_the_organiser_s_poll_carries_presence_and_the_public_one_does_not(
    organiser, make_client, final
):  # type: ignore[no-untyped-def]
    drawn(organiser, final)
    account = final.judge_users[1]
    judge_client(make_client, account).post(f"/api/v1/rounds/{final.round.id}/live/presence")
    step(organiser, final, "start")

    mine = organiser.get(final.live_url).json()
    public = make_client().get(final.live_url).json()

    online = {p["name"]: p["online"] for p in mine["panel"]}
    assert online[account.name] is True
    assert sum(online.values()) == 1
    assert mine["presence"]["screens"] == 0
    assert len(mine["presence"]["judges"]) == 5
    assert public["presence"] is None
    assert public["panel"] is None


def test_who_may_check_and_report(make_client, world, final):  # type: ignore[no-untyped-def]
    anonymous = make_client()
    judge = judge_client(make_client, final.judge_users[0])
    team = judge_client(make_client, world.team)
    other = judge_client(make_client, world.other_organiser)
    report = f"/api/v1/rounds/{final.round.id}/live/presence"

    assert anonymous.get(preflight_url(final)).status_code == 401
    assert judge.get(preflight_url(final)).status_code == 403
    assert team.get(preflight_url(final)).status_code == 403
    assert other.get(preflight_url(final)).status_code in (403, 404)
    assert anonymous.post(report).status_code == 401
    assert team.post(report).status_code == 403
    assert other.post(report).status_code == 403
