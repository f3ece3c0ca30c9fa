"""Chinese line breaking in PDFs (contest/kit/pdf_text.py): no line of a 公示 PDF or a
certificate starts with closing punctuation, and none ends with opening punctuation,
however the text falls."""

import io
from datetime import date

import pypdf
from reportlab.pdfbase.pdfmetrics import stringWidth

from contest.awards import certificate_pdf
from contest.awards.announcement_pdf import (
    AnnouncementData,
    AnnouncementSection,
    render_announcement,
)
from contest.kit.pdf_fonts import CJK
from contest.kit.pdf_text import NO_LINE_END, NO_LINE_START, line_spans

# Closing marks a reader would notice at the start of a line (the "，" first).
CLOSING = "，。、；：？！）》」』”"
TEXT = (
    "经大赛组委会组织专家评审，现将2023年第二届“天骄湾杯”生命健康创新创业大赛决赛入围项目"
    "予以公示，公示期为5个工作日（2023年10月24日至10月30日）。如有异议，请于公示期内以书面"
    "形式向大赛组委会提出，并提供必要的证明材料；逾期不予受理。联系人：王老师，电话："
    "021-12345678，邮箱：contest@example.com。涉及AI、mRNA、CAR-T等技术方向的项目（含《医疗器械"
    "注册证》、「临床批件」），请注意：材料须真实、完整、有效！是否属实？以组委会核查为准。"
)


def pdf_lines(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [
        line.strip()
        for page in reader.pages
        for line in page.extract_text(extraction_mode="layout").splitlines()
        if line.strip()
    ]


def test_announcement_lines_never_start_with_closing_punctuation() -> None:
    # The same text shifted one character at a time puts every mark at some line's edge.
    # (No paragraph starts with a closing mark itself: that would be the text, not a break.)
    intros = [TEXT[n:] + TEXT[:n] for n in range(0, 40) if TEXT[n] not in NO_LINE_START]
    data = AnnouncementData(
        contest_name="2023年第二届“天骄湾杯”生命健康创新创业大赛",
        heading="决赛入围名单公示",
        intro=TEXT,
        sections=[
            AnnouncementSection(
                track_name="创业组",
                rows=[
                    (str(n), f"基于深度学习的早期筛查系统（{n}期），以及配套的远程诊疗平台、"
                     "数据中台与科研协作网络", "复旦大学附属中山医院（上海）", "张三")
                    for n in range(1, 6)
                ],
            )
        ],
        published_on=date(2023, 10, 24),
        closing=intros,
    )  # fmt: skip

    lines = pdf_lines(render_announcement(data))

    assert len(lines) > 200  # the text did wrap, many times
    starts = [line for line in lines if line[0] in CLOSING]
    assert starts == []


def test_line_spans_keep_closing_marks_off_line_starts_and_opening_marks_off_ends() -> None:
    widths = [stringWidth(ch, CJK, 10) for ch in TEXT]
    for width in range(60, 400, 7):
        spans = line_spans(TEXT, widths, [float(width)])
        assert "".join(TEXT[a:b] for a, b, _w, _h in spans) == TEXT
        for start, end, used, _hard in spans:
            assert used <= width + 0.01 or end - start == 1
        for start, end, _w, _h in spans[1:]:
            assert TEXT[start] not in NO_LINE_START, (width, TEXT[start:end])
        for start, end, _w, _h in spans[:-1]:
            assert TEXT[end - 1] not in NO_LINE_END, (width, TEXT[start:end])


def test_certificate_lines_never_start_with_closing_punctuation() -> None:
    for width in range(120, 600, 11):
        for line in certificate_pdf._wrap(TEXT, CJK, 13, float(width))[1:]:
            assert line[0] not in CLOSING, (width, line)
