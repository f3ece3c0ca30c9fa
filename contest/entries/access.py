"""Who may enter a contest, read or change an entry, or read its documents.

An entry or document the caller may not read is not found (404); one they may read but
not change (an assigned judge) is 403.
"""

from sqlmodel import Session

from contest.core.enums import ContestStatus, Role
from contest.core.errors import Forbidden, NotFound
from contest.core.i18n import _
from contest.judging.access import judge_assigned_to_entry
from contest.models import Contest, Document, Entry, User
from contest.setup.access import organised_contest, organises


def owns_entry(user: User, entry: Entry) -> bool:
    return user.role == Role.team and entry.owner_id == user.id


def can_read_entry(db: Session, user: User, entry: Entry) -> bool:
    return (
        owns_entry(user, entry)
        or organises(db, user, entry.contest_id)
        or judge_assigned_to_entry(db, user, entry)
    )


def readable_entry(db: Session, user: User, entry_id: int) -> Entry:
    entry = db.get(Entry, entry_id)
    if entry is None or not can_read_entry(db, user, entry):
        raise NotFound()
    return entry


def can_change_entry(db: Session, user: User, entry: Entry) -> bool:
    """The team that owns the entry, or an organiser of its contest."""
    return owns_entry(user, entry) or organises(db, user, entry.contest_id)


def changeable_entry(db: Session, user: User, entry_id: int) -> Entry:
    entry = readable_entry(db, user, entry_id)
    if not can_change_entry(db, user, entry):
        raise Forbidden(_("Only the entry's team and the organisers can change it."))
    return entry


def visible_contest(db: Session, contest_id: int) -> Contest:
    """A contest a team may see: any but a draft."""
    contest = db.get(Contest, contest_id)
    if contest is None or contest.status == ContestStatus.draft:
        raise NotFound()
    return contest


def entries_contest(db: Session, user: User, contest_id: int) -> Contest:
    """The contest whose entries the caller may create or list (a team: its own only)."""
    if user.role == Role.organiser:
        return organised_contest(db, user, contest_id)
    if user.role == Role.team:
        return visible_contest(db, contest_id)
    raise Forbidden(_("This is not open to your role."))


def readable_document(db: Session, user: User, document_id: int) -> tuple[Document, Entry]:
    document = db.get(Document, document_id)
    if document is None:
        raise NotFound()
    return document, readable_entry(db, user, document.entry_id)


def owned_entry(db: Session, user: User, entry_id: int) -> Entry:
    """A team's own entry; anybody else's is not found."""
    entry = db.get(Entry, entry_id)
    if entry is None or not owns_entry(user, entry):
        raise NotFound()
    return entry
