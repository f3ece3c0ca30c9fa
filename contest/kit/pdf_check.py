"""Is this file a PDF a judge can open? Decided by its content, never by its name or type."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO, TypeVar

from pypdf import PdfReader

from contest.core.i18n import _

MAGIC = b"%PDF-"
# A complete PDF ends with %%EOF; a cut-off upload does not. Allow trailing junk.
TAIL_BYTES = 2048
MAX_PAGES_CHECKED = 2000
# Reading a PDF (this check, the cleaned copy and the first page's text in pdf_clean) is
# CPU work under the GIL, and copying one holds its streams in memory (20 MB for a 19 MB
# plan). It runs in two threads of its own per process, whatever thread asks: parsed in
# every request's thread, 40 uploads starved the judges' saves in the same worker (p99
# 4.4 s), and each of the 40 threads kept the memory it had used in its own allocator
# arena (a worker stayed at 400 MB). Two threads, two arenas: measured 40 MB over idle.
PDF_THREADS = 2
_pdf_pool = ThreadPoolExecutor(max_workers=PDF_THREADS, thread_name_prefix="pdf")

Result = TypeVar("Result")


def in_pdf_thread(work: Callable[[], Result]) -> Result:
    """Run `work` in one of the PDF threads and wait for it (its exception is raised
    here). Never call it from such a thread: two nested calls would wait for each other."""
    return _pdf_pool.submit(work).result()


def _has_pdf_ends(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(len(MAGIC))
        size = handle.seek(0, 2)
        handle.seek(max(0, size - TAIL_BYTES))
        tail = handle.read()
    return head == MAGIC and b"%%EOF" in tail


def _opens(path: Path) -> str | None:
    # An open file, not the path: given a path, pypdf reads the whole file into memory
    # first (40 uploads of 19 MB at once took a worker from 120 MB to 647 MB).
    with path.open("rb") as handle:
        return _opens_stream(handle)


def _opens_stream(handle: BinaryIO) -> str | None:
    with PdfReader(handle, strict=False) as reader:  # closed: what it read is freed now
        return _reader_problem(reader)


def _reader_problem(reader: PdfReader) -> str | None:
    if reader.is_encrypted and not reader.decrypt(""):
        return _("The PDF is protected by a password; upload a version without one.")
    pages = reader.pages
    if len(pages) == 0:
        return _("The PDF has no pages.")
    for index in range(min(len(pages), MAX_PAGES_CHECKED)):
        _mediabox = pages[index].mediabox
    return None


def pdf_problem(path: Path) -> str | None:
    """Why the file is not an acceptable PDF, or None: magic bytes, an end, and a parse."""
    if not _has_pdf_ends(path):
        return _("This file is not a PDF, or it is incomplete. Please upload a PDF document.")
    try:
        return in_pdf_thread(lambda: _opens(path))
    # pypdf raises many kinds of error on damaged files; any of them means "cannot open".
    except Exception:
        return _("The PDF is damaged and cannot be opened. Please export it again and retry.")
