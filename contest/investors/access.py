"""Who may do what with investors: the investor's seat in a contest, the projects of its
showcase, a team's own entry, and what the public may read.

An investor is a guest of one contest (an `Investor` row), whatever its account's role
(a judge can be an investor too): everything it reads is scoped by that seat, so another
contest, or a project outside the showcase, is simply not found (404).
"""

from sqlalchemy import select
from sqlmodel import Session, col

from contest.core.enums import ContestStatus, Role
from contest.core.errors import Forbidden, NotFound
from contest.core.i18n import _
from contest.models import Contest, Deal, Entry, Investor, User
from contest.setup.access import organises


def investor_seat(db: Session, user: User, contest_id: int) -> Investor:
    """The caller's seat as an investor of the contest; 404 for anybody else."""
    seat = db.scalars(
        select(Investor).where(
            col(Investor.contest_id) == contest_id, col(Investor.user_id) == user.id
        )
    ).first()
    if seat is None or not user.is_active:
        raise NotFound()
    return seat


def seats_of(db: Session, user: User) -> list[tuple[Investor, Contest]]:
    """Every contest the user is an investor guest of, newest first."""
    rows = db.execute(
        select(Investor, Contest)
        .join(Contest, col(Contest.id) == Investor.contest_id)
        .where(col(Investor.user_id) == user.id)
        .order_by(col(Contest.year).desc(), col(Contest.id).desc())
    ).all()
    return [(seat, contest) for seat, contest in rows]


def is_investor(db: Session, user: User) -> bool:
    return user.role == Role.investor or bool(seats_of(db, user))


def owns_entry(user: User, entry: Entry) -> bool:
    return user.role == Role.team and entry.owner_id == user.id


def team_entry(db: Session, user: User, entry_id: int) -> Entry:
    """The team's own entry; anybody else's is not found."""
    entry = db.get(Entry, entry_id)
    if entry is None or not owns_entry(user, entry):
        raise NotFound()
    return entry


def deals_reader(db: Session, user: User | None, contest: Contest) -> str:
    """How much of a contest's deals the caller reads: "organiser" (all), "team" (its own
    plus the public ones) or "public"."""
    if user is not None and organises(db, user, contest.id):
        return "organiser"
    if user is not None and user.role == Role.team:
        return "team"
    return "public"


def require_investor(db: Session, user: User) -> None:
    """Anybody who is no investor anywhere is refused outright (403), before any look-up."""
    if not is_investor(db, user):
        raise Forbidden(_("This is not open to your role."))


def contest_seat(db: Session, user: User, contest_id: int) -> Investor:
    require_investor(db, user)
    return investor_seat(db, user, contest_id)


def entry_seat(db: Session, user: User, entry_id: int) -> Investor:
    """The caller's seat in the contest of this entry (the entry itself is checked against
    the showcase by the service); 404 for an entry of another contest."""
    require_investor(db, user)
    entry = db.get(Entry, entry_id)
    if entry is None:
        raise NotFound()
    return investor_seat(db, user, entry.contest_id)


def require_team(user: User) -> None:
    if user.role != Role.team:
        raise Forbidden(_("This is not open to your role."))


def deals_contest(db: Session, user: User | None, contest_id: int) -> Contest:
    """A contest whose deals the caller may list: any but a draft, which only its
    organisers see."""
    contest = db.get(Contest, contest_id)
    if contest is None:
        raise NotFound()
    if contest.status == ContestStatus.draft and not (
        user is not None and organises(db, user, contest_id)
    ):
        raise NotFound()
    return contest


def organised_deal(db: Session, user: User, deal_id: int) -> Deal:
    deal = db.get(Deal, deal_id)
    if deal is None or not organises(db, user, deal.contest_id):
        raise NotFound()
    return deal
