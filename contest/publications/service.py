"""Publications (公示): recording a frozen, versioned snapshot, and the guards it sets.

This package sits low (just above accounts) so that every feature that could change a
published outcome (round settings in setup, sheets in judging, advancement in results,
awards) can ask "does a publication stand over this?" without a cycle. Snapshots are
built by the features that own the data (``results.publication``, ``awards.service``)
and handed here to be recorded; withdrawing and objections live in
``contest/objections/``, above them all.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from contest.core import audit
from contest.core.errors import StateConflict
from contest.core.i18n import _
from contest.models import Contest, Objection, Publication, Round, User, utcnow

ADVANCEMENT = "advancement"
AWARDS = "awards"


def subject_of(kind: str, round_id: int | None) -> str:
    """Versions are counted per subject: a round's advancement list, or the awards."""
    return AWARDS if kind == AWARDS else f"round:{round_id}"


def record(
    db: Session,
    *,
    actor: User | None,
    contest: Contest,
    kind: str,
    round_id: int | None,
    snapshot: dict[str, Any],
) -> Publication:
    """Store a new version of the subject's publication (1, then 2, ...), opening its
    objection window of ``contest.objection_days`` days; audited."""
    subject = subject_of(kind, round_id)
    last = db.scalar(
        select(func.max(col(Publication.version))).where(
            col(Publication.contest_id) == contest.id, col(Publication.subject) == subject
        )
    )
    now = utcnow()
    item = Publication(
        contest_id=contest.id,
        kind=kind,
        round_id=round_id,
        subject=subject,
        version=(last or 0) + 1,
        published_at=now,
        published_by_id=actor.id if actor else None,
        objections_close_at=now + timedelta(days=contest.objection_days),
        snapshot=snapshot,
    )
    db.add(item)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="publication.publish",
        obj=item,
        after={"kind": kind, "round_id": round_id, "version": item.version},
    )
    return item


def standing(db: Session, contest_id: int, subject: str) -> Publication | None:
    """The subject's publication in force (published, not withdrawn), if any."""
    return db.scalars(
        select(Publication).where(
            col(Publication.contest_id) == contest_id,
            col(Publication.subject) == subject,
            col(Publication.withdrawn_at).is_(None),
        )
    ).first()


def latest(db: Session, contest_id: int, subject: str) -> Publication | None:
    """The subject's newest version, standing or withdrawn."""
    return db.scalars(
        select(Publication)
        .where(col(Publication.contest_id) == contest_id, col(Publication.subject) == subject)
        .order_by(col(Publication.version).desc())
        .limit(1)
    ).first()


def history(db: Session, contest_id: int, subject: str) -> Sequence[Publication]:
    """Every version of the subject, newest first."""
    return db.scalars(
        select(Publication)
        .where(col(Publication.contest_id) == contest_id, col(Publication.subject) == subject)
        .order_by(col(Publication.version).desc())
    ).all()


def of_contest(db: Session, contest_id: int, *, withdrawn: bool) -> Sequence[Publication]:
    """A contest's publications, oldest first; withdrawn ones only when asked."""
    query = select(Publication).where(col(Publication.contest_id) == contest_id)
    if not withdrawn:
        query = query.where(col(Publication.withdrawn_at).is_(None))
    return db.scalars(query.order_by(col(Publication.published_at), col(Publication.id))).all()


def freezing(db: Session, round_: Round) -> Publication | None:
    """The standing publication that freezes the round's scores: the awards (they rank
    the final, which carries earlier rounds over), or the advancement of this round or
    of a later one (carry-over reaches back)."""
    later = select(col(Round.id)).where(
        col(Round.contest_id) == round_.contest_id, col(Round.position) >= round_.position
    )
    return db.scalars(
        select(Publication)
        .where(
            col(Publication.contest_id) == round_.contest_id,
            col(Publication.withdrawn_at).is_(None),
            (col(Publication.kind) == AWARDS) | col(Publication.round_id).in_(later),
        )
        .order_by(col(Publication.id))
        .limit(1)
    ).first()


def refuse_if_frozen(db: Session, round_: Round) -> None:
    """409 naming the publication when one stands over the round."""
    found = freezing(db, round_)
    if found is not None:
        raise standing_conflict(found)


def refuse_if_standing(db: Session, contest_id: int, subject: str) -> None:
    found = standing(db, contest_id, subject)
    if found is not None:
        raise standing_conflict(found)


def standing_conflict(found: Publication) -> StateConflict:
    """The 409 for a change a standing publication forbids; the body names it."""
    what = _("the awards") if found.kind == AWARDS else _("an advancement list")
    message = _(
        "Publication %(id)s (%(what)s, version %(version)s) stands: withdraw it, with a "
        "reason, before changing what it published."
    ) % {"id": found.id, "what": what, "version": found.version}
    return StateConflict(
        message,
        publication_id=found.id,
        publication={"id": found.id, "kind": found.kind, "version": found.version},
    )


def open_objections(db: Session, publication_ids: Sequence[int]) -> dict[int, int]:
    """publication id -> how many of its objections are still open."""
    if not publication_ids:
        return {}
    rows = db.execute(
        select(col(Objection.publication_id), func.count())
        .where(col(Objection.publication_id).in_(publication_ids), col(Objection.state) == "open")
        .group_by(col(Objection.publication_id))
    )
    return {publication_id: count for publication_id, count in rows}


def is_final(item: Publication, open_count: int, now: datetime | None = None) -> bool:
    """最终: standing, its objection window over, and no objection to it still open."""
    moment = now or utcnow()
    return item.withdrawn_at is None and moment >= item.objections_close_at and open_count == 0


def window_open(item: Publication, now: datetime | None = None) -> bool:
    return item.withdrawn_at is None and (now or utcnow()) < item.objections_close_at
