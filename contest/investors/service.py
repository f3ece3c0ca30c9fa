"""Investors as guests of a contest: invitation, the list, declared stakes.

An investor is invited like a judge: a mail with a set-password link (7 days) for a new
account, a log-in link for an existing one; without a mail server, the set-password link
of a new account is shown to the organiser once (`invitation_link`); see README.md.
"""

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlmodel import Session, col

from contest.accounts import mails
from contest.accounts import service as auth
from contest.core import audit
from contest.core.enums import Role
from contest.core.errors import InvalidInput, StateConflict
from contest.core.i18n import _
from contest.investors import conflicts
from contest.investors.schemas import InvestorCreate, InvestorPublic, StakeIn
from contest.models import Contest, Interest, Investor, User
from contest.notices.service import mail_configured, site_settings, site_url

# A judge may sit as an investor too (a conflict for what it marks, see conflicts.py);
# a team or an organiser account may not: they would read their rivals' showcase.
REUSABLE_ROLES = frozenset({Role.investor, Role.judge})


def _account(db: Session, data: InvestorCreate) -> tuple[User, str | None]:
    """The investor's account and, for a new one invited without a password, its
    set-password link's secret. An existing account is used as it is."""
    existing = auth.user_by_email(db, data.email)
    if existing is not None:
        if existing.role not in REUSABLE_ROLES:
            raise InvalidInput.single(
                "email",
                _("This e-mail address belongs to an account that cannot be an investor."),
            )
        auth.as_slow_as_a_new_account()
        return existing, None
    if data.password:  # kept for scripts: the organiser chose it
        user = auth.create_user(
            db,
            role=Role.investor,
            email=data.email,
            password=data.password,
            name=data.name,
            institution=data.organisation,
        )
        return user, None
    return auth.create_invited(
        db, role=Role.investor, email=data.email, name=data.name, institution=data.organisation
    )


def invite_investor(
    db: Session, *, actor: User, contest: Contest, data: InvestorCreate
) -> InvestorPublic:
    """Make the account (if new) an investor guest of the contest and mail the invitation;
    audited. Without a mail server, a new account's set-password link comes back once in
    `invitation_link` for the organiser to hand over (the mail waits in the outbox)."""
    user, token = _account(db, data)
    duplicate = db.scalars(
        select(Investor).where(
            col(Investor.contest_id) == contest.id, col(Investor.user_id) == user.id
        )
    ).first()
    if duplicate is not None:
        raise StateConflict(
            _("This investor is already a guest of the contest."), investor_id=duplicate.id
        )
    seat = Investor(
        contest_id=contest.id,
        user_id=user.id,
        organisation=data.organisation,
        stakes=[stake.model_dump() for stake in data.stakes],
        created_by_id=actor.id,
    )
    db.add(seat)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="investor.invite",
        obj=seat,
        after={"email": user.email, **audit.snapshot(seat)},
    )
    conflicts.sync_judge_conflicts(db, actor=actor, contest_id=contest.id)
    organiser = "、".join(contest.organisers) if contest.organisers else contest.name
    mails.invitation(db, user, token, contest_id=contest.id, organiser=organiser, guest="investor")
    shown = None
    if token is not None and not mail_configured(site_settings()):
        shown = site_url(f"/reset/{token}")
    return public(seat, user, invitation_link=shown).model_copy(update={"name": data.name})


def public(
    seat: Investor, user: User, *, marks: int = 0, invitation_link: str | None = None
) -> InvestorPublic:
    return InvestorPublic(
        id=seat.id,
        contest_id=seat.contest_id,
        user_id=user.id,
        email=user.email,
        name=user.name,
        organisation=seat.organisation,
        stakes=[StakeIn(**stake) for stake in seat.stakes],
        marks=marks,
        invitation_link=invitation_link,
    )


def investors(db: Session, contest_id: int) -> list[InvestorPublic]:
    """The contest's investors with how many projects each has marked (most active first)."""
    marks = (
        select(col(Interest.investor_id), func.count().label("n"))
        .group_by(col(Interest.investor_id))
        .subquery()
    )
    rows = db.execute(
        select(Investor, User, func.coalesce(marks.c.n, 0))
        .join(User, col(User.id) == Investor.user_id)
        .outerjoin(marks, marks.c.investor_id == Investor.id)
        .where(col(Investor.contest_id) == contest_id)
        .order_by(func.coalesce(marks.c.n, 0).desc(), col(Investor.organisation), col(User.name))
    ).all()
    return [public(seat, user, marks=int(n)) for seat, user, n in rows]


def declare_stakes(
    db: Session, *, actor: User, seat: Investor, stakes: Sequence[StakeIn]
) -> Investor:
    """Replace the companies the investor holds a stake in; audited, conflicts refreshed."""
    before = audit.snapshot(seat, ["stakes"])
    seat.stakes = [stake.model_dump() for stake in stakes]
    db.add(seat)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="investor.stakes",
        obj=seat,
        before=before,
        after=audit.snapshot(seat, ["stakes"]),
    )
    conflicts.sync_judge_conflicts(db, actor=actor, contest_id=seat.contest_id)
    return seat
