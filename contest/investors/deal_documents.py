"""A deal's optional PDF (issue 22, item 4): the signed intent, the incubation agreement.

The organiser uploads it (a PDF checked by its content, as every upload: magic bytes, an
end, a parse; at most the upload limit), replacing an earlier one (kept on disk, as the
audit record names it). It is served to the contest's organisers and to the team that
owns the entry, never to the public, investors, judges or other teams, even when the
deal itself is public: a signed document holds signatures, amounts and terms.
"""

from pathlib import Path

from sqlmodel import Session

from contest.core import audit
from contest.core.enums import Role
from contest.core.errors import NotFound, StateConflict
from contest.core.i18n import _
from contest.core.settings import Settings
from contest.kit.uploads import ReceivedFile, display_filename, keep_pdf
from contest.models import Deal, Entry, User
from contest.setup.access import organises

FOLDER = "deals"


def require_can_attach(deal: Deal) -> None:
    if deal.withdrawn_at is not None:
        raise StateConflict(_("This deal was withdrawn; its document can no longer change."))


def attach_document(
    db: Session, *, actor: User, deal: Deal, received: ReceivedFile, settings: Settings
) -> Deal:
    """Keep a PDF as the deal's document; audited. The received file is always removed."""
    try:
        require_can_attach(deal)
    except StateConflict:
        received.discard()
        raise
    stored = keep_pdf(settings, received, FOLDER)
    before = None
    if deal.stored_name:
        before = {"filename": deal.filename, "stored_name": deal.stored_name}
    deal.filename = display_filename(received.client_name)
    deal.stored_name = stored
    deal.size = received.size
    db.add(deal)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="deal.document",
        obj=deal,
        before=before,
        after={"filename": deal.filename, "stored_name": stored, "size": received.size},
    )
    return deal


def readable_deal(db: Session, user: User, deal_id: int) -> Deal:
    """A deal whose document the caller may read: the contest's organisers (any deal), the
    team that owns the entry (not a withdrawn one); anybody else: not found."""
    deal = db.get(Deal, deal_id)
    if deal is None:
        raise NotFound()
    if organises(db, user, deal.contest_id):
        return deal
    entry = db.get(Entry, deal.entry_id)
    owner = entry is not None and user.role == Role.team and entry.owner_id == user.id
    if owner and deal.withdrawn_at is None:
        return deal
    raise NotFound()


def document_path(settings: Settings, deal: Deal) -> Path:
    if not deal.stored_name:
        raise NotFound()
    path = settings.uploads_dir / deal.stored_name
    if not path.is_file():
        raise NotFound()
    return path
