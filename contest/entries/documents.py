"""Uploaded files: streamed to the data folder under random names, checked by content.

A request body is parsed as it arrives (python-multipart's streaming parser), so
a 20 MB business plan never sits in memory and an oversized one is refused as
soon as it crosses the limit, leaving nothing on disk. The client's file name is
display text only; the client's content type is ignored.
"""

import hashlib
import os
import secrets
import unicodedata
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from sqlalchemy import func, select, update
from sqlmodel import Session
from starlette.requests import Request

from contest.core import audit
from contest.core.enums import DocumentKind
from contest.core.errors import InvalidInput, StateConflict
from contest.core.i18n import _
from contest.core.settings import Settings
from contest.entries.service import acts_as_team, require_not_withdrawn, require_registration_open
from contest.kit.pdf_check import pdf_problem
from contest.models import Contest, Document, Entry, User, utcnow

# Beyond this much over the limit a declared Content-Length is refused unread.
HEADROOM = 64 * 1024
MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 20
MAX_DOCUMENTS_PER_ENTRY = 50
DRAIN_LIMIT = 100 * 1024 * 1024
INCOMING = ".incoming"


CsrfCheck = Callable[[dict[str, str]], bool]


class UploadTooLarge(Exception):
    """The file is over the limit (HTTP 413)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(too_large_message(limit))


class CsrfRejected(Exception):
    """A cookie-authenticated upload without a valid CSRF token (HTTP 403)."""


def too_large_message(limit: int) -> str:
    return _("The file is larger than %(mb)s MB. Please upload a smaller PDF.") % {
        "mb": limit // (1024 * 1024)
    }


@dataclass
class ReceivedFile:
    """An upload written to a temporary file; discard() it unless it is stored."""

    path: Path
    client_name: str
    size: int
    sha256: str

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


class FileSink:
    """Writes one upload to a temporary file, counting and hashing as the bytes arrive."""

    def __init__(self, directory: Path, limit: int, client_name: str) -> None:
        incoming = directory / INCOMING
        incoming.mkdir(parents=True, exist_ok=True)
        self.path = incoming / f"{secrets.token_hex(16)}.part"
        self.handle = self.path.open("xb")
        self.limit = limit
        self.client_name = client_name
        self.size = 0
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            self.abort()
            raise UploadTooLarge(self.limit)
        self.digest.update(data)
        self.handle.write(data)

    def finish(self) -> ReceivedFile:
        self.handle.close()
        return ReceivedFile(self.path, self.client_name, self.size, self.digest.hexdigest())

    def abort(self) -> None:
        self.handle.close()
        self.path.unlink(missing_ok=True)


def receive_chunks(chunks: Iterable[bytes], *, settings: Settings, filename: str) -> ReceivedFile:
    """The same checks as a streamed request, for bytes that come from elsewhere (demo, CLI)."""
    sink = FileSink(settings.uploads_dir, settings.upload_limit_bytes, filename)
    try:
        for chunk in chunks:
            sink.write(chunk)
    except BaseException:
        sink.abort()
        raise
    return sink.finish()


@dataclass
class ReceivedForm:
    fields: dict[str, str] = field(default_factory=dict)
    file: ReceivedFile | None = None


class _FormCollector:
    """python-multipart callbacks: small fields kept as text, the one file part streamed."""

    def __init__(self, settings: Settings, file_field: str, csrf: CsrfCheck | None) -> None:
        self.settings = settings
        self.file_field = file_field
        self.csrf = csrf
        self.form = ReceivedForm()
        self.sink: FileSink | None = None
        self.header_name = b""
        self.header_value = b""
        self.disposition = b""
        self.name = ""
        self.buffer = bytearray()
        self.writing_file = False

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self.on_part_begin,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
        }

    def on_part_begin(self) -> None:
        self.disposition, self.name, self.writing_file = b"", "", False
        self.buffer = bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        if self.header_name.lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name, self.header_value = b"", b""

    def on_headers_finished(self) -> None:
        _kind, options = parse_options_header(self.disposition)
        self.name = options.get(b"name", b"").decode("utf-8", "replace")
        # The part's name decides, not whether the client sent a file name.
        if self.name != self.file_field:
            return
        if self.sink is not None:
            raise InvalidInput.single(self.file_field, _("Upload one file at a time."))
        # The token field comes before the file in our forms: check it before storing a byte.
        if self.csrf is not None and not self.csrf(self.form.fields):
            raise CsrfRejected()
        client_name = options.get(b"filename", b"").decode("utf-8", "replace")
        self.sink = FileSink(
            self.settings.uploads_dir, self.settings.upload_limit_bytes, client_name
        )
        self.writing_file = True

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.writing_file:
            assert self.sink is not None
            self.sink.write(data[start:end])
            return
        self.buffer += data[start:end]
        if len(self.buffer) > MAX_FIELD_BYTES:
            raise InvalidInput.single(self.name or "form", _("This field is too long."))

    def on_part_end(self) -> None:
        if not self.writing_file and self.name:
            if len(self.form.fields) >= MAX_FIELDS:
                raise InvalidInput.single("form", _("Too many form fields."))
            self.form.fields.setdefault(self.name, self.buffer.decode("utf-8", "replace"))
        self.writing_file = False

    def abort(self) -> None:
        if self.sink is not None:
            self.sink.abort()


def check_declared_length(request: Request, settings: Settings) -> None:
    """Refuse a body announced as far too large without reading it."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > settings.upload_limit_bytes + HEADROOM:
        raise UploadTooLarge(settings.upload_limit_bytes)


def _boundary(request: Request) -> bytes:
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or not params.get(b"boundary"):
        raise InvalidInput.single("file", _("Send the file as multipart/form-data."))
    return params[b"boundary"]


async def receive_form(
    request: Request,
    *,
    settings: Settings,
    file_field: str = "file",
    csrf: CsrfCheck | None = None,
) -> ReceivedForm:
    """Parse a multipart body as it streams in; the file goes to a temporary file on disk.

    `csrf`, when given, is asked (with the fields read so far) before the first byte
    of the file is stored. Raises UploadTooLarge, CsrfRejected or InvalidInput; on any
    failure nothing is left on disk.
    """
    check_declared_length(request, settings)
    # A body that is not a form carries no token field: only the header can vouch for it.
    not_multipart = not request.headers.get("content-type", "").startswith("multipart/")
    if csrf is not None and not_multipart and not csrf({}):
        raise CsrfRejected()
    collector = _FormCollector(settings, file_field, csrf)
    parser = MultipartParser(_boundary(request), collector.callbacks())
    stream = request.stream()
    try:
        async for chunk in stream:
            parser.write(chunk)
        parser.finalize()
    except FormParserError:
        collector.abort()
        message = _("The upload was not understood; please retry.")
        raise InvalidInput.single(file_field, message) from None
    except UploadTooLarge:
        collector.abort()
        await _drain(stream)
        raise
    except BaseException:
        collector.abort()
        raise
    if collector.sink is not None:
        collector.form.file = collector.sink.finish()
    # A form without a file part never reached the check above.
    if csrf is not None and not csrf(collector.form.fields):
        if collector.form.file is not None:
            collector.form.file.discard()
        raise CsrfRejected()
    return collector.form


async def _drain(stream: AsyncIterator[bytes]) -> None:
    """Read (and drop) the rest of a refused body, up to a bound: a browser still sending
    when the connection closes shows "connection reset" instead of our answer."""
    remaining = DRAIN_LIMIT
    async for chunk in stream:
        remaining -= len(chunk)
        if remaining <= 0:
            return


def release_lock(db: Session) -> None:
    """End the permission checks' transaction before a body streams in.

    On SQLite a write request's transaction holds the database's write lock from its
    first statement; kept open during a slow 20 MB upload it would stall every other
    writer. What was read stays loaded (sessions do not expire on commit).
    """
    db.commit()


def base_name(raw: str) -> str:
    """The client's file name as display text: no folders, no control characters."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf"))
    return name.strip().rstrip(". ").strip()


def display_filename(raw: str) -> str:
    """A stored PDF's display name: the base name, ending in .pdf, at most 200 characters."""
    name = base_name(raw)
    if not name.lower().endswith(".pdf"):
        name = f"{name}.pdf" if name else "document.pdf"
    if len(name) > 200:
        name = name[:196].rstrip() + ".pdf"
    return name


def _ascii_fallback(filename: str) -> str:
    folded = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    safe = "".join(c if c.isalnum() or c in "._-() " else "_" for c in folded).strip()
    stem = safe[:-4].strip("_ .") if safe.lower().endswith(".pdf") else ""
    return safe if stem else "document.pdf"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """RFC 6266: a plain ASCII name for old clients and the exact UTF-8 name for the rest."""
    kind = "inline" if inline else "attachment"
    fallback = _ascii_fallback(filename)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


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
        select(func.count()).select_from(Document).where(Document.entry_id == entry.id)
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
        select(Document.id).where(
            Document.entry_id == entry.id,
            Document.kind == new.kind,
            Document.replaced_at.is_(None),
            Document.id != new.id,
        )
    ).all()
    if not old_ids:
        return
    now = utcnow()
    db.execute(update(Document).where(Document.id.in_(old_ids)).values(replaced_at=now))
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
            .where(Document.entry_id == entry_id, Document.replaced_at.is_(None))
            .order_by(Document.kind, Document.id)
        )
    )
