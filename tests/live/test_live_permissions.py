"""Who may draw, step and watch the live final through the API."""

import pytest
from sqlmodel import Session

from contest.core.enums import ContestStatus
from tests import factories
from tests.live_setup import Final, arrange_final, drawn, score, step


@pytest.fixture
def final(db: Session, world: factories.World) -> Final:
    return arrange_final(db, world)


def as_user(make_client, account):  # type: ignore[no-untyped-def]
    client = make_client()
    if account is not None:
        client.headers.update(factories.bearer(client, account))
    return client


ROLES = ("anonymous", "team", "judge", "other_organiser")
EXPECTED = {"anonymous": 401, "team": 403, "judge": 403, "other_organiser": 404}


def account_of(world: factories.World, role: str):  # type: ignore[no-untyped-def]
    return {
        "anonymous": None,
        "team": world.team,
        "judge": world.judge_users[0],
        "other_organiser": world.other_organiser,
    }[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("POST", "draw", {"seed": 1}),
        ("GET", "draw", None),
        ("POST", "live", {"action": "start"}),
    ],
)
def test_organiser_routes_refuse_everyone_else(
    make_client, world, final, role, method, suffix, body
):  # type: ignore[no-untyped-def]
    client = as_user(make_client, account_of(world, role))

    response = client.request(method, f"/api/v1/rounds/{final.round.id}/{suffix}", json=body)

    assert response.status_code == EXPECTED[role]


def test_the_organiser_may_draw_read_and_step(make_client, world, final):
    client = as_user(make_client, world.organiser)

    drawn_status = client.post(final.draw_url, json={"seed": 1}).status_code
    read_status = client.get(final.draw_url).status_code
    step_status = step(client, final, "start").status_code

    assert (drawn_status, read_status, step_status) == (200, 200, 200)


def test_a_cookie_session_needs_the_csrf_header_to_step(make_client, world, final):
    client = factories.login(make_client(), world.organiser)

    response = client.post(final.live_url, json={"action": "start"})

    assert response.status_code == 403


def test_the_public_state_needs_no_login_and_names_no_judge(make_client, db, world, final):
    organiser = as_user(make_client, world.organiser)
    order = drawn(organiser, final)
    step(organiser, final, "start")
    score(db, final, next(e for e in final.entries if e.id == order[0]))
    step(organiser, final, "reveal")

    response = as_user(make_client, None).get(final.live_url)

    body = response.json()
    assert response.status_code == 200
    assert body["panel"] is None
    assert body["revealed"][0]["judges"][0].keys() == {"seat", "total", "dropped"}
    text = response.text
    for judge, account in zip(final.judges, final.judge_users, strict=True):
        assert account.name not in text
        assert account.email not in text
        assert f'"judge_id":{judge.id}' not in text.replace(" ", "")


def test_the_organiser_sees_the_judges_of_the_current_pitch(make_client, db, world, final):
    organiser = as_user(make_client, world.organiser)
    order = drawn(organiser, final)
    step(organiser, final, "start")
    score(db, final, next(e for e in final.entries if e.id == order[0]), judges=2)

    body = organiser.get(final.live_url).json()

    states = {line["name"]: line["state"] for line in body["panel"]}
    names = [u.name for u in final.judge_users]
    assert states == {
        **dict.fromkeys(names[:2], "submitted"),
        **dict.fromkeys(names[2:], "todo"),
    }


@pytest.mark.parametrize("role", ["anonymous", "team", "judge", "other_organiser"])
def test_everyone_may_watch_a_published_contest(make_client, world, final, role):
    client = as_user(make_client, account_of(world, role))

    response = client.get(final.live_url)

    assert (response.status_code, response.json()["phase"]) == (200, "waiting")


def test_a_draft_contest_is_hidden_from_the_public_but_not_its_organiser(
    make_client, db, world, final
):  # type: ignore[no-untyped-def]
    world.contest.status = ContestStatus.draft
    db.add(world.contest)
    db.commit()

    public = as_user(make_client, None).get(final.live_url)
    other = as_user(make_client, world.other_organiser).get(final.live_url)
    own = as_user(make_client, world.organiser).get(final.live_url)

    assert (public.status_code, other.status_code, own.status_code) == (404, 404, 200)


def test_an_online_round_has_no_live_state(make_client, world):
    response = as_user(make_client, None).get(f"/api/v1/rounds/{world.preliminary.id}/live")

    assert response.status_code == 404


def test_an_unknown_round_is_404(make_client, world):
    response = as_user(make_client, None).get("/api/v1/rounds/999999/live")

    assert response.status_code == 404
