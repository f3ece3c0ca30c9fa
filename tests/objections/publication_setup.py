"""A preliminary round scored, closed, confirmed and published: the publication tests' start."""

from datetime import timedelta

from sqlmodel import Session

from contest.models import Entry, utcnow
from tests import factories
from tests.factories import World


class Published:
    """Startup S1 (81.0) > S2 (78.0) > S3 (70.0); two advance; the list is published."""

    def __init__(self, db: Session, world: World, client, round_=None) -> None:  # type: ignore[no-untyped-def]
        self.world, self.client = world, client
        prelim = round_ or world.preliminary
        self.round = prelim
        self.entries: list[Entry] = []
        for i, first in enumerate((290, 260, 180), start=1):
            entry = factories.entry(
                db, world.contest, world.startup, title=f"S{i}", rounds=(prelim,)
            )
            factories.sheet(db, prelim, world.judges[0], entry, [first, 200, 150, 100, 70])
            factories.sheet(db, prelim, world.judges[1], entry, [first, 200, 150, 100, 70])
            self.entries.append(entry)
        self.entries[0].owner_id = world.team.id
        db.add(self.entries[0])
        prelim.opens_at = utcnow() - timedelta(days=2)
        prelim.closes_at = utcnow() - timedelta(minutes=1)
        db.add(prelim)
        db.commit()
        self.organiser = factories.bearer(client, world.organiser)
        self.team = factories.bearer(client, world.team)

    @property
    def round_url(self) -> str:
        return f"/api/v1/rounds/{self.round.id}"

    def confirm(self, ids: list[int] | None = None, reason: str = "") -> object:
        chosen = ids if ids is not None else [e.id for e in self.entries[:2]]
        return self.client.post(
            f"{self.round_url}/advancement",
            json={"entry_ids": chosen, "reason": reason},
            headers=self.organiser,
        )

    def publish(self) -> object:
        return self.client.post(f"{self.round_url}/advancement/publish", headers=self.organiser)

    def publications(self, headers: dict[str, str] | None = None) -> list[dict]:
        url = f"/api/v1/contests/{self.world.contest.id}/publications"
        return self.client.get(url, headers=headers or {}).json()
