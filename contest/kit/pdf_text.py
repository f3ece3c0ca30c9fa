"""Chinese line breaking for reportlab paragraphs (`ParagraphStyle(wordWrap="CJK")`).

reportlab's CJK wrapping breaks between any two characters and keeps a character that
may not start a line on the line before (hanging it in the margin), but its list of such
characters is Japanese: it lacks the full-width comma, colon, semicolon, question and
exclamation marks, closing book-title marks and quotes (，：；？！》”’…), so Chinese lines
could start with "，". And it hangs one character at most, so "）。" still put "。" first
on the next line.

This module gives reportlab's two CJK splitters (`wordSplit` for one-style paragraphs,
`cjkFragSplit` for mixed ones) the Chinese rule (避头尾, GB/T 15834 and the W3C's
"Requirements for Chinese Text Layout"): closing punctuation never starts a line and
opening punctuation never ends one; where a break would do so, characters are pushed
down to the next line (never past the margin). Latin words inside Chinese text still
break at a space or next to a Chinese character, as reportlab does.

Importing the module installs the splitters into reportlab's paragraph module; every
PDF writer that sets Chinese paragraphs imports it (contest/awards/announcement_pdf.py).
The certificate, drawn on the canvas without paragraphs, applies the same two sets
through `NO_LINE_START` and `NO_LINE_END` (contest/awards/certificate_pdf.py).
"""

from collections.abc import Sequence
from typing import Any
from unicodedata import category

from reportlab.lib import textsplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import paragraph
from reportlab.rl_config import _FUZZ

# Closing punctuation (and marks that belong to the character before): never first on a
# line. Chinese full-width forms, their ASCII twins, and reportlab's own Japanese list.
NO_LINE_START = frozenset(
    "，。、；：？！）》」』】〕〉］｝〗〙”’…‥·～％‰℃°′″"
    ",.;:?!)]}%'\"" + textsplit.ALL_CANNOT_START
) - frozenset("\"'")  # straight quotes open as often as they close: left to the width rule
# Opening punctuation: never last on a line.
NO_LINE_END = frozenset("（《「『【〔〈［｛〖〘“‘([{" + textsplit.ALL_CANNOT_END)


def line_spans(
    chars: Sequence[str],
    widths: Sequence[float],
    max_widths: Sequence[float],
    hard_breaks: frozenset[int] = frozenset(),
) -> list[tuple[int, int, float, bool]]:
    """Where lines end: (start, end, width used, ended by a hard break) for each line.

    Greedy: as many characters as fit, then the break moves back (1) out of a Latin
    word to its last space or Chinese neighbour, at most half the line back, and (2) past
    closing punctuation at the start of the next line and opening punctuation at the end
    of this one. A line always keeps at least one character, so breaking ends.
    """
    spans: list[tuple[int, int, float, bool]] = []
    start = i = 0
    used = 0.0
    n = len(chars)
    while i < n:
        limit = max_widths[min(len(spans), len(max_widths) - 1)]
        used += widths[i]
        i += 1
        if i - 1 in hard_breaks:
            spans.append((start, i, used, True))
            start, used = i, 0.0
            continue
        if used <= limit + _FUZZ or i - start <= 1:
            continue
        end = i - 1  # the character that overflowed starts the next line...
        if ord(chars[end]) < 0x3000 and not chars[end].isspace():
            # ...unless it is inside a Latin word: break at the word's start instead.
            for j in range(end - 1, (start + end) // 2, -1):
                if category(chars[j]) == "Zs" or ord(chars[j]) >= 0x3000:
                    end = j + 1
                    break
        while end - start > 1 and (chars[end] in NO_LINE_START or chars[end - 1] in NO_LINE_END):
            end -= 1
        spans.append((start, end, sum(widths[start:end]), False))
        start = i = end
        used = 0.0
    if start < n:
        spans.append((start, n, sum(widths[start:n]), False))
    return spans


def word_split(
    word: str | bytes, maxWidths: Any, fontName: str, fontSize: float, encoding: str = "utf8"
) -> list[list[Any]]:
    """`reportlab.lib.textsplit.wordSplit` with the Chinese rule: [[extra space, text]]."""
    text = word.decode(encoding) if isinstance(word, bytes) else word
    limits = list(maxWidths) if isinstance(maxWidths, list | tuple) else [maxWidths]
    widths = [stringWidth(ch, fontName, fontSize) for ch in text]
    lines: list[list[Any]] = []
    for start, end, used, _hard in line_spans(text, widths, limits):
        limit = limits[min(len(lines), len(limits) - 1)]
        line = text[start:end]
        lines.append([limit - used, line.strip() if end < len(text) else line])
    if isinstance(word, bytes):
        return [[space, line.encode(encoding)] for space, line in lines]
    return lines


def cjk_frag_split(
    frags: Sequence[Any], maxWidths: Sequence[float], calcBounds: bool, encoding: str = "utf8"
) -> Any:
    """`reportlab.platypus.paragraph.cjkFragSplit` (paragraphs of several styles) with the
    Chinese rule."""
    glyphs: list[Any] = []
    for frag in frags:
        text = frag.text.decode(encoding) if isinstance(frag.text, bytes) else frag.text
        if text:
            glyphs.extend(paragraph.cjkU(ch, frag, encoding) for ch in text)
        else:
            glyphs.append(paragraph.cjkU(text, frag, encoding))
    widths: list[float] = []
    for index, glyph in enumerate(glyphs):
        width = glyph.width
        if hasattr(width, "normalizedValue"):  # a width in % of the line (images)
            limit = maxWidths[0] if index == 0 else maxWidths[-1]
            width._normalizer = limit
            width = width.normalizedValue(limit)
        widths.append(width)
    hard = frozenset(i for i, glyph in enumerate(glyphs) if hasattr(glyph.frag, "lineBreak"))
    lines: list[Any] = []
    for start, end, used, ended_hard in line_spans(
        [str(g) or " " for g in glyphs], widths, list(maxWidths), hard
    ):
        limit = maxWidths[min(len(lines), len(maxWidths) - 1)]
        lines.append(
            paragraph.makeCJKParaLine(
                glyphs[start:end], limit, used, limit - used, ended_hard, calcBounds
            )
        )
    return paragraph.ParaLines(kind=1, lines=lines)


def install() -> None:
    """Put the Chinese splitters where reportlab's paragraphs look for them (idempotent)."""
    paragraph.wordSplit = word_split
    paragraph.cjkFragSplit = cjk_frag_split


install()
