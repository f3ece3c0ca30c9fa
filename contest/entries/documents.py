"""An entry's documents: checked by content (never by name or declared type), kept under
random names in the data folder; a replaced version is kept, marked and audited."""

import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from contest.core import audit
from contest.core.enums import DocumentKind
from contest.core.errors import InvalidInput, StateConflict
from contest.core.i18n import _
from contest.core.settings import Settings
from contest.entries.service import acts_as_team, require_not_withdrawn, require_registration_open
from contest.kit.pdf_check import pdf_problem
from contest.kit.uploads import ReceivedFile, display_filename, receive_chunks
from contest.models import Contest, Document, Entry, User, utcnow

MAX_DOCUMENTS_PER_ENTRY = 50


def stored_path(settings: Settings, document: Document) -> Path:
    return settings.uploads_dir / document.stored_name


def parse_kind(raw: str | None) -> DocumentKind:
    try:
        return DocumentKind((raw or "").strip())
    except ValueError:
        message = _("Choose the kind of document: business plan, pitch deck or other.")
        raise InvalidInput.single("kind", message) from None


def require_can_upload(db: Session, *, actor: User, entry: Entry) -> None:
    """Checked before a body is read, and again when the file is stored."""
    require_not_withdrawn(entry)
    if acts_as_team(db, actor, entry):
        contest = db.get(Contest, entry.contest_id)
        assert contest is not None
        require_registration_open(contest)
    count = db.scalar(
        select(func.count()).select_from(Document).where(col(Document.entry_id) == entry.id)
    )
    if (count or 0) >= MAX_DOCUMENTS_PER_ENTRY:
        raise StateConflict(_("This entry has too many uploads; please contact the organisers."))


def _place(settings: Settings, received: ReceivedFile) -> str:
    """Move the checked file to its permanent random name; the name is all we keep of where."""
    token = secrets.token_hex(16)
    stored_name = f"{token[:2]}/{token}.pdf"
    target = settings.uploads_dir / stored_name
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(received.path, target)
    return stored_name


def _replace_current(db: Session, *, actor: User, entry: Entry, new: Document) -> None:
    """The entry's earlier document of the same kind is kept, marked replaced, and audited."""
    old_ids = db.scalars(
        select(col(Document.id)).where(
            col(Document.entry_id) == entry.id,
            col(Document.kind) == new.kind,
            col(Document.replaced_at).is_(None),
            col(Document.id) != new.id,
        )
    ).all()
    if not old_ids:
        return
    now = utcnow()
    db.execute(update(Document).where(col(Document.id).in_(old_ids)).values(replaced_at=now))
    for old_id in old_ids:
        audit.record(
            db,
            actor=actor,
            action="document.replace",
            object_type="documents",
            object_id=old_id,
            contest_id=entry.contest_id,
            before={"replaced_at": None},
            after={"replaced_at": now, "replaced_by": new.id, "entry_id": entry.id},
        )


def store_received(
    db: Session,
    *,
    actor: User,
    entry: Entry,
    kind: str | None,
    received: ReceivedFile,
    settings: Settings,
) -> Document:
    """Check a received file and attach it to the entry; the temporary file never outlives this."""
    try:
        document_kind = parse_kind(kind)
        require_can_upload(db, actor=actor, entry=entry)
        if received.size == 0:
            raise InvalidInput.single("file", _("Choose a PDF file to upload."))
        problem = pdf_problem(received.path)
        if problem:
            raise InvalidInput.single("file", problem, "not_pdf")
        stored_name = _place(settings, received)
    finally:
        received.discard()
    document = Document(
        entry_id=entry.id,
        kind=document_kind,
        filename=display_filename(received.client_name),
        stored_name=stored_name,
        size=received.size,
        sha256=received.sha256,
        uploaded_by_id=actor.id,
    )
    db.add(document)
    db.flush()
    _replace_current(db, actor=actor, entry=entry, new=document)
    entry.updated_at = utcnow()
    audit.record(
        db,
        actor=actor,
        action="document.upload",
        obj=document,
        contest_id=entry.contest_id,
        after=audit.snapshot(document, ["entry_id", "kind", "filename", "size", "sha256"]),
    )
    db.flush()
    return document


def store_document(
    db: Session,
    *,
    actor: User,
    entry: Entry,
    kind: str,
    filename: str,
    chunks: Iterable[bytes],
    settings: Settings,
) -> Document:
    """Store a document from bytes in hand (the demo loader, scripts): same checks as uploads."""
    require_can_upload(db, actor=actor, entry=entry)
    received = receive_chunks(chunks, settings=settings, filename=filename)
    return store_received(
        db, actor=actor, entry=entry, kind=kind, received=received, settings=settings
    )


def current_documents(db: Session, entry_id: int) -> list[Document]:
    return list(
        db.scalars(
            select(Document)
            .where(col(Document.entry_id) == entry_id, col(Document.replaced_at).is_(None))
            .order_by(col(Document.kind), col(Document.id))
        )
    )
