"""Erasing a team's personal data after the contest (docs/rules.md "Personal information").

"After the contest" means: the contest's status is `finished`, no publication's objection
window is still open, and no objection waits for a decision. Before that, erasing would
take away what judging, the 公示 and objections still need: refused (409).

What happens to each entry of the team (data.team_entries) and to its account:
- leader's e-mail and phone, the video link and every uploaded document (rows and files,
  objection evidence too) are removed; mails queued or sent to the team's addresses are
  deleted from the outbox;
- the leader's and members' names become 已删除, except on an entry with a published
  award: its certificate prints the title, leader, members and institution, and anyone
  may verify it by its code, so those stay (and only those);
- the account (when it has no entry left in another contest whose data is kept): name
  已删除, address erased-<id>@erased.invalid, no phone, a random password, deactivated,
  every session and link ended;
- the audit log's copies of the removed values are overwritten with 已删除;
- one audit record `personal_data.erase` with the reason says who erased what and when.
Awards, certificates, scores, rankings and publications (what was announced) are kept.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, event, or_, select
from sqlmodel import Session, col

from contest.core import audit
from contest.core.enums import ContestStatus
from contest.core.errors import InvalidInput, StateConflict
from contest.core.i18n import _
from contest.core.security import hash_password, new_token
from contest.core.settings import Settings
from contest.entries.documents import stored_path
from contest.entries.views import award_of
from contest.models import (
    AccountToken,
    AuditRecord,
    AuthSession,
    Contest,
    Document,
    Entry,
    EntryMember,
    Objection,
    OutboxMail,
    Publication,
    User,
    utcnow,
)
from contest.privacy.data import team_entries

ERASED = "已删除"
REASON_MAX = 1000
# Entry columns cleared on every entry; names too unless printed on a certificate.
CLEARED = ("leader_email", "leader_phone", "video_url")
NAMES = ("leader_name", "members")
ACCOUNT_FIELDS = ("name", "email", "phone", "institution")


@dataclass
class Erased:
    entry_ids: list[int] = field(default_factory=list)
    kept_for_certificates: list[int] = field(default_factory=list)
    documents_removed: int = 0
    mails_removed: int = 0
    account_erased: bool = False


def not_over_reason(db: Session, contest: Contest) -> str | None:
    """Why the contest is not over yet (personal data must stay), or None once it is."""
    if contest.status != ContestStatus.finished:
        return _("The contest is not finished yet: personal data can be erased after it.")
    now = utcnow()
    open_window = db.scalar(
        select(col(Publication.objections_close_at))
        .where(
            col(Publication.contest_id) == contest.id,
            col(Publication.withdrawn_at).is_(None),
            col(Publication.objections_close_at) > now,
        )
        .order_by(col(Publication.objections_close_at).desc())
        .limit(1)
    )
    if open_window is not None:
        return _(
            "The objection period of a publication is still open: personal data can be"
            " erased once it has closed."
        )
    waiting = db.scalar(
        select(col(Objection.id))
        .where(col(Objection.contest_id) == contest.id, col(Objection.state) == "open")
        .limit(1)
    )
    if waiting is not None:
        return _("An objection is waiting for a decision: decide it before erasing personal data.")
    return None


def _remove_files_after_commit(db: Session, paths: list[Path]) -> None:
    """Files go when the erasure is committed: a rolled-back erasure keeps them."""
    if not paths:
        return

    @event.listens_for(db, "after_commit", once=True)
    def _remove(_session: Session) -> None:
        for path in paths:
            path.unlink(missing_ok=True)


def _scrub_audit(db: Session, object_type: str, object_id: int, keys: set[str]) -> None:
    """Overwrite the removed values in the audit log's before/after copies."""
    records = db.scalars(
        select(AuditRecord).where(
            col(AuditRecord.object_type) == object_type, col(AuditRecord.object_id) == object_id
        )
    )
    for record in records:
        for name in ("before", "after"):
            values: dict[str, Any] | None = getattr(record, name)
            if values and keys & set(values):
                setattr(
                    record, name, {k: (ERASED if k in keys and v else v) for k, v in values.items()}
                )


def _erase_entry(db: Session, settings: Settings, entry: Entry, result: Erased) -> set[str]:
    award, _certificate = award_of(db, entry.id)
    printed = award is not None and award.published_at is not None
    keys = set(CLEARED)
    for name in CLEARED:
        setattr(entry, name, "")
    if printed:
        result.kept_for_certificates.append(entry.id)
    else:
        entry.leader_name = ERASED
        db.execute(delete(EntryMember).where(col(EntryMember.entry_id) == entry.id))
        keys |= set(NAMES)
    documents = list(db.scalars(select(Document).where(col(Document.entry_id) == entry.id)))
    paths = [stored_path(settings, d) for d in documents]
    paths += [settings.uploads_dir / d.clean_stored_name for d in documents if d.clean_stored_name]
    for document in documents:
        db.delete(document)
    for objection in db.scalars(select(Objection).where(col(Objection.entry_id) == entry.id)):
        if objection.document_stored:
            paths.append(settings.uploads_dir / objection.document_stored)
            result.documents_removed += 1
            objection.document_stored = None
            objection.document_name = None
            objection.document_size = None
    result.documents_removed += len(documents)
    _remove_files_after_commit(db, paths)
    entry.personal_data_erased_at = utcnow()
    _scrub_audit(db, "entries", entry.id, keys)
    result.entry_ids.append(entry.id)
    return keys


def _other_contests_keep(db: Session, user: User, contest_id: int) -> bool:
    """Whether the account has an entry in another contest whose data is kept."""
    found = db.scalar(
        select(col(Entry.id))
        .where(
            col(Entry.owner_id) == user.id,
            col(Entry.contest_id) != contest_id,
            col(Entry.personal_data_erased_at).is_(None),
        )
        .limit(1)
    )
    return found is not None


def _erase_account(db: Session, user: User) -> None:
    user.name = ERASED
    user.email = f"erased-{user.id}@erased.invalid"
    user.phone = ""
    user.institution = ""
    user.password_hash = hash_password(new_token())
    user.is_active = False
    user.erased_at = utcnow()
    db.execute(delete(AuthSession).where(col(AuthSession.user_id) == user.id))
    db.execute(delete(AccountToken).where(col(AccountToken.user_id) == user.id))
    _scrub_audit(db, "users", user.id, set(ACCOUNT_FIELDS))


def erase(db: Session, settings: Settings, *, actor: User, entry: Entry, reason: str) -> Erased:
    """Erase the personal data of the entry's team (see the module's docstring)."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput.single("reason", _("Say why the personal data is erased (audited)."))
    if len(reason) > REASON_MAX:
        raise InvalidInput.single("reason", _("At most %(n)s characters.") % {"n": REASON_MAX})
    contest = db.get(Contest, entry.contest_id)
    assert contest is not None
    problem = not_over_reason(db, contest)
    if problem is not None:
        raise StateConflict(problem)
    result = Erased()
    found = team_entries(db, entry)
    owner = db.get(User, entry.owner_id) if entry.owner_id is not None else None
    addresses = {e.leader_email for e in found if e.leader_email}
    if owner is not None and owner.erased_at is None:
        addresses.add(owner.email)
    for item in found:
        if item.personal_data_erased_at is None:
            _erase_entry(db, settings, item, result)
    db.flush()
    if (
        owner is not None
        and owner.erased_at is None
        and not _other_contests_keep(db, owner, contest.id)
    ):
        _erase_account(db, owner)
        result.account_erased = True
    if addresses:
        removed = db.execute(
            delete(OutboxMail).where(or_(*(col(OutboxMail.to) == a for a in addresses)))
        )
        result.mails_removed = int(getattr(removed, "rowcount", 0) or 0)
    audit.record(
        db,
        actor=actor,
        action="personal_data.erase",
        obj=entry,
        after={
            "entry_ids": result.entry_ids,
            "kept_for_certificates": result.kept_for_certificates,
            "documents_removed": result.documents_removed,
            "mails_removed": result.mails_removed,
            "account_erased": result.account_erased,
        },
        reason=reason,
    )
    db.flush()
    return result
