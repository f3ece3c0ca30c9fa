"""Entries are made during registration, before any round has opened: once one has, the
entries are sealed (teams get 409, organisers must give a late reason). The world's
preliminary is open (most features test scoring), so these tests put it back to
"not yet opened" unless they ask for ``round_opened``."""

import pytest
from sqlmodel import Session

from tests.factories import World


@pytest.fixture(autouse=True)
def registration_phase(request, db: Session) -> None:  # type: ignore[no-untyped-def]
    if "world" not in request.fixturenames or "round_opened" in request.fixturenames:
        return
    world: World = request.getfixturevalue("world")
    world.preliminary.opens_at = None
    db.add(world.preliminary)
    db.commit()


@pytest.fixture
def round_opened() -> None:
    """Keep the world's preliminary open: entries are sealed."""
