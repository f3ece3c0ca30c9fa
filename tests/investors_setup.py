"""Arrangements for the investors tests: a final with finalists (one owned by the team),
an investor of the contest, and an investor of another contest."""

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from contest.core.enums import Role
from contest.models import Entry, EntryConsent, Investor, User, utcnow
from tests import factories
from tests.app_client import TestClient
from tests.factories import World


@dataclass
class Guests:
    world: World
    finalists: list[Entry]
    outsider: Entry  # an entry of the contest that did not reach the final
    investor: User
    seat: Investor
    other_investor: User
    other_seat: Investor


def investor(db: Session, contest_id: int, *, organisation: str, email: str | None = None,
             account: User | None = None) -> tuple[User, Investor]:
    account = account or factories.user(db, Role.investor, email=email, name=f"{organisation}代表")
    seat = Investor(contest_id=contest_id, user_id=account.id, organisation=organisation)
    db.add(seat)
    db.flush()
    return account, seat


def arrange(db: Session, world: World, *, started: bool = True) -> Guests:
    """Two finalists (the first is the team's, with a business plan), the final open when
    ``started``, an investor of the contest and one of the other contest."""
    finalists = [
        factories.entry(db, world.contest, world.creative, owner=world.team, title="康复机器人",
                        rounds=(world.preliminary, world.final)),
        factories.entry(db, world.contest, world.startup, owner=world.other_team,
                        title="AI 影像诊断", company_name="上海影像科技有限公司",
                        rounds=(world.preliminary, world.final)),
    ]
    outsider = factories.entry(db, world.contest, world.creative, title="未进决赛",
                               rounds=(world.preliminary,))
    if started:
        world.final.opens_at = utcnow() - timedelta(minutes=5)
        db.add(world.final)
    user, seat = investor(db, world.contest.id, organisation="普陀创投",
                          email="investor@example.com")
    other_user, other_seat = investor(db, world.other_contest.id, organisation="别家资本",
                                      email="investor2@example.com")
    db.commit()
    return Guests(world, finalists, outsider, user, seat, other_user, other_seat)


def consent(db: Session, entry: Entry, **values: bool) -> None:
    db.merge(EntryConsent(entry_id=entry.id, **values))
    db.commit()


def as_(client: TestClient, account: User) -> TestClient:
    client.headers.update(factories.bearer(client, account))
    client.headers["Accept-Language"] = "en"
    return client
