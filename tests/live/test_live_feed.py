"""The public live state as audience phones poll it: an ETag per state, 304 while nothing
changed, a fresh server clock on every answer, and every change seen at once."""

import time

import pytest
from sqlalchemy import update
from sqlmodel import Session

from contest.core.enums import ContestStatus
from contest.live import feed
from contest.models import Contest
from tests import factories
from tests.live_setup import Final, arrange_final, drawn, score, step


@pytest.fixture
def final(db: Session, world: factories.World) -> Final:
    return arrange_final(db, world)


@pytest.fixture
def organiser(make_client, world):  # type: ignore[no-untyped-def]
    client = make_client()
    client.headers.update(factories.bearer(client, world.organiser))
    return client


def test_an_unchanged_state_is_304_with_no_body(client, final):
    first = client.get(final.live_url)
    etag = first.headers["etag"]

    again = client.get(final.live_url, headers={"If-None-Match": etag})

    assert first.status_code == 200
    assert first.headers["cache-control"] == "no-cache"
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag


def test_every_answer_carries_the_server_clock_of_its_own_moment(client, final):
    first = client.get(final.live_url)
    time.sleep(0.01)
    second = client.get(final.live_url)

    assert first.headers["etag"] == second.headers["etag"]
    assert first.json()["timers"]["now"] < second.json()["timers"]["now"]
    assert second.json()["timers"]["now"].endswith("Z")


def test_a_step_changes_the_etag_and_the_next_poll_sees_it(client, organiser, final):
    drawn(organiser, final)
    etag = client.get(final.live_url).headers["etag"]

    step(organiser, final, "start")
    seen = client.get(final.live_url, headers={"If-None-Match": etag})

    assert seen.status_code == 200
    assert seen.json()["phase"] == "pitching"
    assert seen.headers["etag"] != etag


def test_a_judge_submitting_is_seen_without_a_step(client, organiser, db, final):
    order = drawn(organiser, final)
    step(organiser, final, "start")
    etag = client.get(final.live_url).headers["etag"]
    entry = next(e for e in final.entries if e.id == order[0])

    score(db, final, entry, judges=2)
    seen = client.get(final.live_url, headers={"If-None-Match": etag})

    assert seen.status_code == 200
    assert (seen.json()["submitted"], seen.json()["expected"]) == (2, 5)


def test_the_same_answer_as_the_full_view(client, organiser, db, final):
    order = drawn(organiser, final)
    step(organiser, final, "start")
    score(db, final, next(e for e in final.entries if e.id == order[0]))
    step(organiser, final, "reveal")

    public = client.get(final.live_url).json()
    mine = organiser.get(final.live_url).json()

    for body in (public, mine):
        body["timers"].pop("now")
    assert mine.pop("panel") is not None
    assert mine.pop("presence") is not None
    assert public.pop("panel") is None
    assert public.pop("presence") is None
    assert public == mine


def test_a_copy_older_than_max_age_is_built_again(client, final, monkeypatch):
    client.get(final.live_url)
    monkeypatch.setattr(feed, "MAX_AGE", -1.0)
    built = []
    original = feed._build
    monkeypatch.setattr(feed, "_build", lambda *a: built.append(1) or original(*a))

    client.get(final.live_url)

    assert built == [1]


def test_an_anonymous_poll_within_the_fresh_window_needs_no_query(
    client, organiser, final, monkeypatch
):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(feed, "FRESH", 60.0)
    drawn(organiser, final)
    etag = client.get(final.live_url).headers["etag"]
    step(organiser, final, "start")
    monkeypatch.setattr(feed, "stamp", lambda *a: pytest.fail("the copy was checked again"))

    cached = client.get(final.live_url, headers={"If-None-Match": etag})

    assert cached.status_code == 304  # up to FRESH seconds behind, by design
    # The organiser (credentials) always takes the full path and sees the step.
    assert organiser.get(final.live_url).json()["phase"] == "pitching"


def test_the_fresh_copy_is_only_given_once_someone_was_allowed_to_see_it(
    make_client, db, final, monkeypatch
):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(feed, "FRESH", 60.0)
    db.execute(update(Contest).values(status=ContestStatus.draft))
    db.commit()

    assert make_client().get(final.live_url).status_code == 404
    assert make_client().get(final.live_url).status_code == 404


def _only_key() -> tuple[str, int, str]:
    (key,) = feed._cache
    return key


def test_while_one_poll_re_checks_the_copy_the_others_answer_from_it(
    client, organiser, final, monkeypatch
):  # type: ignore[no-untyped-def]
    """A thousand polls arriving during one re-check must not each run the query."""
    drawn(organiser, final)
    etag = client.get(final.live_url).headers["etag"]
    step(organiser, final, "start")
    key = _only_key()
    found, claimed = feed.answer_or_claim(key)  # another request is re-checking now
    assert (found, claimed) == (None, True)
    real_stamp = feed.stamp
    monkeypatch.setattr(feed, "stamp", lambda *a: pytest.fail("the copy was checked again"))

    assert client.get(final.live_url, headers={"If-None-Match": etag}).status_code == 304

    feed.release(key)
    monkeypatch.setattr(feed, "stamp", real_stamp)
    seen = client.get(final.live_url, headers={"If-None-Match": etag})
    assert seen.status_code == 200
    assert seen.json()["phase"] == "pitching"


def test_a_re_check_that_hangs_past_stale_lets_the_next_poll_check_for_itself(
    client, organiser, final, monkeypatch
):  # type: ignore[no-untyped-def]
    drawn(organiser, final)
    client.get(final.live_url)
    step(organiser, final, "start")
    assert feed.answer_or_claim(_only_key()) == (None, True)
    monkeypatch.setattr(feed, "STALE", -1.0)

    assert client.get(final.live_url).json()["phase"] == "pitching"


def test_a_refused_poll_gives_up_its_claim(make_client, db, final):  # type: ignore[no-untyped-def]
    db.execute(update(Contest).values(status=ContestStatus.draft))
    db.commit()

    assert make_client().get(final.live_url).status_code == 404
    assert feed._refreshing == set()
