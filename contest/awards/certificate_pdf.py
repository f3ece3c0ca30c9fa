"""Award certificates as PDF bytes: pure functions of `CertificateData`, no database, no web.

One A4 landscape page per certificate, drawn straight onto a reportlab canvas. A fixed
layout on the canvas is several times faster than platypus and lets every line be
measured, so nothing can leave the border. Chinese text is set in Noto Sans SC, of which
each PDF embeds the glyphs it uses (contest/kit/pdf_fonts.py), so it prints the same on any
printer or phone. What stays the same from one certificate to the next (heading, contest,
organisers, tier, labels) is drawn in `CJK_FIXED`, whose embedded subset is then built once.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from itertools import islice, tee
from multiprocessing import get_context
from typing import Literal

import segno
from reportlab import rl_config
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.pathobject import PDFPathObject

from contest.kit.pdf_fonts import CJK, CJK_FIXED
from contest.kit.pdf_text import NO_LINE_END, NO_LINE_START

Tier = Literal["gold", "silver", "bronze", "excellence"]

PAGE_W, PAGE_H = landscape(A4)
SERIF = "Times-Roman"
SERIF_ITALIC = "Times-Italic"
SANS = "Helvetica"
# Measured by bench/certificates.py: with QR codes, compressing costs ~3% of render time
# and halves every PDF (4.7 kB instead of 9.8 kB), which matters for 1,000-file ZIPs.
PAGE_COMPRESSION = True


# ASCII85 only serves 7-bit mail transports, and reportlab's pure-Python encoder costs
# ~1.5 ms a page (40% of a certificate). Binary Flate streams are what every PDF uses.
rl_config.useA85 = 0

RED = HexColor("#9B1B1E")
GOLD = HexColor("#B58A2E")
GOLD_PALE = HexColor("#E9D9AE")
PAPER = HexColor("#FFFCF4")
BAND = HexColor("#F4E9CF")  # the strip between the red and the gold frames
INK = HexColor("#2A2420")
MUTED = HexColor("#6E5E4A")


@dataclass(frozen=True)
class TierStyle:
    zh: str
    en: str
    colour: Color


TIER_STYLES: dict[str, TierStyle] = {
    "gold": TierStyle("金奖", "Gold Award", HexColor("#A87A10")),
    "silver": TierStyle("银奖", "Silver Award", HexColor("#6B737C")),
    "bronze": TierStyle("铜奖", "Bronze Award", HexColor("#8F5428")),
    "excellence": TierStyle("优秀奖", "Excellence Award", RED),
}


@dataclass(frozen=True, kw_only=True)
class CertificateData:
    """Everything printed on one certificate; `custom_name` replaces the tier wording.

    The certificate is bilingual: the contest's English name (when it has one) is printed
    under its Chinese name, and a custom award name's English under it (a tier has its
    own English wording, 金奖 Gold Award)."""

    contest_name: str
    organisers: Sequence[str]
    tier: Tier
    track_name: str
    title: str
    leader: str
    members: Sequence[str]
    institution: str
    issued_on: date
    code: str
    verify_url: str
    custom_name: str | None = None
    contest_name_en: str = ""
    custom_name_en: str = ""

    def __post_init__(self) -> None:
        if self.tier not in TIER_STYLES:
            raise ValueError(f"tier: unknown tier {self.tier!r}")


# --- geometry -------------------------------------------------------------------------------

# The border: everything printed lies inside CONTENT (x0, y0, x1, y1), within the gold frame.
FRAME_OUTER, FRAME_INNER, FRAME_GOLD = 16.0, 22.0, 30.0
CONTENT = (FRAME_GOLD + 36, FRAME_GOLD + 16, PAGE_W - FRAME_GOLD - 36, PAGE_H - FRAME_GOLD - 16)
BODY_W = 600.0
BODY_TOP, BODY_BOTTOM = 408.0, 268.0
QR_SIZE = 84.0
QR_X, QR_Y = CONTENT[2] - QR_SIZE - 6, CONTENT[1] + 22


@cache
def _corner_ops() -> str:
    """Nested L-brackets (a simple 回纹 fret) at the four inner corners, as path operators.

    Formatted once: the 72 coordinates never change, and reportlab formats each number in
    pure Python on every page.
    """
    ops = []
    for cx, sx in ((FRAME_GOLD, 1), (PAGE_W - FRAME_GOLD, -1)):
        for cy, sy in ((FRAME_GOLD, 1), (PAGE_H - FRAME_GOLD, -1)):
            for inset, arm in ((6.0, 56.0), (11.0, 40.0), (16.0, 24.0)):
                ax, ay = cx + sx * arm, cy + sy * inset
                bx, by = cx + sx * inset, cy + sy * inset
                ex, ey = cx + sx * inset, cy + sy * arm
                ops.append(f"{ax:.2f} {ay:.2f} m {bx:.2f} {by:.2f} l {ex:.2f} {ey:.2f} l")
    return " ".join(ops)


def _draw_border(c: Canvas) -> None:
    c.setFillColor(BAND)
    c.rect(
        FRAME_OUTER,
        FRAME_OUTER,
        PAGE_W - 2 * FRAME_OUTER,
        PAGE_H - 2 * FRAME_OUTER,
        stroke=0,
        fill=1,
    )
    c.setFillColor(PAPER)
    c.rect(
        FRAME_GOLD, FRAME_GOLD, PAGE_W - 2 * FRAME_GOLD, PAGE_H - 2 * FRAME_GOLD, stroke=0, fill=1
    )
    c.setStrokeColor(RED)
    c.setLineWidth(4)
    c.rect(FRAME_OUTER, FRAME_OUTER, PAGE_W - 2 * FRAME_OUTER, PAGE_H - 2 * FRAME_OUTER)
    c.setLineWidth(0.8)
    c.rect(FRAME_INNER, FRAME_INNER, PAGE_W - 2 * FRAME_INNER, PAGE_H - 2 * FRAME_INNER)
    c.setStrokeColor(GOLD)
    c.setLineWidth(1.6)
    c.rect(FRAME_GOLD, FRAME_GOLD, PAGE_W - 2 * FRAME_GOLD, PAGE_H - 2 * FRAME_GOLD)
    c.setLineWidth(1.1)
    c.drawPath(PDFPathObject(code=[_corner_ops()]), stroke=1, fill=0)


def _draw_divider(c: Canvas, y: float) -> None:
    """A gold rule broken by a small red diamond, under the heading."""
    cx = PAGE_W / 2
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.8)
    c.line(cx - 150, y, cx - 10, y)
    c.line(cx + 10, y, cx + 150, y)
    c.setFillColor(RED)
    p = c.beginPath()
    p.moveTo(cx, y + 5)
    p.lineTo(cx + 5, y)
    p.lineTo(cx, y - 5)
    p.lineTo(cx - 5, y)
    p.close()
    c.drawPath(p, stroke=0, fill=1)


# --- text fitting ---------------------------------------------------------------------------

# Latin words and numbers wrap as units; every CJK character is its own break opportunity.
_TOKENS = re.compile(r"[0-9A-Za-z][0-9A-Za-z.,:;!?'’\-_/@&+%]*|\s+|.", re.S)
# Chinese typesetting rule (避头尾), as for paragraphs (contest/kit/pdf_text.py): closing
# punctuation never starts a line and opening punctuation never ends one; characters are
# pulled down to the next line until neither happens.
_NO_LINE_START = NO_LINE_START
_NO_LINE_END = NO_LINE_END


def _wrap(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    return _wrap_units(tuple(_TOKENS.findall(text)), font, size, width)


@lru_cache(maxsize=4096)
def _wrap_units(units: tuple[str, ...], font: str, size: float, width: float) -> tuple[str, ...]:
    """Greedy line breaking between units; cached because people and places repeat."""
    lines: list[str] = []
    line, line_w = "", 0.0
    for unit in units:
        # Widths add up exactly (no kerning), so each unit is measured once.
        unit_w = stringWidth(unit, font, size)
        if line_w + unit_w <= width or not line.strip():
            line, line_w = line + unit, line_w + unit_w
        elif unit.isspace():
            lines.append(line)
            line, line_w = "", 0.0
        else:
            keep = len(line)
            while keep > 1 and (
                (line[keep:] + unit)[0] in _NO_LINE_START or line[keep - 1] in _NO_LINE_END
            ):
                keep -= 1
            carry = line[keep:]
            lines.append(line[:keep].rstrip())
            line = carry + unit
            line_w = stringWidth(line, font, size)
        if line_w > width and len(line) > 1:  # one unit wider than a line: break it anywhere
            *full, line = _split_chars(line, font, size, width)
            lines.extend(full)
            line_w = stringWidth(line, font, size)
    lines.append(line.rstrip())
    return tuple(ln for ln in lines if ln)


def _balanced(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    """Wrapped into as few lines as `width` allows, but of even length: a title that needs
    two lines reads better as two halves than as a full line and a stub."""
    lines = _wrap(text, font, size, width)
    low, high = width * (len(lines) - 1) / len(lines), width
    while len(lines) > 1 and high - low > size / 2:
        middle = (low + high) / 2
        low, high = (
            (low, middle) if len(_wrap(text, font, size, middle)) == len(lines) else (middle, high)
        )
    return _wrap(text, font, size, high)


def _split_chars(text: str, font: str, size: float, width: float) -> list[str]:
    parts, part, part_w = [], "", 0.0
    for ch in text:
        ch_w = stringWidth(ch, font, size)
        if part and part_w + ch_w > width:
            parts.append(part)
            part, part_w = "", 0.0
        part, part_w = part + ch, part_w + ch_w
    return [*parts, part]


def _shrink_to_width(text: str, font: str, size: float, width: float) -> float:
    """The largest size up to `size` at which one line of text fits `width`."""
    return min(size, size * width / max(float(stringWidth(text, font, size)), 1e-6))


@dataclass(frozen=True)
class _Block:
    lines: tuple[str, ...]
    size: float
    colour: Color
    gap_before: float


def _body_blocks(d: CertificateData) -> list[_Block]:
    """Title and people, shrunk step by step until they fit the body box."""
    for step in range(8):
        title_size, text_size = 20 - 1.5 * step, 13.5 - 0.75 * step
        blocks = [
            _Block(_balanced(f"《{d.title}》", CJK, title_size, BODY_W), title_size, INK, 0),
            _Block(_people_lines(d, text_size), text_size, MUTED, title_size * 0.45),
        ]
        if _height(blocks) <= BODY_TOP - BODY_BOTTOM:
            return blocks
    return _truncate(blocks, BODY_TOP - BODY_BOTTOM)


def _people_lines(d: CertificateData, size: float) -> tuple[str, ...]:
    names = [m for m in d.members if m] or ["—"]
    # Names are units, so a line never breaks inside a person's name.
    members = ("团队成员：", *(f"{m}、" for m in names[:-1]), names[-1])
    return (
        *_wrap(f"项目负责人：{d.leader}　　参赛组别：{d.track_name}", CJK, size, BODY_W),
        *_wrap_units(members, CJK, size, BODY_W),
        *_wrap(f"所在单位：{d.institution}", CJK, size, BODY_W),
    )


def _height(blocks: Sequence[_Block]) -> float:
    return sum(b.gap_before + len(b.lines) * b.size * 1.45 for b in blocks)


def _truncate(blocks: list[_Block], height: float) -> list[_Block]:
    """Last resort for absurd input: drop trailing lines and mark the cut with an ellipsis."""
    while _height(blocks) > height and blocks:
        last = blocks.pop()
        if len(last.lines) > 1:
            lines = last.lines[:-2] + (last.lines[-2][:-1] + "…",)
            blocks.append(_Block(lines, last.size, last.colour, last.gap_before))
    return blocks


# --- drawing --------------------------------------------------------------------------------


def _chinese_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _draw_heading(c: Canvas, contest_name: str, contest_name_en: str = "") -> None:
    cx = PAGE_W / 2
    c.setFillColor(RED)
    c.setStrokeColor(RED)
    c.setLineWidth(0.7)  # fill + stroke (mode 2) gives the Song face a bolder, printed weight
    c.setFont(CJK_FIXED, 40)
    c.drawCentredString(cx, 497, "荣誉证书", mode=2, charSpace=14)
    c.setFillColor(GOLD)
    c.setFont(SERIF, 12.5)
    c.drawCentredString(cx, 473, "CERTIFICATE OF AWARD", charSpace=4.5)
    _draw_divider(c, 460)
    size = _shrink_to_width(contest_name, CJK, 18, CONTENT[2] - CONTENT[0] - 40)
    c.setFillColor(INK)
    c.setFont(CJK_FIXED, size)
    c.drawCentredString(cx, 434 - size / 2, contest_name)
    if contest_name_en:  # between the Chinese name and the body box (which starts at 408)
        width = CONTENT[2] - CONTENT[0] - 40
        en_size = _shrink_to_width(contest_name_en, SERIF_ITALIC, 10.5, width)
        c.setFillColor(MUTED)
        c.setFont(SERIF_ITALIC, en_size)
        c.drawCentredString(cx, 434 - size / 2 - 13, contest_name_en)


def _draw_body(c: Canvas, d: CertificateData) -> None:
    blocks = _body_blocks(d)
    # Centre the block vertically in the body box so short entries do not look top-heavy.
    y = BODY_TOP - (BODY_TOP - BODY_BOTTOM - _height(blocks)) / 2
    for block in blocks:
        y -= block.gap_before
        c.setFillColor(block.colour)
        c.setFont(CJK, block.size)
        for line in block.lines:
            y -= block.size * 1.45
            c.drawCentredString(PAGE_W / 2, y + block.size * 0.35, line)


def _draw_tier(c: Canvas, d: CertificateData) -> None:
    style = TIER_STYLES[d.tier]
    cx = PAGE_W / 2
    c.setFillColor(MUTED)
    c.setFont(CJK_FIXED, 12)
    c.drawCentredString(cx, 250, "荣  获")
    name = d.custom_name or style.zh
    size = _shrink_to_width(name, CJK, 42, 420)
    c.setFillColor(style.colour)
    c.setStrokeColor(style.colour)
    c.setLineWidth(0.9)
    c.setFont(CJK_FIXED, size)
    if d.custom_name and not d.custom_name_en:  # no English wording given: centre it alone
        c.drawCentredString(cx, 200, name, mode=2, charSpace=size * 0.2)
        return
    english = d.custom_name_en if d.custom_name else style.en
    c.drawCentredString(cx, 208, name, mode=2, charSpace=size * 0.25)
    c.setFont(SERIF_ITALIC, _shrink_to_width(english, SERIF_ITALIC, 17, 420))
    c.drawCentredString(cx, 184, english)


def _draw_footer(c: Canvas, d: CertificateData) -> None:
    x0, y0 = CONTENT[0], CONTENT[1] + 8
    c.setFillColor(RED)
    c.setFont(CJK_FIXED, 11)
    names = [n for n in d.organisers if n][:6]
    top = y0 + 16 * len(names) + 6
    c.drawString(x0, top, "主办单位 Organisers")
    c.setFillColor(INK)
    for i, name in enumerate(names):
        size = _shrink_to_width(name, CJK, 11, 300)
        c.setFont(CJK_FIXED, size)
        c.drawString(x0, top - 18 - 16 * i, name)
    right = QR_X - 22
    c.setFont(CJK_FIXED, 12.5)
    c.drawRightString(right, y0 + 70, "大赛组委会")
    c.drawRightString(right, y0 + 50, _chinese_date(d.issued_on))
    c.setFillColor(MUTED)
    c.setFont(SANS, 8.5)
    c.drawRightString(right, y0 + 37, d.issued_on.isoformat())
    c.setFont(CJK_FIXED, 9.5)
    code_w = _shrink_to_width(d.code, SANS, 9, 200)
    c.drawRightString(right - stringWidth(d.code, SANS, code_w) - 3, y0 + 14, "证书编号")
    c.setFont(SANS, code_w)
    c.drawRightString(right, y0 + 14, d.code)


_DARK_RUN = re.compile(rb"\x01+")


def _qr_path(url: str) -> tuple[int, PDFPathObject]:
    """The QR code of `url` as one path of dark runs in module units, row 0 on top."""
    # Fixed level M and mask 0 skip segno's mask search (~5x faster); the version is the
    # smallest that holds the URL, so modules stay as large as the printed square allows.
    matrix = segno.make(url, error="m", mask=0, micro=False, boost_error=False).matrix
    # Integers formatted here: reportlab's pure-Python fp_str costs ~6 us a number.
    runs = [
        f"{run.start()} {y} {run.end() - run.start()} 1 re"
        for y, row in enumerate(matrix)
        for run in _DARK_RUN.finditer(row)
    ]
    return len(matrix), PDFPathObject(code=runs)


def _draw_qr(c: Canvas, url: str) -> None:
    """The verify URL as a QR code (one filled path) on a white square, with its caption."""
    n, path = _qr_path(url)
    module = QR_SIZE / (n + 8)  # 4-module quiet zone on every side, as the standard asks
    c.setFillColor(white)
    c.setStrokeColor(GOLD_PALE)
    c.setLineWidth(0.8)
    c.rect(QR_X, QR_Y, QR_SIZE, QR_SIZE, stroke=1, fill=1)
    c.saveState()
    c.transform(module, 0, 0, -module, QR_X + 4 * module, QR_Y + QR_SIZE - 4 * module)
    c.setFillColor(INK)
    c.drawPath(path, stroke=0, fill=1)
    c.restoreState()
    c.setFillColor(MUTED)
    c.setFont(CJK_FIXED, 8.5)
    c.drawCentredString(QR_X + QR_SIZE / 2, QR_Y - 10, "扫码验证")
    c.setFont(SANS, 6.5)
    c.drawCentredString(QR_X + QR_SIZE / 2, QR_Y - 18, "Scan to verify")


def _draw_page(c: Canvas, d: CertificateData, *, qr: bool) -> None:
    _draw_border(c)
    _draw_heading(c, d.contest_name, d.contest_name_en)
    _draw_body(c, d)
    _draw_tier(c, d)
    _draw_footer(c, d)
    if qr:
        _draw_qr(c, d.verify_url)
    c.showPage()


def _render(
    datas: Iterable[CertificateData], *, qr: bool = True, compress: bool = PAGE_COMPRESSION
) -> bytes:
    """All certificates as pages of one PDF; `qr=False` exists only to benchmark the ceiling."""
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(PAGE_W, PAGE_H), pageCompression=compress, invariant=True)
    c.setTitle("荣誉证书 Certificate of Award")
    for d in datas:
        _draw_page(c, d, qr=qr)
    c.save()
    return buf.getvalue()


# --- public API -----------------------------------------------------------------------------


def render_certificate(data: CertificateData) -> bytes:
    """One certificate as a one-page A4 landscape PDF."""
    return _render((data,))


def render_certificates_pdf(datas: Iterable[CertificateData]) -> bytes:
    """All certificates in one printable PDF, one page each, in the given order."""
    return _render(datas)


def render_many(
    datas: Iterable[CertificateData], *, workers: int = 2, chunk_size: int = 25
) -> Iterator[bytes]:
    """Yield one PDF per certificate, in order; `workers > 1` renders in a process pool.

    At most `2 * workers` chunks are in flight, so memory stays bounded however long the
    input is, and a consumer that stops early stops the work.
    """
    return _render_many(datas, workers=workers, chunk_size=chunk_size)


def _render_chunk(chunk: Sequence[CertificateData], qr: bool, compress: bool) -> list[bytes]:
    return [_render((d,), qr=qr, compress=compress) for d in chunk]


def _chunks(datas: Iterable[CertificateData], size: int) -> Iterator[list[CertificateData]]:
    it = iter(datas)
    while chunk := list(islice(it, size)):
        yield chunk


@cache
def _pool(workers: int) -> ProcessPoolExecutor:
    """One long-lived pool per process, started lazily: start-up is paid once, not per batch."""
    # forkserver, not fork: the web server is multi-threaded, and forking a threaded process
    # can copy a held lock into the child. Preloading this module keeps each fork cheap.
    ctx = get_context("forkserver")
    ctx.set_forkserver_preload([__name__])
    return ProcessPoolExecutor(workers, mp_context=ctx)


def _render_many(
    datas: Iterable[CertificateData],
    *,
    workers: int,
    chunk_size: int = 25,
    qr: bool = True,
    compress: bool = PAGE_COMPRESSION,
) -> Iterator[bytes]:
    if workers <= 1:
        for chunk in _chunks(datas, chunk_size):
            yield from _render_chunk(chunk, qr, compress)
        return
    pool = _pool(workers)
    pending: deque[Future[list[bytes]]] = deque()
    try:
        for chunk in _chunks(datas, chunk_size):
            pending.append(pool.submit(_render_chunk, chunk, qr, compress))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    except BrokenProcessPool:
        _pool.cache_clear()  # a killed worker breaks the pool for good: the next call starts anew
        raise
    finally:
        for future in pending:
            future.cancel()


def certificate_filename(data: CertificateData) -> str:
    """The default ZIP member name; codes are unguessable tokens, so they are unique."""
    return f"certificate-{data.code}.pdf"


class _Sink:
    """A write-only stream: zipfile sees no tell()/seek() and writes data descriptors."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        out, self.parts = b"".join(self.parts), []
        return out


def iter_certificates_zip(
    datas: Iterable[CertificateData],
    filename_for: Callable[[CertificateData], str] = certificate_filename,
    *,
    workers: int = 1,
    chunk_size: int = 25,
) -> Iterator[bytes]:
    """Yield a ZIP of one PDF per certificate, chunk by chunk, for a streaming response.

    Nothing is buffered beyond the PDF being added: a web route passes this iterator to
    `StreamingResponse`, and the first bytes leave before the last certificate is drawn.
    """
    sink = _Sink()
    # PDFs are already deflated (PAGE_COMPRESSION), so ZIP_STORED saves CPU for nothing lost.
    method = zipfile.ZIP_STORED if PAGE_COMPRESSION else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(sink, "w", compression=method) as zf:
        # tee holds only the few items render_many has read ahead of the names.
        for_names, for_pdfs = tee(datas)
        pdfs = render_many(for_pdfs, workers=workers, chunk_size=chunk_size)
        for d, pdf in zip(for_names, pdfs, strict=True):
            info = zipfile.ZipInfo(filename_for(d), d.issued_on.timetuple()[:6])
            info.compress_type = method
            info.external_attr = 0o644 << 16  # rw-r--r-- when unzipped, not mode 000
            zf.writestr(info, pdf)
            yield sink.take()
    yield sink.take()
