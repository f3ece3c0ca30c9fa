"""The Chinese font our PDFs embed: Noto Sans SC, a subset of it in each document.

A PDF that only names a CJK font (reportlab's built-in STSong-Light) is drawn with whatever
font the reader has: a print shop or a phone without it substitutes another or shows boxes.
So certificates and 公示 lists embed the glyphs they use. reportlab embeds TrueType outlines
only (not the CFF outlines of the OpenType Noto/Source Han fonts), so `fonts/` ships Noto
Sans SC as TrueType: Google Fonts' variable font, fixed at weight 400 with fontTools'
instancer (the variable font's own default is Thin, and reportlab cannot apply variations).
Licence: SIL Open Font License 1.1 (`fonts/OFL.txt`), which allows bundling and embedding.

reportlab builds the subset per document from the font's tables; it slices each table out
of the 10 MB file every time (the glyph table alone is 8 MB), so the tables are kept once
per process instead: a certificate costs about 1 ms more rather than 5.
"""

import copy
import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFObject
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, TTFont, makeToUnicodeCMap

FONT_DIR = Path(__file__).parent / "fonts"
CJK_FONT = "NotoSansSC"
CJK_FONT_FILE = FONT_DIR / "NotoSansSC-Regular.ttf"


def _keep_tables(face: Any) -> None:
    """The face's tables sliced out of the file once, not once per document."""
    tables: dict[str, bytes] = {}
    read = face.get_table

    def get_table(tag: str) -> bytes:
        found = tables.get(tag)
        if found is None:
            found = tables[tag] = read(tag)
        return found

    face.get_table = get_table


class _Preformatted(PDFObject):  # type: ignore[misc]  # reportlab ships no type hints
    """A PDF object whose bytes were formatted once, for an earlier document."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def format(self, document: object) -> bytes:
        return self.data


@dataclass(frozen=True)
class _SubsetParts:
    base_name: str
    widths: bytes
    to_unicode: bytes
    font_file: bytes


_PARTS: OrderedDict[tuple[str, tuple[int, ...], bool], _SubsetParts] = OrderedDict()
PARTS_KEPT = 128


class EmbeddedFont(TTFont):  # type: ignore[misc]
    """A TrueType font whose subsets' font program, widths and ToUnicode map are formatted
    (and compressed) once per distinct subset and process, then reused by later documents.

    reportlab's own `addObjects` builds, compresses and formats them again for every PDF.
    Certificates of one contest share their fixed text (the contest, its organisers, the
    labels), drawn in a font of its own (`CJK_FIXED`), so that font's subset repeats from
    one certificate to the next and costs nothing after the first.
    """

    postscript_name = ""

    def addObjects(self, doc: Any) -> None:
        state = self._assignState(doc)
        state.frozen = 1
        for n, subset in enumerate(state.subsets):
            internal = self.getSubsetInternalName(n, doc)[1:]
            parts = self._parts(tuple(subset), doc)
            font = pdfdoc.PDFTrueTypeFont()
            font.Name = internal
            font.BaseFont = parts.base_name
            font.FirstChar = 0
            font.LastChar = len(subset) - 1
            font.Widths = _Preformatted(parts.widths)
            font.ToUnicode = doc.Reference(
                _Preformatted(parts.to_unicode), f"toUnicodeCMap:{parts.base_name}"
            )
            font.FontDescriptor = self._descriptor(doc, parts)
            doc.Reference(font, internal)
            doc.idToObject["BasicFonts"].dict[internal] = font
        del self.state[doc]

    def _parts(self, subset: tuple[int, ...], doc: Any) -> _SubsetParts:
        key = (self.fontName, subset, bool(doc.compression))
        parts = _PARTS.get(key)
        if parts is not None:
            _PARTS.move_to_end(key)
            return parts
        # A subset tag of its own per distinct subset: readers may cache fonts by name.
        tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(repr(key).encode()).digest()[:6])
        base_name = f"{tag}+{self.postscript_name}"
        filters = [pdfdoc.PDFZCompress] if doc.compression else None
        program = pdfdoc.PDFStream(content=self.face.makeSubset(list(subset)), filters=filters)
        program.dictionary["Length1"] = len(program.content)
        cmap = pdfdoc.PDFStream(content=makeToUnicodeCMap(base_name, list(subset)),
                                filters=filters)
        widths = pdfdoc.PDFArray([self.face.getCharWidth(code) for code in subset])
        parts = _PARTS[key] = _SubsetParts(
            base_name, widths.format(doc), cmap.format(doc), program.format(doc)
        )
        while len(_PARTS) > PARTS_KEPT:
            _PARTS.popitem(last=False)
        return parts

    def _descriptor(self, doc: Any, parts: _SubsetParts) -> Any:
        face = self.face
        program = doc.Reference(_Preformatted(parts.font_file), f"fontFile:{parts.base_name}")
        descriptor = pdfdoc.PDFDictionary({
            "Type": "/FontDescriptor",
            "Ascent": face.ascent,
            "CapHeight": face.capHeight,
            "Descent": face.descent,
            "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
            "FontBBox": pdfdoc.PDFArray(face.bbox),
            "FontName": pdfdoc.PDFName(parts.base_name),
            "ItalicAngle": face.italicAngle,
            "StemV": face.stemV,
            "FontFile2": program,
            "MissingWidth": face.defaultWidth,
        })
        return doc.Reference(descriptor, f"fontDescriptor:{parts.base_name}")


def _register_fonts() -> tuple[str, str]:
    """Register the font with reportlab, once per process, under two names: one for text
    that changes from one document to the next, one for text that stays (its own subsets,
    the same face read and parsed once)."""
    font = EmbeddedFont(CJK_FONT, str(CJK_FONT_FILE), asciiReadable=False)
    _keep_tables(font.face)
    fixed = copy.copy(font)
    fixed.fontName = f"{CJK_FONT}-Fixed"
    fixed.state = WeakKeyDictionary()
    # reportlab registers one font per face name: the copy's face is renamed for that
    # registry only (documents name both by `postscript_name`), and shares every table.
    fixed.face = copy.copy(font.face)
    fixed.face.name = font.face.name + b"-Fixed"
    font.postscript_name = fixed.postscript_name = font.face.name.decode("latin-1")
    for each in (font, fixed):
        pdfmetrics.registerFont(each)
    return font.fontName, fixed.fontName


CJK, CJK_FIXED = _register_fonts()
