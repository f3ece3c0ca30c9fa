"""What the privacy routes do beyond contest/consent and data/erase: the public notice of
a contest, and exports recorded in the audit log."""

from typing import Any

from sqlmodel import Session

from contest.consent import service as consent
from contest.core import audit
from contest.core.enums import ContestStatus
from contest.core.errors import NotFound
from contest.models import Contest, Entry, User
from contest.privacy import data
from contest.setup.access import organises


def public_contest(db: Session, user: User | None, contest_id: int) -> Contest:
    """A contest whose notice anyone may read: any but a draft (whose organisers may)."""
    contest = db.get(Contest, contest_id)
    if contest is None:
        raise NotFound()
    if contest.status == ContestStatus.draft and not (
        user is not None and organises(db, user, contest.id)
    ):
        raise NotFound()
    return contest


def notice_version(db: Session, contest: Contest, version: int | None) -> consent.Notice:
    if version is None:
        return consent.current(db, contest)
    found = consent.version_text(db, contest, version)
    if found is None:
        raise NotFound()
    return found


def exported(db: Session, *, actor: User, entry: Entry, fmt: str) -> dict[str, Any]:
    """The team's personal data; the export is audited (who took a copy, when)."""
    collected = data.collect(db, entry)
    audit.record(
        db,
        actor=actor,
        action="personal_data.export",
        obj=entry,
        after={"format": fmt, "entry_ids": [e["id"] for e in collected["entries"]]},
    )
    return collected
