"""Contests and their tracks: creating, changing, listing."""

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlmodel import Session, col

from contest.core import audit
from contest.core.db import lock_row
from contest.core.enums import ContestStatus, TeamRole
from contest.core.errors import InvalidInput
from contest.core.i18n import _
from contest.models import Contest, ContestOrganiser, Entry, Round, Track, User, utcnow
from contest.setup.schemas import ContestCreate, ContestUpdate, TrackCreate, TrackUpdate


def create_contest(db: Session, *, actor: User, data: ContestCreate) -> Contest:
    """A new contest in draft, organised by its creator."""
    contest = Contest(**data.model_dump())
    db.add(contest)
    db.flush()
    db.add(ContestOrganiser(contest_id=contest.id, user_id=actor.id, role=TeamRole.owner))
    audit.record(
        db, actor=actor, action="contest.create", obj=contest, after=audit.snapshot(contest)
    )
    db.flush()
    return contest


def update_contest(db: Session, *, actor: User, contest: Contest, data: ContestUpdate) -> Contest:
    # Locked and re-read first: two organisers' changes, each valid alone (one moves the
    # start, the other the end), are checked one after the other, not both against the
    # old values (which let PostgreSQL's check constraint answer 500).
    lock_row(db, contest)
    before = audit.snapshot(contest)
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(contest, name, value)
    opens, closes = contest.registration_opens_at, contest.registration_closes_at
    if opens is not None and closes is not None and closes <= opens:
        raise InvalidInput.single("registration_closes_at", _("The end must come after the start."))
    old, new = audit.changes(before, audit.snapshot(contest))
    if new:
        audit.record(db, actor=actor, action="contest.update", obj=contest, before=old, after=new)
    db.flush()
    return contest


def organised_contests(db: Session, user: User) -> Sequence[Contest]:
    return db.scalars(
        select(Contest)
        .join(ContestOrganiser, col(ContestOrganiser.contest_id) == Contest.id)
        .where(col(ContestOrganiser.user_id) == user.id)
        .order_by(col(Contest.year).desc(), col(Contest.id).desc())
    ).all()


def public_contests(db: Session) -> Sequence[Contest]:
    """Contests the public may know of: everything but drafts."""
    return db.scalars(
        select(Contest)
        .where(col(Contest.status) != ContestStatus.draft)
        .order_by(col(Contest.year).desc(), col(Contest.id).desc())
    ).all()


def registration_open(contest: Contest) -> bool:
    """Teams may enter and edit while the contest is open and inside its window."""
    now = utcnow()
    if contest.status != ContestStatus.open:
        return False
    if contest.registration_opens_at and now < contest.registration_opens_at:
        return False
    return not (contest.registration_closes_at and now >= contest.registration_closes_at)


def tracks(db: Session, contest_id: int) -> Sequence[Track]:
    return db.scalars(
        select(Track)
        .where(col(Track.contest_id) == contest_id)
        .order_by(col(Track.position), col(Track.id))
    ).all()


def track_by_code(db: Session, contest_id: int, code: str) -> Track | None:
    return db.scalars(
        select(Track).where(
            col(Track.contest_id) == contest_id, col(Track.code) == code.strip().lower()
        )
    ).first()


def add_track(db: Session, *, actor: User, contest: Contest, data: TrackCreate) -> Track:
    lock_row(db, contest)  # two organisers adding the same code: the second gets the 422
    if track_by_code(db, contest.id, data.code) is not None:
        raise InvalidInput.single("code", _("This contest already has a track with this code."))
    position = db.scalar(
        select(func.count()).select_from(Track).where(col(Track.contest_id) == contest.id)
    )
    track = Track(contest_id=contest.id, position=position or 0, **data.model_dump())
    db.add(track)
    db.flush()
    audit.record(db, actor=actor, action="track.create", obj=track, after=audit.snapshot(track))
    return track


def update_track(db: Session, *, actor: User, track: Track, data: TrackUpdate) -> Track:
    lock_row(db, track)
    before = audit.snapshot(track)
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(track, name, value)
    if track.max_company_age_years is not None and not track.requires_company:
        raise InvalidInput.single(
            "max_company_age_years",
            _("A company age limit only applies to a track that requires a company."),
        )
    old, new = audit.changes(before, audit.snapshot(track))
    if new:
        audit.record(db, actor=actor, action="track.update", obj=track, before=old, after=new)
    db.flush()
    return track


def contest_counts(db: Session, contest_id: int) -> dict[str, int]:
    """Headline figures for the contest's overview."""
    entries = db.scalar(
        select(func.count())
        .select_from(Entry)
        .where(col(Entry.contest_id) == contest_id, col(Entry.withdrawn_at).is_(None))
    )
    rounds = db.scalar(
        select(func.count()).select_from(Round).where(col(Round.contest_id) == contest_id)
    )
    return {"entries": entries or 0, "rounds": rounds or 0}
