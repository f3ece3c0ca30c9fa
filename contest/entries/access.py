"""Who may enter a contest, change an entry or read its documents; loaders for routes.

Built on contest/core/permissions.py: an entry or document the caller may not read is
not found (404); one they may read but not change (an assigned judge) is 403.
"""

from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from contest.core import permissions
from contest.core.enums import ContestStatus, Role
from contest.core.errors import Forbidden, NotFound
from contest.core.i18n import _
from contest.core.web.deps import CurrentTeam, CurrentUser, DbSession
from contest.models import Contest, Document, Entry, User


def can_change_entry(db: Session, user: User, entry: Entry) -> bool:
    """The team that owns the entry, or an organiser of its contest."""
    return permissions.owns_entry(user, entry) or permissions.organises(db, user, entry.contest_id)


def changeable_entry(db: Session, user: User, entry_id: int) -> Entry:
    entry = permissions.readable_entry(db, user, entry_id)
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
        return permissions.organised_contest(db, user, contest_id)
    if user.role == Role.team:
        return visible_contest(db, contest_id)
    raise Forbidden(_("This is not open to your role."))


def readable_document(db: Session, user: User, document_id: int) -> tuple[Document, Entry]:
    document = db.get(Document, document_id)
    if document is None:
        raise NotFound()
    return document, permissions.readable_entry(db, user, document.entry_id)


def owned_entry(db: Session, user: User, entry_id: int) -> Entry:
    """A team's own entry; anybody else's is not found."""
    entry = db.get(Entry, entry_id)
    if entry is None or not permissions.owns_entry(user, entry):
        raise NotFound()
    return entry


def _entries_contest(contest_id: int, db: DbSession, user: CurrentUser) -> Contest:
    return entries_contest(db, user, contest_id)


def _readable_entry(entry_id: int, db: DbSession, user: CurrentUser) -> Entry:
    return permissions.readable_entry(db, user, entry_id)


def _changeable_entry(entry_id: int, db: DbSession, user: CurrentUser) -> Entry:
    return changeable_entry(db, user, entry_id)


def _readable_document(
    document_id: int, db: DbSession, user: CurrentUser
) -> tuple[Document, Entry]:
    return readable_document(db, user, document_id)


def _owned_entry(entry_id: int, db: DbSession, user: CurrentTeam) -> Entry:
    return owned_entry(db, user, entry_id)


EntriesContest = Annotated[Contest, Depends(_entries_contest)]
ReadableEntry = Annotated[Entry, Depends(_readable_entry)]
ChangeableEntry = Annotated[Entry, Depends(_changeable_entry)]
ReadableDocument = Annotated[tuple[Document, Entry], Depends(_readable_document)]
OwnedEntry = Annotated[Entry, Depends(_owned_entry)]
