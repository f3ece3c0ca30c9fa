"""Is this file a PDF a judge can open? Decided by its content, never by its name or type."""

from pathlib import Path

from pypdf import PdfReader

from contest.core.i18n import _

MAGIC = b"%PDF-"
# A complete PDF ends with %%EOF; a cut-off upload does not. Allow trailing junk.
TAIL_BYTES = 2048
MAX_PAGES_CHECKED = 2000


def _has_pdf_ends(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(len(MAGIC))
        size = handle.seek(0, 2)
        handle.seek(max(0, size - TAIL_BYTES))
        tail = handle.read()
    return head == MAGIC and b"%%EOF" in tail


def _opens(path: Path) -> str | None:
    reader = PdfReader(path, strict=False)
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
        return _opens(path)
    # pypdf raises many kinds of error on damaged files; any of them means "cannot open".
    except Exception:
        return _("The PDF is damaged and cannot be opened. Please export it again and retry.")
