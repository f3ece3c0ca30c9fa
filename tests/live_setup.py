"""Arrangements shared by the live final and awards tests: a final with its finalists,
five judges assigned to every one of them, and helpers to score and to step."""

from dataclasses import dataclass

from sqlmodel import Session

from contest.core.enums import Role
from contest.models import Advancement, Entry, Judge, Round, User, utcnow
from tests import factories
from tests.app_client import TestClient
from tests.factories import World

# Five sheets per entry (in tenths, the rubric's five criteria); totals 90.0 .. 70.0.
SHEETS = (
    [270, 225, 180, 135, 90],  # 90.0
    [255, 215, 170, 125, 85],  # 85.0
    [240, 200, 160, 120, 80],  # 80.0
    [225, 185, 150, 115, 75],  # 75.0
    [210, 175, 140, 105, 70],  # 70.0
)


@dataclass
class Final:
    """world.final (a roadshow round) with ``entries`` in it, every judge on every entry."""

    world: World
    entries: list[Entry]
    judges: list[Judge]
    judge_users: list[User]

    @property
    def round(self) -> Round:
        return self.world.final

    @property
    def live_url(self) -> str:
        return f"/api/v1/rounds/{self.round.id}/live"

    @property
    def draw_url(self) -> str:
        return f"/api/v1/rounds/{self.round.id}/draw"


def arrange_final(
    db: Session,
    world: World,
    *,
    entries: int = 3,
    judges: int = 5,
    assigned: bool = True,
    published: bool = True,
) -> Final:
    users = list(world.judge_users)
    panel = list(world.judges)
    for n in range(len(panel) + 1, judges + 1):
        account = factories.user(
            db, Role.judge, email=f"judge{n}@example.com", name=f"评委{n}", institution=f"机构{n}"
        )
        users.append(account)
        panel.append(factories.judge(db, world.contest, account=account, institution=f"机构{n}"))
    items = [
        factories.entry(
            db,
            world.contest,
            world.startup if i % 2 == 0 else world.creative,
            title=f"决赛项目{i + 1}",
            institution=f"大学{i + 1}",
            rounds=(world.final,),
        )
        for i in range(entries)
    ]
    for item in items if assigned else ():
        for judge in panel[:judges]:
            factories.assign(db, world.final, judge, item)
    if published:
        # The finalists are public once the semifinal's advancement list is published.
        db.add(Advancement(round_id=world.semifinal.id, published_at=utcnow()))
    db.commit()
    return Final(world, items, panel[:judges], users[:judges])


def score(db: Session, final: Final, entry: Entry, *, judges: int | None = None, shift: int = 0):  # type: ignore[no-untyped-def]
    """Submitted sheets of the first ``judges`` judges (all by default) for the entry;
    ``shift`` tenths are added to the first criterion of every sheet."""
    for judge, values in zip(final.judges[: judges or len(final.judges)], SHEETS, strict=False):
        factories.sheet(db, final.round, judge, entry, [values[0] + shift, *values[1:]])
    db.commit()


def step(client: TestClient, final: Final, action: str, **body: object):  # type: ignore[no-untyped-def]
    return client.post(final.live_url, json={"action": action, **body})


def drawn(client: TestClient, final: Final, seed: int = 7) -> list[int]:
    response = client.post(final.draw_url, json={"seed": seed})
    assert response.status_code == 200, response.text
    return response.json()["order"]  # type: ignore[no-any-return]
