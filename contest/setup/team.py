"""A contest's organiser team: its owner, co-organisers and viewers.

- The owner is the organiser who created the contest (for links written without roles,
  by older versions or scripts: the first link). Only the owner adds and removes people,
  and the owner cannot be removed.
- A co-organiser (`organiser`) has every right the owner has except managing the team.
- A viewer (监督) reads everything an organiser reads and changes nothing: every write
  is refused 403 by `core.web.read_only`, before the route runs.

Only existing organiser accounts join a team. Removing someone ends their access at once:
every request reads the links afresh. Every change is in the audit log.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from contest.core import audit
from contest.core.enums import Role, TeamRole
from contest.core.errors import InvalidInput, NotFound, StateConflict
from contest.core.i18n import _
from contest.models import Contest, ContestOrganiser, User


@dataclass(frozen=True)
class Member:
    link: ContestOrganiser
    user: User
    owner: bool


def members(db: Session, contest_id: int) -> list[Member]:
    """The team, its owner first, then in the order they were added."""
    rows = db.execute(
        select(ContestOrganiser, User)
        .join(User, col(User.id) == ContestOrganiser.user_id)
        .where(col(ContestOrganiser.contest_id) == contest_id)
        .order_by(col(ContestOrganiser.added_at), col(ContestOrganiser.user_id))
    ).all()
    owner = _owner_in([link for link, _user in rows])
    team = [Member(link, user, link.user_id == owner) for link, user in rows]
    return sorted(team, key=lambda member: not member.owner)


def _owner_in(links: Sequence[ContestOrganiser]) -> int | None:
    """The owner among a contest's links (ordered as added): the one marked so, else the
    first link that is not a viewer."""
    for link in links:
        if link.role == TeamRole.owner:
            return link.user_id
    for link in links:
        if link.role != TeamRole.viewer:
            return link.user_id
    return None


def owner_id(db: Session, contest_id: int) -> int | None:
    return next((m.user.id for m in members(db, contest_id) if m.owner), None)


def is_owner(db: Session, user: User, contest_id: int) -> bool:
    return owner_id(db, contest_id) == user.id


def role_of(db: Session, user: User, contest_id: int) -> TeamRole | None:
    """The caller's place in the team: owner, organiser, viewer, or None."""
    mine = next((m for m in members(db, contest_id) if m.user.id == user.id), None)
    if mine is None:
        return None
    return TeamRole.owner if mine.owner else TeamRole(mine.link.role)


def add_member(
    db: Session, *, actor: User, contest: Contest, email: str, role: TeamRole
) -> Member:
    """Add an existing organiser account as a co-organiser or a viewer."""
    user = db.scalars(select(User).where(col(User.email) == email)).first()
    if user is None or user.role != Role.organiser or not user.is_active:
        # One message whether the address is unknown or belongs to a team or a judge:
        # the team page is no way to learn who has which account.
        raise InvalidInput.single(
            "email",
            _("No organiser account uses this e-mail address. Ask them to get an organiser "
              "account first, then add them."),
        )
    if db.get(ContestOrganiser, (contest.id, user.id)) is not None:
        raise StateConflict(_("This person is already in the contest's team."))
    link = ContestOrganiser(contest_id=contest.id, user_id=user.id, role=role)
    db.add(link)
    audit.record(
        db, actor=actor, action="team.add", object_type="contest_organisers",
        object_id=user.id, contest_id=contest.id,
        after={"user_id": user.id, "email": user.email, "role": role.value},
    )
    db.flush()
    return Member(link, user, owner=False)


def remove_member(db: Session, *, actor: User, contest: Contest, user_id: int) -> None:
    """Remove someone from the team; their next request no longer reaches the contest."""
    link = db.get(ContestOrganiser, (contest.id, user_id))
    if link is None:
        raise NotFound()
    if owner_id(db, contest.id) == user_id:
        raise StateConflict(_("The contest's owner cannot be removed from its team."))
    user = db.get(User, user_id)
    audit.record(
        db, actor=actor, action="team.remove", object_type="contest_organisers",
        object_id=user_id, contest_id=contest.id,
        before={"user_id": user_id, "email": user.email if user else "",
                "role": TeamRole(link.role).value},
    )
    db.delete(link)
    db.flush()
