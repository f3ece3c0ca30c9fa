"""An entry's documents: checked by content (never by name or declared type), kept under
random names in the data folder; a replaced version is kept, marked and audited."""

import logging
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from contest.core import audit
from contest.core.enums import DocumentKind, Role
from contest.core.errors import InvalidInput, StateConflict
from contest.core.i18n import _
from contest.core.settings import Settings
from contest.entries.service import acts_as_team, require_not_withdrawn, require_registration_open
from contest.judging.blind import blind_entries, neutral_filename
from contest.kit.pdf_check import pdf_problem
from contest.kit.pdf_clean import clean_pdf, first_page_text
from contest.kit.uploads import ReceivedFile, display_filename, receive_chunks
from contest.models import Contest, Document, Entry, User, utcnow

MAX_DOCUMENTS_PER_ENTRY = 50
log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class PreparedFile:
    """An upload checked and put in place, with its cleaned copy and cover text, not yet
    attached to any entry (no database touched)."""

    kind: DocumentKind
    received: ReceivedFile
    stored_name: str
    clean_name: str | None
    cover_text: str

    def remove(self, settings: Settings) -> None:
        for name in (self.stored_name, self.clean_name):
            if name is not None:
                (settings.uploads_dir / name).unlink(missing_ok=True)


def prepare_received(
    *, kind: str | None, received: ReceivedFile, settings: Settings
) -> PreparedFile:
    """The file's work, with no database: the kind, the PDF check, the permanent name, the
    cleaned copy and the first page's text (up to a second of CPU for 20 MB, longer while
    other uploads take their turn). Done before the upload's first statement: on SQLite
    that statement takes the writer lock, which every judge's save waits for. The
    temporary file never outlives this."""
    try:
        document_kind = parse_kind(kind)
        if received.size == 0:
            raise InvalidInput.single("file", _("Choose a PDF file to upload."))
        problem = pdf_problem(received.path)
        if problem:
            raise InvalidInput.single("file", problem, "not_pdf")
        stored_name = _place(settings, received)
    finally:
        received.discard()
    clean_name = make_clean_copy(settings, stored_name)
    cover_text = first_page_text(settings.uploads_dir / stored_name)
    return PreparedFile(document_kind, received, stored_name, clean_name, cover_text)


def attach_prepared(
    db: Session, *, actor: User, entry: Entry, prepared: PreparedFile, settings: Settings
) -> Document:
    """Attach a prepared file to the entry (checked again); its files go if that fails."""
    try:
        require_can_upload(db, actor=actor, entry=entry)
    except BaseException:
        prepared.remove(settings)
        raise
    received = prepared.received
    document = Document(
        entry_id=entry.id,
        kind=prepared.kind,
        filename=display_filename(received.client_name),
        stored_name=prepared.stored_name,
        size=received.size,
        sha256=received.sha256,
        uploaded_by_id=actor.id,
        clean_stored_name=prepared.clean_name,
        first_page_text=prepared.cover_text,
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
        after={
            **audit.snapshot(document, ["entry_id", "kind", "filename", "size", "sha256"]),
            "cleaned": prepared.clean_name is not None,
        },
    )
    db.flush()
    return document


def store_received(
    db: Session,
    *,
    actor: User,
    entry: Entry,
    kind: str | None,
    received: ReceivedFile,
    settings: Settings,
) -> Document:
    """Check a received file and attach it to the entry (prepare_received, then
    attach_prepared); the temporary file never outlives this."""
    prepared = prepare_received(kind=kind, received=received, settings=settings)
    return attach_prepared(db, actor=actor, entry=entry, prepared=prepared, settings=settings)


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


def make_clean_copy(settings: Settings, stored_name: str) -> str | None:
    """The cleaned copy beside the original (contest/kit/pdf_clean.py); None if pypdf
    cannot copy this PDF: the original is then only served as an attachment."""
    clean_name = stored_name.removesuffix(".pdf") + "-clean.pdf"
    target = settings.uploads_dir / clean_name
    try:
        clean_pdf(settings.uploads_dir / stored_name, target)
    # pypdf raises many kinds of error on odd files; any of them means "no clean copy".
    except Exception:
        log.warning("could not clean %s", stored_name, exc_info=True)
        target.unlink(missing_ok=True)
        return None
    return clean_name


@dataclass(frozen=True)
class ServedDocument:
    """Which file a reader gets, under which name, and whether it may open in the browser."""

    path: Path
    filename: str
    inline: bool


def served_document(
    db: Session, settings: Settings, *, user: User, document: Document, inline: bool
) -> ServedDocument:
    """Judges always get the cleaned copy; the team and organisers get it to read in the
    browser, and the original as a download. Without a cleaned copy the original goes
    as an attachment only, and never to a blind judge (its metadata may name the team)."""
    is_judge = user.role == Role.judge
    blind = is_judge and bool(blind_entries(db, user, [document.entry_id]))
    name = neutral_filename(document.kind) if blind else document.filename
    if document.clean_stored_name and (is_judge or inline):
        return ServedDocument(settings.uploads_dir / document.clean_stored_name, name, True)
    if blind:
        raise StateConflict(
            _("This document could not be made safe for blind review; the organisers can help.")
        )
    return ServedDocument(stored_path(settings, document), name, False)


def _squeezed(text: str) -> str:
    """Text compared without spaces or case: PDF text often breaks a name with spaces."""
    return "".join(text.split()).casefold()


def named_on_first_page(
    entry: Entry, documents: Iterable[Document]
) -> list[tuple[Document, list[str]]]:
    """Current documents whose first page shows the entry's institution, company or
    leader name (a warning for blind rounds, never a refusal)."""
    names = [n for n in (entry.institution, entry.company_name, entry.leader_name) if n.strip()]
    found = []
    for document in documents:
        if document.replaced_at is not None:
            continue
        page = _squeezed(document.first_page_text)
        shown = [n for n in names if len(_squeezed(n)) >= 2 and _squeezed(n) in page]
        if shown:
            found.append((document, shown))
    return found
