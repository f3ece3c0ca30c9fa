"""Arrangements shared by the judging tests: a round with entries assigned to judges."""

from dataclasses import dataclass

from sqlmodel import Session

from contest.models import Criterion, Entry
from tests import factories
from tests.factories import World


@dataclass
class Scoring:
    """world.judges[0] is assigned entries[0] and entries[1] of the (open) preliminary."""

    world: World
    entries: list[Entry]
    criteria: list[Criterion]

    @property
    def round_id(self) -> int:
        return self.world.preliminary.id

    def url(self, entry: Entry) -> str:
        return f"/api/v1/rounds/{self.round_id}/entries/{entry.id}/sheet"


def arrange_scoring(db: Session, world: World, *, entries: int = 3) -> Scoring:
    items = [
        factories.entry(
            db,
            world.contest,
            world.startup if i % 2 == 0 else world.creative,
            title=f"参赛项目{i + 1}",
            institution=f"大学{i + 1}",
            rounds=(world.preliminary,),
        )
        for i in range(entries)
    ]
    for item in items[:2]:
        factories.assign(db, world.preliminary, world.judges[0], item)
    rubric = factories.criteria(db, world.preliminary)
    db.commit()
    return Scoring(world, items, rubric)


def read(db: Session, statement):  # type: ignore[no-untyped-def]
    """Rows of a query, ending the transaction at once: the test session writes through
    SQLite's writer engine, and an open transaction would hold the lock the app needs."""
    db.expire_all()
    rows = db.execute(statement).all()
    db.commit()
    return rows


def full_scores(scoring: Scoring, values: tuple[float, ...] = (27.5, 20, 15.5, 12, 8.1)) -> dict:
    return {str(c.id): v for c, v in zip(scoring.criteria, values, strict=True)}
