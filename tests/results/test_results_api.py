"""GET /api/v1/rounds/{id}/results: the contract's fields, overrides, and the number of
SQL statements, which must not grow with the number of entries."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlmodel import Session

from contest.models import Entry
from tests import factories
from tests.factories import World


def _entries(db: Session, world: World, n: int, start: int = 0) -> list[Entry]:
    """n startup entries: judge 1 gives 73.0 + i/10, judge 2 one point less, judge 3
    gives 50.0 to the even ones."""
    made = []
    for i in range(start, start + n):
        entry = factories.entry(
            db, world.contest, world.startup, title=f"项目{i:03d}", rounds=(world.preliminary,)
        )
        factories.sheet(db, world.preliminary, world.judges[0], entry, [200 + i, 200, 150, 100, 80])
        factories.sheet(db, world.preliminary, world.judges[1], entry, [210, 190, 150, 100, 70 + i])
        if i % 2 == 0:
            factories.sheet(
                db, world.preliminary, world.judges[2], entry, [100, 100, 100, 100, 100]
            )
        made.append(entry)
    db.commit()
    return made


@pytest.fixture
def organiser(client, world):  # type: ignore[no-untyped-def]
    client.headers.update(factories.bearer(client, world.organiser))
    return client


def url(world: World, query: str = "") -> str:
    return f"/api/v1/rounds/{world.preliminary.id}/results{query}"


def test_results_fields_and_order(organiser, db, world):
    e5, e6 = _entries(db, world, 2, start=5)
    creative = factories.entry(
        db, world.contest, world.creative, title="创意项目", rounds=(world.preliminary,)
    )
    db.commit()

    body = organiser.get(url(world, "?track_code=startup")).json()

    assert [row["entry_id"] for row in body] == [e5.id, e6.id]
    second = body[1]
    assert second == {
        "entry_id": e6.id,
        "track_code": "startup",
        "rank": 2,
        "score": (736 + 726 + 500) / 30,
        "round_score": (736 + 726 + 500) / 30,
        "judge_count": 3,
        "tie": False,
        "tie_break": None,
        "status": "in",
        "title": "项目006",
        "judges": [
            {"judge_id": world.judges[0].id, "total": 73.6, "dropped": False},
            {"judge_id": world.judges[1].id, "total": 72.6, "dropped": False},
            {"judge_id": world.judges[2].id, "total": 50.0, "dropped": False},
        ],
    }
    everything = organiser.get(url(world)).json()
    assert [row["entry_id"] for row in everything] == [e5.id, e6.id, creative.id]
    assert everything[-1] == {
        "entry_id": creative.id,
        "track_code": "creative",
        "rank": None,
        "score": None,
        "round_score": None,
        "judge_count": 0,
        "tie": False,
        "tie_break": None,
        "status": "in",
        "title": "创意项目",
        "judges": [],
    }


def test_results_score_is_full_precision(organiser, db, world):
    [entry] = _entries(db, world, 1, start=1)

    [row] = organiser.get(url(world, "?track_code=startup")).json()

    # 73.1 and 72.1: 72.6 as the nearest float, not rounded to 2 decimals anywhere.
    assert entry.id == row["entry_id"]
    assert row["score"] == 72.6


def test_results_overall_and_normalization_override(organiser, db, world):
    _entries(db, world, 4)

    plain = organiser.get(url(world, "?overall=true")).json()
    zscore = organiser.get(url(world, "?overall=true&normalization=zscore")).json()

    assert [r["rank"] for r in plain] == [1, 2, 3, 4]
    assert len(zscore) == 4
    assert {r["entry_id"] for r in zscore} == {r["entry_id"] for r in plain}
    assert [r["score"] for r in zscore] != [r["score"] for r in plain]


def test_results_unknown_track_or_normalization_is_422(organiser, world):
    unknown = organiser.get(url(world, "?track_code=medical"))
    wrong = organiser.get(url(world, "?normalization=minmax"))

    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["query", "track_code"]
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"] == ["query", "normalization"]


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


def test_results_statement_count_does_not_grow_with_entries(app, organiser, db, world):
    _entries(db, world, 3)
    with statements(app) as few:
        assert len(organiser.get(url(world)).json()) == 3
    _entries(db, world, 27, start=3)
    with statements(app) as many:
        assert len(organiser.get(url(world)).json()) == 30

    assert len(many) == len(few)
    assert len(few) <= 12
