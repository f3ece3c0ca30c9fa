"""A cleaned copy of an uploaded PDF, made once at upload, for judges (and every reader).

What goes: the document information (/Author, /Title, /Subject, /Keywords, /Creator,
/Producer, dates), XMP metadata, the catalogue's /OpenAction, /AA, /Names (JavaScript,
embedded files), /AcroForm and outlines; on each page /AA, /Metadata and /PieceInfo;
annotations that attach files, play media or carry scripts; and any action of the
remaining annotations other than going to a page or opening a web address. What stays:
the pages as drawn, and plain links.

Only the pages are copied into a new document, so nothing of the old catalogue survives
by accident; the annotations of the copied pages are then filtered. The page content
itself (text, images, fonts) is not rewritten: a name typed on the cover page stays,
which is why organisers see a warning (:func:`first_page_text`) and teams are told.
"""

from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject

from contest.kit.pdf_check import in_pdf_thread

# Annotation kinds that can hold a file, a script or media: dropped whole.
_DROPPED_ANNOTATIONS = {"/FileAttachment", "/Screen", "/Movie", "/Sound", "/RichMedia", "/3D"}
# Actions a plain link may keep.
_SAFE_ACTIONS = {"/GoTo", "/URI"}
_PAGE_KEYS = ("/AA", "/Metadata", "/PieceInfo")
FIRST_PAGE_CHARS = 4000


def _safe_annotation(annotation: DictionaryObject) -> bool:
    """Filters one annotation in place; False when it must go entirely."""
    if annotation.get("/Subtype") in _DROPPED_ANNOTATIONS:
        return False
    if "/AA" in annotation:
        del annotation[NameObject("/AA")]
    action = annotation.get("/A")
    if action is not None:
        action = action.get_object()
        if not isinstance(action, DictionaryObject) or action.get("/S") not in _SAFE_ACTIONS:
            del annotation[NameObject("/A")]
        elif "/Next" in action:
            del action[NameObject("/Next")]  # a chain could lead to a script
    return True


def _clean_page(page: DictionaryObject) -> None:
    for key in _PAGE_KEYS:
        if key in page:
            del page[NameObject(key)]
    annotations = page.get("/Annots")
    if annotations is None:
        return
    kept = ArrayObject()
    for item in annotations.get_object():
        annotation = item.get_object()
        if isinstance(annotation, DictionaryObject) and _safe_annotation(annotation):
            kept.append(item)
    page[NameObject("/Annots")] = kept


def clean_pdf(source: Path, target: Path) -> None:
    """Write the cleaned copy of ``source`` to ``target``; raises on a PDF pypdf cannot copy.

    pypdf reads from the open file (given a path it would first read the whole file into
    memory), in one of the process's two PDF threads (pdf_check.in_pdf_thread): the copy
    holds the pages' streams in memory until it is written."""
    in_pdf_thread(lambda: _clean_copy(source, target))


def _clean_copy(source: Path, target: Path) -> None:
    with source.open("rb") as handle, PdfReader(handle, strict=False) as reader:
        writer = PdfWriter()
        try:
            _write_clean_copy(reader, writer, target)
        finally:
            # The reader's and the writer's objects point at each other: freed only by
            # Python's cycle collector, which runs rarely, so 19 MB per upload stayed in
            # the worker (a worker took 400 MB under 40 uploads). Closing the reader and
            # emptying the writer frees the pages' streams now.
            writer._objects.clear()  # noqa: SLF001 (pypdf has no public way to let go)


def _write_clean_copy(reader: PdfReader, writer: PdfWriter, target: Path) -> None:
    if reader.is_encrypted:
        reader.decrypt("")
    for page in reader.pages:
        writer.add_page(page)
    for page in writer.pages:
        _clean_page(page)
    # pypdf writes a document information dictionary of its own (/Producer pypdf): none.
    writer._info = None  # noqa: SLF001 (no public way to write no /Info at all)
    with target.open("wb") as handle:
        writer.write(handle)


def first_page_text(path: Path) -> str:
    """The first page's text (cut short), or "" when it has none or cannot be read. Read
    from the open file, not into memory, in a PDF thread (as clean_pdf)."""
    try:
        return in_pdf_thread(lambda: _first_page_text(path))
    # pypdf raises many kinds of error on damaged files; a warning is then impossible.
    except Exception:
        return ""


def _first_page_text(path: Path) -> str:
    with path.open("rb") as handle, PdfReader(handle, strict=False) as reader:
        if reader.is_encrypted:
            reader.decrypt("")
        return (reader.pages[0].extract_text() or "")[:FIRST_PAGE_CHARS]
