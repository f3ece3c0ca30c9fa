"""Public announcement lists (公示) as PDF bytes: finalists or winners, per track.

A pure function of `AnnouncementData`, no database, no web. A4 portrait through reportlab's
platypus, whose `LongTable` splits long tables across pages and repeats the header row.
Chinese is set in Noto Sans SC, a subset of which each PDF embeds (contest/kit/pdf_fonts.py).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from contest.kit import pdf_text  # noqa: F401  (Chinese line breaking for wordWrap="CJK")
from contest.kit.pdf_fonts import CJK

FINALIST_COLUMNS = ("序号", "项目名称", "所在单位", "项目负责人")
WINNER_COLUMNS = ("奖项", "项目名称", "所在单位", "项目负责人")
# The English version's (AnnouncementData.language "en").
FINALIST_COLUMNS_EN = ("No.", "Project", "Institution", "Project leader")
WINNER_COLUMNS_EN = ("Award", "Project", "Institution", "Project leader")

RED = HexColor("#9B1B1E")
INK = HexColor("#222222")
MUTED = HexColor("#666666")
RULE = HexColor("#B9B2A6")
HEADER_FILL = HexColor("#F1E6CC")
ZEBRA_FILL = HexColor("#FAF7F0")

PAGE_W, PAGE_H = A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 20 * mm, 20 * mm, 22 * mm
CELL_PADDING = 5.0


@dataclass(frozen=True, kw_only=True)
class AnnouncementSection:
    """One track's table. Rows hold display strings, one per column, already in order:
    a rank or tier ("1", "金奖") in the first column, then title, institution, leader."""

    track_name: str
    rows: Sequence[Sequence[str]]
    columns: Sequence[str] = FINALIST_COLUMNS
    note: str = ""  # e.g. "排名不分先后" under the track heading

    def __post_init__(self) -> None:
        for n, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise ValueError(f"rows[{n}]: {len(row)} cells for {len(self.columns)} columns")


@dataclass(frozen=True, kw_only=True)
class AnnouncementData:
    """A finalists list or a winners list; `closing` paragraphs carry the 公示期 and contacts."""

    contest_name: str
    heading: str  # 决赛入围名单公示, 获奖名单公示
    intro: str
    sections: Sequence[AnnouncementSection]
    published_on: date
    closing: Sequence[str] = field(default_factory=tuple)
    publisher: str = "大赛组委会"  # signed, with the date, under the closing paragraphs
    # "zh" (the official notice) or "en" (its English version): the words this module adds
    # (counts, dates, page numbers) follow it; the caller gives every other text.
    language: str = "zh"


def _style(name: str, size: float, **kw: Any) -> ParagraphStyle:
    # wordWrap="CJK" breaks between any two Chinese characters, as Chinese text expects;
    # contest/kit/pdf_text.py keeps closing punctuation off the start of a line.
    return ParagraphStyle(
        name, fontName=CJK, fontSize=size, leading=size * 1.5, wordWrap="CJK", **kw
    )


STYLES = {
    "contest": _style("contest", 13, alignment=TA_CENTER, textColor=MUTED),
    "heading": _style("heading", 20, alignment=TA_CENTER, textColor=RED, spaceBefore=4),
    "intro": _style("intro", 11, alignment=TA_JUSTIFY, firstLineIndent=22, spaceBefore=14),
    "track": _style("track", 13.5, textColor=RED, spaceBefore=16, spaceAfter=2),
    "note": _style("note", 9.5, textColor=MUTED, spaceAfter=4),
    "head": _style("head", 9.5, alignment=TA_CENTER),
    "cell": _style("cell", 9.5, textColor=INK),
    "closing": _style("closing", 11, alignment=TA_JUSTIFY, firstLineIndent=22, spaceBefore=4),
    "sign": _style("sign", 11, alignment=TA_RIGHT),
}


def _chinese_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _date(d: date, language: str) -> str:
    return f"{d:%d %B %Y}".lstrip("0") if language == "en" else _chinese_date(d)


def _count(n: int, language: str) -> str:
    if language == "en":
        return f" ({n} project{'s' if n != 1 else ''})"
    return f"（共{n}项）"


def _p(text: str, style: str) -> Paragraph:
    # Entry titles come from teams: escape them, or "<" or "&" would be read as markup.
    return Paragraph(escape(text), STYLES[style])


def _col_widths(columns: Sequence[str], rows: Sequence[Sequence[str]], width: float) -> list[float]:
    """Short columns (rank, leader) get their natural width; long ones share the rest.

    Max-min fair sharing: narrowest first, each column takes its natural width or an equal
    share of what is left, whichever is smaller. Space left over widens every column alike.
    """
    natural = [
        max(
            stringWidth(name, CJK, STYLES["head"].fontSize),
            *(stringWidth(row[i], CJK, STYLES["cell"].fontSize) for row in rows),
        )
        + 2 * CELL_PADDING
        + 1
        for i, name in enumerate(columns)
    ]
    widths, left = list(natural), width
    for n, i in enumerate(sorted(range(len(natural)), key=natural.__getitem__)):
        widths[i] = min(natural[i], left / (len(natural) - n))
        left -= widths[i]
    return [w + left / len(widths) for w in widths]


def _table(section: AnnouncementSection, widths: list[float]) -> LongTable:
    header = [_p(name, "head") for name in section.columns]
    # The rank or tier column is centred, like the header; the rest read from the left.
    body = [
        [_p(cell, "head" if i == 0 else "cell") for i, cell in enumerate(row)]
        for row in section.rows
    ]
    table = LongTable([header, *body], colWidths=widths, repeatRows=1, hAlign="CENTER")
    commands: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEABOVE", (0, 0), (-1, 0), 1, RED),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE),
        ("LINEBELOW", (0, -1), (-1, -1), 1, RED),
        ("INNERGRID", (0, 1), (-1, -1), 0.25, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]
    # Zebra stripes help the eye along 20-odd-character rows across a portrait page.
    commands += [("BACKGROUND", (0, r), (-1, r), ZEBRA_FILL) for r in range(2, len(body) + 1, 2)]
    table.setStyle(TableStyle(commands))
    return table


def _story(data: AnnouncementData) -> list[Flowable]:
    width = PAGE_W - 2 * MARGIN_X
    story: list[Flowable] = [
        _p(data.contest_name, "contest"),
        _p(data.heading, "heading"),
        _p(data.intro, "intro"),
    ]
    # Tables with the same columns share their widths, so the tracks line up on the page.
    shared: dict[tuple[str, ...], list[Sequence[str]]] = {}
    for section in data.sections:
        shared.setdefault(tuple(section.columns), []).extend(section.rows)
    for section in data.sections:
        widths = _col_widths(section.columns, shared[tuple(section.columns)], width)
        story.append(_p(section.track_name + _count(len(section.rows), data.language), "track"))
        if section.note:
            story.append(_p(section.note, "note"))
        story.append(_table(section, widths))
    story.append(Spacer(1, 10))
    story += [_p(text, "closing") for text in data.closing]
    story += [Spacer(1, 14), _p(data.publisher, "sign")]
    story.append(_p(_date(data.published_on, data.language), "sign"))
    return story


class _NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab ships no type hints
    """Holds pages back until the end, so each footer can say "of N pages"."""

    def __init__(
        self, *args: Any, footer: tuple[str, str], language: str = "zh", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.footer = footer  # (left, right) of the page number
        self.language = language
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(number, len(self._pages))
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, total: int) -> None:
        left, right = self.footer
        y = MARGIN_BOTTOM - 12 * mm
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN_X, y + 11, PAGE_W - MARGIN_X, y + 11)
        self.setFillColor(MUTED)
        self.setFont(CJK, 8.5)
        self.drawString(MARGIN_X, y, left)
        page = (
            f"Page {number} of {total}"
            if self.language == "en"
            else f"第 {number} 页 / 共 {total} 页"
        )
        self.drawCentredString(PAGE_W / 2, y, page)
        self.drawRightString(PAGE_W - MARGIN_X, y, right)


def render_announcement(data: AnnouncementData) -> bytes:
    """The announcement as an A4 portrait PDF: title, intro, a table per track, closing."""
    footer = (
        f"Published on {_date(data.published_on, 'en')}"
        if data.language == "en"
        else f"公示日期：{_chinese_date(data.published_on)}",
        data.heading,
    )
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{data.contest_name} {data.heading}",
        author=data.publisher,
        invariant=True,  # same data, same bytes: safe to cache and to compare in tests
    )
    canvas = partial(_NumberedCanvas, footer=footer, language=data.language)
    doc.build(_story(data), canvasmaker=canvas)
    return buf.getvalue()
