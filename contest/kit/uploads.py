"""Uploaded files: streamed to a temporary file under the data folder, counted and hashed
as the bytes arrive, refused as soon as they cross the limit (nothing left on disk).

The client's file name is display text only; nothing here knows what the file is for.
"""

import hashlib
import secrets
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from contest.core.i18n import _
from contest.core.settings import Settings

# Beyond this much over the limit a declared Content-Length is refused unread.
HEADROOM = 64 * 1024
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
