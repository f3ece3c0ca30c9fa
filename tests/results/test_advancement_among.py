"""advancement.among: one bound parameter for any number of ids, on both databases."""

import pytest
from sqlalchemy import select
from sqlmodel import Session

from contest.models import Entry
from contest.results.advancement import among
from tests import factories
from tests.factories import World


@pytest.mark.parametrize("extra", [0, 600, 70_000])
def test_among_finds_exactly_the_listed_ids(db: Session, world: World, extra: int):
    entries = [
        factories.entry(db, world.contest, world.startup, title=f"项目{i}") for i in range(3)
    ]
    db.commit()
    # Ids that do not exist pad the list past the IN-list limit (and past PostgreSQL's
    # 65,535 parameters for the largest case).
    wanted = {entries[0].id, entries[2].id} | set(range(10_000_000, 10_000_000 + extra))

    found = set(db.scalars(select(Entry.id).where(among(db, Entry.id, wanted))))

    assert found == {entries[0].id, entries[2].id}
