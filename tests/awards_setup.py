"""A closed final with known rankings, for the awards tests.

Startup track: S1 > S2 > ... > S8; creative track: C1 > C2 > C3 > C4. One judge scores
every entry; an entry's score is its first criterion's value plus 53.0 points.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from contest.models import Entry, utcnow
from tests import factories
from tests.factories import World

REST = [200, 150, 100, 80]  # 53.0 points besides the first criterion


@dataclass
class Ranked:
    world: World
    s: list[Entry]
    c: list[Entry]

    @property
    def url(self) -> str:
        return f"/api/v1/contests/{self.world.contest.id}/awards"

    def ids(self, *entries: Entry) -> list[int]:
        return [e.id for e in entries]  # type: ignore[misc]


def arrange_ranked(
    db: Session,
    world: World,
    *,
    startup: tuple[int, ...] = (290, 280, 270, 260, 250, 240, 230, 220),
    creative: tuple[int, ...] = (285, 275, 265, 255),
    closed: bool = True,
) -> Ranked:
    """Entries of the final with the given first-criterion values (equal values tie)."""
    final = world.final
    judge = world.judges[0]
    made: dict[str, list[Entry]] = {"S": [], "C": []}
    for prefix, track, values in (("S", world.startup, startup), ("C", world.creative, creative)):
        for n, first in enumerate(values, start=1):
            entry = factories.entry(db, world.contest, track, title=f"{prefix}{n}", rounds=(final,))
            factories.sheet(db, final, judge, entry, [first, *REST])
            made[prefix].append(entry)
    final.opens_at = utcnow() - timedelta(days=2)
    if closed:
        final.closes_at = utcnow() - timedelta(minutes=1)
    db.add(final)
    db.commit()
    return Ranked(world, made["S"], made["C"])
