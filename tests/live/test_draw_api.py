"""Drawing the presentation order: recorded, repeatable from its seed, redraws with a
reason and only before the live final starts."""

import pytest
from sqlalchemy import select
from sqlmodel import Session

from contest.core.enums import EntryStatus
from contest.live import draw
from contest.models import AuditRecord, Draw, RoundEntry
from tests import factories
from tests.judging_setup import read
from tests.live_setup import Final, arrange_final, drawn, step


@pytest.fixture
def final(db: Session, world: factories.World) -> Final:
    return arrange_final(db, world, entries=4)


@pytest.fixture
def organiser(client, world):  # type: ignore[no-untyped-def]
    client.headers.update(factories.bearer(client, world.organiser))
    client.headers["Accept-Language"] = "en"
    return client


def positions(db: Session, final: Final) -> dict[int, int | None]:
    rows = read(
        db,
        select(RoundEntry.entry_id, RoundEntry.presentation_order).where(
            RoundEntry.round_id == final.round.id
        ),
    )
    return dict(rows)


def test_draw_records_the_order_its_seed_and_who_drew(organiser, db, world, final):
    response = organiser.post(final.draw_url, json={"seed": 2023})

    body = response.json()
    ids = sorted(e.id for e in final.entries)
    assert response.status_code == 200
    assert body["order"] == draw.shuffled(ids, 2023)
    assert sorted(body["order"]) == ids
    assert (body["seed"], body["drawn_by"], body["drawn_by_id"]) == (
        2023,
        "组委会",
        world.organiser.id,
    )
    assert positions(db, final) == {e: n for n, e in enumerate(body["order"], start=1)}
    [(seed, order, drawn_by)] = read(db, select(Draw.seed, Draw.order, Draw.drawn_by_id))
    assert (seed, order, drawn_by) == (2023, body["order"], world.organiser.id)
    [(action, after)] = read(db, select(AuditRecord.action, AuditRecord.after))
    assert (action, after) == ("round.draw", {"seed": 2023, "order": body["order"]})


def test_the_same_seed_gives_the_same_order(final):
    ids = [e.id for e in final.entries]

    assert draw.shuffled(ids, 5) == draw.shuffled(list(reversed(ids)), 5)


def test_draw_without_a_seed_picks_one_and_records_it(organiser, db, final):
    body = organiser.post(final.draw_url).json()

    assert 0 <= body["seed"] < draw.DRAWN_SEED_LIMIT
    assert body["order"] == draw.shuffled([e.id for e in final.entries], body["seed"])


def test_redraw_without_a_reason_is_422_naming_reason(organiser, db, final):
    first = drawn(organiser, final, seed=1)

    response = organiser.post(final.draw_url, json={"seed": 2})

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "reason"]]
    assert len(read(db, select(Draw.id))) == 1
    assert positions(db, final) == {e: n for n, e in enumerate(first, start=1)}


def test_redraw_with_a_reason_adds_a_draw_and_is_audited(organiser, db, final):
    drawn(organiser, final, seed=1)

    response = organiser.post(final.draw_url, json={"seed": 2, "reason": "抽签时有团队缺席"})

    second = response.json()["order"]
    assert response.status_code == 200
    assert second == draw.shuffled([e.id for e in final.entries], 2)
    assert positions(db, final) == {e: n for n, e in enumerate(second, start=1)}
    assert [s for (s,) in read(db, select(Draw.seed).order_by(Draw.id))] == [1, 2]
    assert read(
        db,
        select(AuditRecord.action, AuditRecord.reason).where(AuditRecord.action == "round.redraw"),
    ) == [("round.redraw", "抽签时有团队缺席")]


def test_redraw_after_the_live_final_started_is_409(organiser, db, final):
    first = drawn(organiser, final)
    step(organiser, final, "start")

    response = organiser.post(final.draw_url, json={"seed": 9, "reason": "重抽"})

    assert response.status_code == 409
    assert response.json()["detail"] == (
        "The live final has started; the order can no longer change."
    )
    assert positions(db, final) == {e: n for n, e in enumerate(first, start=1)}


def test_get_draw_shows_the_current_order_and_the_history(organiser, final):
    drawn(organiser, final, seed=1)
    second = organiser.post(final.draw_url, json={"seed": 2, "reason": "重抽"}).json()

    body = organiser.get(final.draw_url).json()

    assert (body["order"], body["seed"], body["reason"]) == (second["order"], 2, "重抽")
    assert [(h["seed"], h["reason"]) for h in body["history"]] == [(2, "重抽"), (1, "")]


def test_get_draw_before_any_draw_is_empty(organiser, final):
    body = organiser.get(final.draw_url).json()

    assert body == {
        "order": [],
        "seed": None,
        "drawn_at": None,
        "drawn_by": None,
        "drawn_by_id": None,
        "reason": "",
        "history": [],
    }


def test_draw_leaves_out_entries_no_longer_in_the_round(organiser, db, final):
    out = final.entries[0]
    row = db.scalars(
        select(RoundEntry).where(
            RoundEntry.round_id == final.round.id, RoundEntry.entry_id == out.id
        )
    ).one()
    row.status = EntryStatus.withdrawn
    db.commit()

    order = drawn(organiser, final)

    assert sorted(order) == sorted(e.id for e in final.entries[1:])
    assert positions(db, final)[out.id] is None


def test_start_after_the_entries_changed_asks_for_a_new_draw(organiser, db, world, final):
    drawn(organiser, final)
    factories.entry(db, world.contest, world.startup, title="迟到的项目", rounds=(final.round,))
    db.commit()

    response = step(organiser, final, "start")

    assert response.status_code == 409
    assert response.json()["detail"] == (
        "The round's projects have changed since the draw: draw the order again."
    )


def test_draw_on_an_online_round_is_409(organiser, world):
    response = organiser.post(f"/api/v1/rounds/{world.preliminary.id}/draw", json={"seed": 1})

    assert response.status_code == 409


def test_draw_with_no_entries_is_409(organiser, world):
    response = organiser.post(f"/api/v1/rounds/{world.final.id}/draw", json={})

    assert response.status_code == 409
    assert response.json()["detail"] == "This round has no entries to draw yet."


def test_a_negative_seed_is_422_naming_seed(organiser, final):
    response = organiser.post(final.draw_url, json={"seed": -1})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "seed"]
