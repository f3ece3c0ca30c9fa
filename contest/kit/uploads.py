"""Uploaded files: streamed to a temporary file under the data folder, counted and hashed
as the bytes arrive, refused as soon as they cross the limit (nothing left on disk).

The client's file name is display text only; nothing here knows what the file is for.
"""

import contextlib
import errno
import hashlib
import os
import secrets
import shutil
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from contest.core.errors import InvalidInput
from contest.core.i18n import _
from contest.core.settings import Settings
from contest.kit.pdf_check import pdf_problem

# Beyond this much over the limit a declared Content-Length is refused unread.
HEADROOM = 64 * 1024
INCOMING = ".incoming"


CsrfCheck = Callable[[dict[str, str]], bool]


class UploadTooLarge(Exception):
    """The file is over the limit (HTTP 413)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(too_large_message(limit))


class NoSpace(Exception):
    """Storing the upload would leave less free disk than the reserve (HTTP 507): the
    reserve keeps room for score saves, which matter more than one more document."""

    def __init__(self) -> None:
        super().__init__(no_space_message())


def file_form_body(**fields: dict[str, object]) -> dict[str, object]:
    """The OpenAPI description of a multipart form with one required `file` (routes that
    read the stream themselves declare it here, as FastAPI cannot see it)."""
    properties = {"file": {"type": "string", "format": "binary"}, **fields}
    schema = {"type": "object", "required": ["file"], "properties": properties}
    form = {"multipart/form-data": {"schema": schema}}
    return {"requestBody": {"required": True, "content": form}}


def no_space_message() -> str:
    return _("The server's storage is nearly full, so uploads are paused. Please try later.")


# The free space is looked at every this many bytes written (statvfs costs microseconds).
SPACE_CHECK_BYTES = 1024 * 1024
NO_SPACE_ERRNOS = (errno.ENOSPC, errno.EDQUOT)


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

    def __init__(self, directory: Path, limit: int, client_name: str, reserve: int = 0) -> None:
        incoming = directory / INCOMING
        incoming.mkdir(parents=True, exist_ok=True)
        self.reserve = reserve
        self.incoming = incoming
        if self._short_of_space(0):
            raise NoSpace()
        self.path = incoming / f"{secrets.token_hex(16)}.part"
        self.handle = self.path.open("xb")
        self.limit = limit
        self.client_name = client_name
        self.size = 0
        self.checked_at = 0
        self.digest = hashlib.sha256()

    def _short_of_space(self, more: int) -> bool:
        return bool(self.reserve) and shutil.disk_usage(self.incoming).free - more < self.reserve

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            self.abort()
            raise UploadTooLarge(self.limit)
        if self.size - self.checked_at >= SPACE_CHECK_BYTES or self.checked_at == 0:
            self.checked_at = self.size
            if self._short_of_space(len(data)):
                self.abort()
                raise NoSpace()
        self.digest.update(data)
        try:
            self.handle.write(data)
        except OSError as exc:
            self.abort()
            if exc.errno in NO_SPACE_ERRNOS:
                raise NoSpace() from None
            raise

    def finish(self) -> ReceivedFile:
        try:
            self.handle.close()  # flushes the last buffered bytes: the disk may be full
        except OSError as exc:
            self.abort()
            if exc.errno in NO_SPACE_ERRNOS:
                raise NoSpace() from None
            raise
        return ReceivedFile(self.path, self.client_name, self.size, self.digest.hexdigest())

    def abort(self) -> None:
        # The buffered rest may not be writable (a full disk): the file goes anyway.
        with contextlib.suppress(OSError):
            self.handle.close()
        self.path.unlink(missing_ok=True)


def receive_chunks(chunks: Iterable[bytes], *, settings: Settings, filename: str) -> ReceivedFile:
    """The same checks as a streamed request, for bytes that come from elsewhere (demo, CLI)."""
    sink = FileSink(
        settings.uploads_dir, settings.upload_limit_bytes, filename, settings.disk_reserve_bytes
    )
    try:
        for chunk in chunks:
            sink.write(chunk)
    except BaseException:
        sink.abort()
        raise
    return sink.finish()


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


def remove_partial_uploads(uploads_dir: Path) -> int:
    """Remove the temporary files of uploads that never finished (a crash, a kill). Run at
    start-up, before any worker receives uploads; how many were removed."""
    incoming = uploads_dir / INCOMING
    if not incoming.is_dir():
        return 0
    removed = 0
    for part in incoming.glob("*.part"):
        part.unlink(missing_ok=True)
        removed += 1
    return removed


def keep_pdf(settings: Settings, received: ReceivedFile, folder: str) -> str:
    """A received file checked to be a PDF by its content, moved under `folder` of the
    uploads with a random name; its stored name. Empty or not a PDF: InvalidInput naming
    `file`. The received file is gone either way."""
    try:
        if received.size == 0:
            raise InvalidInput.single("file", _("Choose a PDF file to upload."))
        problem = pdf_problem(received.path)
        if problem:
            raise InvalidInput.single("file", problem, "not_pdf")
        stored = f"{folder}/{secrets.token_hex(16)}.pdf"
        target = settings.uploads_dir / stored
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(received.path, target)
        return stored
    finally:
        received.discard()
