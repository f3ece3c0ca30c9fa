"""Advancement through the API: preview, the rules of confirming, re-confirming,
publishing, and who may do it."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlmodel import Session

from contest.models import Advancement, Assignment, AuditRecord, RoundEntry, utcnow
from tests import factories
from tests.factories import World
from tests.judging_setup import read


class Arranged:
    """Preliminary with 4 startup entries (S1 > S2 > S3 > S4) and 3 creative ones
    (C1 > C2 = C3 exactly), two places per track; the semifinal follows."""

    def __init__(self, db: Session, world: World) -> None:
        self.world = world
        prelim = world.preliminary
        self.s = [
            factories.entry(db, world.contest, world.startup, title=f"S{i}", rounds=(prelim,))
            for i in range(1, 5)
        ]
        self.c = [
            factories.entry(db, world.contest, world.creative, title=f"C{i}", rounds=(prelim,))
            for i in range(1, 4)
        ]
        self.s[0].owner_id = world.team.id
        db.add(self.s[0])
        judge = world.judges[0]
        for entry, first in zip(self.s, (290, 280, 270, 260), strict=True):
            factories.sheet(db, prelim, judge, entry, [first, 200, 150, 100, 80])
        for entry, first in zip(self.c, (290, 250, 250), strict=True):
            factories.sheet(db, prelim, judge, entry, [first, 200, 150, 100, 80])
        db.commit()

    @property
    def url(self) -> str:
        return f"/api/v1/rounds/{self.world.preliminary.id}/advancement"

    def ids(self, *entries) -> list[int]:  # type: ignore[no-untyped-def]
        return [e.id for e in entries]


def close(db: Session, world: World) -> None:
    world.preliminary.closes_at = utcnow() - timedelta(minutes=1)
    db.add(world.preliminary)
    db.commit()


@pytest.fixture
def arranged(db: Session, world: World) -> Arranged:
    return Arranged(db, world)


@pytest.fixture
def organiser(client, world):  # type: ignore[no-untyped-def]
    client.headers.update(factories.bearer(client, world.organiser))
    client.headers["Accept-Language"] = "en"
    return client


def statuses(db: Session, round_id: int) -> dict[int, str]:
    rows = read(
        db, select(RoundEntry.entry_id, RoundEntry.status).where(RoundEntry.round_id == round_id)
    )
    return dict(rows)


def test_preview_shows_top_n_and_the_boundary_tie(organiser, arranged):
    body = organiser.get(arranged.url).json()

    a = arranged
    assert body["per_track"] == {
        "startup": {
            "count": 2,
            "entry_ids": a.ids(a.s[0], a.s[1]),
            "boundary_tie": False,
            "tied_entry_ids": [],
            "places_left": 0,
        },
        "creative": {
            "count": 2,
            "entry_ids": a.ids(a.c[0]),
            "boundary_tie": True,
            "tied_entry_ids": a.ids(a.c[1], a.c[2]),
            "places_left": 1,
        },
    }
    assert body["decision"] is None
    assert (
        body["blocked"] == "Scoring is still open. Close the round before confirming advancement."
    )


def test_confirm_while_round_open_is_409_and_changes_nothing(organiser, db, world, arranged):
    a = arranged

    response = organiser.post(
        a.url, json={"entry_ids": a.ids(a.s[0], a.s[1], a.c[0], a.c[1]), "reason": "抽签"}
    )

    assert response.status_code == 409
    assert set(statuses(db, world.preliminary.id).values()) == {"in"}
    assert statuses(db, world.semifinal.id) == {}
    assert read(db, select(Advancement)) == []


def test_changed_list_without_reason_is_422_naming_reason(organiser, db, world, arranged):
    close(db, world)
    a = arranged

    response = organiser.post(a.url, json={"entry_ids": a.ids(a.s[0], a.s[2], a.c[0], a.c[1])})

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "reason"]]
    assert set(statuses(db, world.preliminary.id).values()) == {"in"}


def test_settling_a_boundary_tie_needs_a_reason_even_when_cutting_it(
    organiser, db, world, arranged
):
    close(db, world)
    a = arranged

    response = organiser.post(a.url, json={"entry_ids": a.ids(a.s[0], a.s[1], a.c[0])})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "reason"]


def test_unknown_entry_is_422_naming_entry_ids(organiser, db, world, arranged):
    close(db, world)
    stranger = factories.entry(db, world.contest, world.startup, title="不在本轮")
    db.commit()
    a = arranged

    response = organiser.post(
        a.url, json={"entry_ids": [*a.ids(a.s[0], a.s[1], a.c[0]), stranger.id], "reason": "x"}
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "entry_ids"]
    assert str(stranger.id) in response.json()["detail"][0]["msg"]


def test_confirm_sets_statuses_and_enrols_the_next_round_exactly(organiser, db, world, arranged):
    close(db, world)
    a = arranged
    chosen = a.ids(a.s[0], a.s[1], a.c[0], a.c[2])

    response = organiser.post(a.url, json={"entry_ids": chosen, "reason": "同分，按路演材料决定"})

    assert response.status_code == 200
    assert response.json() == {"advanced": 4, "eliminated": 3, "enrolled": 4, "unenrolled": 0}
    assert statuses(db, world.preliminary.id) == {
        **dict.fromkeys(chosen, "advanced"),
        **dict.fromkeys(a.ids(a.s[2], a.s[3], a.c[1]), "eliminated"),
    }
    assert statuses(db, world.semifinal.id) == dict.fromkeys(chosen, "in")
    assert statuses(db, world.final.id) == {}
    [item] = read(db, select(Advancement))
    assert (item[0].confirmed_by_id, item[0].reason, item[0].published_at) == (
        world.organiser.id,
        "同分，按路演材料决定",
        None,
    )
    [(after, reason)] = read(
        db,
        select(AuditRecord.after, AuditRecord.reason).where(
            AuditRecord.action == "advancement.confirm"
        ),
    )
    assert reason == "同分，按路演材料决定"
    assert after["entry_ids"] == sorted(chosen)
    assert (after["advanced"], after["eliminated"]) == (4, 3)
    assert after["added"] == [a.c[2].id]
    assert after["removed"] == []
    assert after["preview"]["creative"]["tied_entry_ids"] == a.ids(a.c[1], a.c[2])
    assert after["counts"] == {"startup": 2, "creative": 2}


def test_default_preview_needs_no_reason(organiser, db, world, arranged):
    close(db, world)
    world.preliminary.advance_count = {"startup": 2, "creative": 1}
    db.add(world.preliminary)
    db.commit()
    a = arranged

    response = organiser.post(a.url, json={"entry_ids": a.ids(a.s[0], a.s[1], a.c[0])})

    assert response.json()["advanced"] == 3


def test_counts_override_changes_the_preview_compared_with(organiser, db, world, arranged):
    close(db, world)
    a = arranged

    response = organiser.post(
        a.url,
        json={
            "entry_ids": a.ids(a.s[0], a.s[1], a.s[2], a.c[0]),
            "counts": {"startup": 3, "creative": 1},
        },
    )

    assert response.status_code == 200
    assert statuses(db, world.semifinal.id) == dict.fromkeys(
        a.ids(a.s[0], a.s[1], a.s[2], a.c[0]), "in"
    )
    bad = organiser.post(a.url, json={"entry_ids": [], "counts": {"medical": 1}})
    assert bad.json()["detail"][0]["loc"] == ["body", "counts"]


def test_reconfirm_replaces_the_decision_and_the_next_round_places(organiser, db, world, arranged):
    close(db, world)
    a = arranged
    first = a.ids(a.s[0], a.s[1], a.c[0], a.c[1])
    organiser.post(a.url, json={"entry_ids": first, "reason": "第一次"})
    factories.assign(db, world.semifinal, world.judges[1], a.s[1])
    db.commit()
    second = a.ids(a.s[0], a.s[2], a.c[0], a.c[2])

    response = organiser.post(a.url, json={"entry_ids": second, "reason": "更正"})

    assert response.json() == {"advanced": 4, "eliminated": 3, "enrolled": 2, "unenrolled": 2}
    assert statuses(db, world.semifinal.id) == dict.fromkeys(second, "in")
    assert statuses(db, world.preliminary.id)[a.s[1].id] == "eliminated"
    assert (
        read(db, select(Assignment.entry_id).where(Assignment.round_id == world.semifinal.id)) == []
    )
    audits = read(
        db,
        select(AuditRecord.before, AuditRecord.after)
        .where(AuditRecord.action == "advancement.confirm")
        .order_by(AuditRecord.id),
    )
    assert len(audits) == 2
    assert audits[1][0]["entry_ids"] == sorted(first)
    assert audits[1][0]["reason"] == "第一次"
    assert audits[1][1]["unenrolled"] == 2


def test_reconfirm_refused_when_a_dropped_entry_is_being_judged(organiser, db, world, arranged):
    close(db, world)
    a = arranged
    first = a.ids(a.s[0], a.s[1], a.c[0], a.c[1])
    organiser.post(a.url, json={"entry_ids": first, "reason": "第一次"})
    factories.sheet(db, world.semifinal, world.judges[1], a.s[1], [100], submitted=False)
    db.commit()

    response = organiser.post(
        a.url, json={"entry_ids": a.ids(a.s[0], a.s[2], a.c[0], a.c[1]), "reason": "更正"}
    )

    assert response.status_code == 409
    assert response.json()["entry_ids"] == [a.s[1].id]
    assert statuses(db, world.semifinal.id) == dict.fromkeys(first, "in")


def test_publish_lets_the_team_see_its_status(organiser, make_client, db, world, arranged):
    close(db, world)
    a = arranged
    organiser.post(a.url, json={"entry_ids": a.ids(a.s[0], a.s[1], a.c[0], a.c[1]), "reason": "x"})
    team = make_client()
    team.headers.update(factories.bearer(team, world.team))

    def seen() -> list[tuple[str, bool]]:
        body = team.get(f"/api/v1/entries/{a.s[0].id}").json()
        return [
            (r["status"], r["published"])
            for r in body["rounds"]
            if r["round_id"] == world.preliminary.id
        ]

    assert seen() == [("in", False)]

    response = organiser.post(f"{a.url}/publish", json={"feedback": True})

    assert response.status_code == 200
    assert response.json()["published_at"] is not None
    assert response.json()["feedback_published_at"] is not None
    assert seen() == [("advanced", True)]
    again = organiser.post(a.url, json={"entry_ids": a.ids(a.s[0]), "reason": "x"})
    assert again.status_code == 409
    assert organiser.post(f"{a.url}/publish").status_code == 409


def test_publish_before_confirming_is_409(organiser, db, world, arranged):
    close(db, world)

    response = organiser.post(f"{arranged.url}/publish")

    assert response.status_code == 409
    assert read(db, select(Advancement)) == []


def test_publish_feedback_alone(organiser, db, world, arranged):
    url = f"/api/v1/rounds/{world.preliminary.id}/feedback/publish"
    assert organiser.post(url).status_code == 409
    close(db, world)

    response = organiser.post(url)

    assert response.status_code == 200
    assert response.json()["published_at"] is None
    assert response.json()["feedback_published_at"] is not None
    assert organiser.post(url).status_code == 409


def test_last_round_has_no_advancement(organiser, db, world, arranged):
    world.final.closes_at = utcnow() - timedelta(minutes=1)
    world.final.opens_at = utcnow() - timedelta(days=1)
    db.add(world.final)
    db.commit()

    response = organiser.post(
        f"/api/v1/rounds/{world.final.id}/advancement", json={"entry_ids": []}
    )

    assert response.status_code == 409


ROUTES = [
    ("get", "advancement", None),
    ("post", "advancement", {"entry_ids": []}),
    ("post", "advancement/publish", None),
    ("post", "feedback/publish", None),
    ("get", "results", None),
]


@pytest.mark.parametrize(("method", "tail", "body"), ROUTES)
@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 401), ("team", 403), ("judge", 403), ("other_organiser", 404)],
)
def test_permissions(client, db, world, arranged, method, tail, body, who, expected):
    accounts = {
        "team": world.team,
        "judge": world.judge_users[0],
        "other_organiser": world.other_organiser,
    }
    headers = factories.bearer(client, accounts[who]) if who in accounts else {}
    url = f"/api/v1/rounds/{world.preliminary.id}/{tail}"

    response = client.request(method.upper(), url, json=body, headers=headers)

    assert response.status_code == expected
    assert read(db, select(Advancement)) == []
