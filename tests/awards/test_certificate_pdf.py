"""Certificates: what a reader and a phone camera get back out of the PDF bytes."""

import io
import re
import zipfile
from datetime import date
from typing import Any

import pypdf
import pypdfium2
import pytest
import zxingcpp
from reportlab.pdfbase.pdfmetrics import stringWidth

from contest.awards.certificate_pdf import (
    FRAME_GOLD,
    PAGE_H,
    PAGE_W,
    CertificateData,
    iter_certificates_zip,
    render_certificate,
    render_certificates_pdf,
    render_many,
)
from contest.kit.pdf_fonts import CJK
from tests.pdf_fonts import fonts_of

CONTEST = '2023年第二届"天骄湾杯"生命健康创新创业大赛'
# 60 characters, the longest title the entry form accepts.
LONG_TITLE = (
    "面向基层医疗机构的多模态人工智能辅助诊断系统：融合医学影像、"
    "电子病历与可穿戴设备数据的慢病早筛与全周期健康管理平台的研发"
)


def make_certificate(**overrides: object) -> CertificateData:
    fields: dict[str, object] = {
        "contest_name": CONTEST,
        "organisers": ["上海市普陀区科学技术委员会", "上海某大学科技园", "某医学院"],
        "tier": "gold",
        "track_name": "创业组",
        "title": "基于单细胞测序的肿瘤早筛液体活检平台",
        "leader": "张明远",
        "members": ["李晓华", "王子豪"],
        "institution": "复旦大学附属中山医院",
        "issued_on": date(2023, 11, 23),
        "code": "TJW23-7K9Q-M4XP-2RDV",
        "verify_url": "https://tianjiao.example.org/verify/TJW23-7K9Q-M4XP-2RDV",
    }
    return CertificateData(**{**fields, **overrides})  # type: ignore[arg-type]


def page_text(pdf: bytes, page: int = 0) -> str:
    return pypdf.PdfReader(io.BytesIO(pdf)).pages[page].extract_text()


def text_runs(pdf: bytes) -> list[tuple[str, float, float, float, float]]:
    """(text, left, bottom, right, top) of every text run on page 1, in PDF points."""
    runs = []

    def visit(
        text: str, cm: list[float], tm: list[float], font_dict: Any, font_size: float
    ) -> None:
        text = text.rstrip("\n")
        if text.strip():
            x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
            font = font_dict["/BaseFont"].lstrip("/")
            font = CJK if font.endswith("+NotoSansSC-Regular") else font  # an embedded subset
            width = stringWidth(text, font, font_size)
            runs.append((text, x, y - 0.25 * font_size, x + width, y + font_size))

    pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return runs


def runs_outside_border(runs: list[tuple[str, float, float, float, float]]) -> list[str]:
    """The texts whose box crosses the inner (gold) frame of the border."""
    inside_x = (FRAME_GOLD, PAGE_W - FRAME_GOLD)
    inside_y = (FRAME_GOLD, PAGE_H - FRAME_GOLD)
    return [
        text
        for text, left, bottom, right, top in runs
        if left < inside_x[0] or right > inside_x[1] or bottom < inside_y[0] or top > inside_y[1]
    ]


def test_certificate_text_names_contest_tier_title_and_code() -> None:
    pdf = render_certificate(make_certificate())

    text = page_text(pdf)

    # The embedded subset carries a ToUnicode map, which pypdf decodes exactly.
    for expected in (
        "荣誉证书",
        "CERTIFICATE OF AWARD",
        CONTEST,
        "金奖",
        "Gold Award",
        "《基于单细胞测序的肿瘤早筛液体活检平台》",
        "项目负责人：张明远",
        "团队成员：李晓华、王子豪",
        "所在单位：复旦大学附属中山医院",
        "参赛组别：创业组",
        "上海市普陀区科学技术委员会",
        "2023年11月23日",
        "2023-11-23",
        "TJW23-7K9Q-M4XP-2RDV",
        "扫码验证",
        "Scan to verify",
    ):
        assert expected in text


@pytest.mark.parametrize(
    ("tier", "zh", "en"),
    [
        ("gold", "金奖", "Gold Award"),
        ("silver", "银奖", "Silver Award"),
        ("bronze", "铜奖", "Bronze Award"),
        ("excellence", "优秀奖", "Excellence Award"),
    ],
)
def test_certificate_tier_wording_in_chinese_and_english(tier: str, zh: str, en: str) -> None:
    pdf = render_certificate(make_certificate(tier=tier))

    lines = page_text(pdf).splitlines()

    assert zh in lines
    assert en in lines


def test_certificate_custom_name_replaces_tier_wording() -> None:
    pdf = render_certificate(make_certificate(tier="excellence", custom_name="最佳人气奖"))

    lines = page_text(pdf).splitlines()

    assert "最佳人气奖" in lines
    assert "优秀奖" not in lines
    assert "Excellence Award" not in lines


def test_certificate_unknown_tier_is_refused() -> None:
    with pytest.raises(ValueError, match="tier"):
        make_certificate(tier="platinum")


def test_certificate_is_one_a4_landscape_page() -> None:
    pdf = render_certificate(make_certificate())

    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages

    assert len(pages) == 1
    assert (round(pages[0].mediabox.width), round(pages[0].mediabox.height)) == (842, 595)


def test_certificate_qr_code_decodes_to_verify_url() -> None:
    data = make_certificate()
    page = pypdfium2.PdfDocument(render_certificate(data))[0]
    image = page.render(scale=2).to_pil()

    barcodes = zxingcpp.read_barcodes(image)

    assert [(b.format, b.text) for b in barcodes] == [
        (zxingcpp.BarcodeFormat.QRCode, data.verify_url)
    ]


def test_certificate_long_qr_url_still_decodes() -> None:
    url = "https://contests.example.edu.cn/tianjiao/2023/verify/" + "Z7" * 40
    page = pypdfium2.PdfDocument(render_certificate(make_certificate(verify_url=url)))[0]

    barcodes = zxingcpp.read_barcodes(page.render(scale=2).to_pil())

    assert [b.text for b in barcodes] == [url]


def test_certificate_long_title_and_twelve_members_stay_inside_border() -> None:
    members = [f"欧阳{n:02d}号成员" for n in range(12)]
    data = make_certificate(
        title=LONG_TITLE,
        members=members,
        institution="上海交通大学医学院附属瑞金医院转化医学国家重大科技基础设施（上海）",
    )

    assert len(LONG_TITLE) == 60

    pdf = render_certificate(data)

    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1
    flat = re.sub(r"\s", "", page_text(pdf))  # wrapped lines come back with line breaks
    assert f"《{LONG_TITLE}》" in flat
    assert "、".join(members) in flat
    runs = text_runs(pdf)
    assert len(runs) >= 20
    assert runs_outside_border(runs) == []


def test_certificate_absurdly_long_text_is_cut_not_overflowing() -> None:
    data = make_certificate(title=LONG_TITLE * 5, members=[f"成员{n}" for n in range(200)])

    pdf = render_certificate(data)

    runs = text_runs(pdf)
    assert "…" in "".join(text for text, *_ in runs)
    assert runs_outside_border(runs) == []


def test_certificates_pdf_has_one_page_per_certificate_in_order() -> None:
    datas = [make_certificate(code=f"CODE-{n}", title=f"项目{n}") for n in range(3)]

    pdf = render_certificates_pdf(datas)

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    assert [("CODE-0" in p.extract_text(), "CODE-2" in p.extract_text()) for p in reader.pages] == [
        (True, False),
        (False, False),
        (False, True),
    ]


def test_certificates_zip_holds_one_named_pdf_per_certificate() -> None:
    datas = [make_certificate(code=f"CODE-{n}", title=f"项目{n}") for n in range(3)]

    archive = zipfile.ZipFile(io.BytesIO(b"".join(iter_certificates_zip(datas))))

    assert archive.namelist() == [
        "certificate-CODE-0.pdf",
        "certificate-CODE-1.pdf",
        "certificate-CODE-2.pdf",
    ]
    for n, name in enumerate(archive.namelist()):
        reader = pypdf.PdfReader(io.BytesIO(archive.read(name)))
        assert len(reader.pages) == 1
        assert f"CODE-{n}" in reader.pages[0].extract_text()


def test_certificates_zip_keeps_utf8_file_names() -> None:
    datas = [make_certificate(code="CODE-1", leader="张明远")]

    chunks = list(iter_certificates_zip(datas, lambda d: f"{d.leader}-{d.code}.pdf"))

    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.namelist() == ["张明远-CODE-1.pdf"]
    assert archive.testzip() is None


def test_certificates_zip_streams_one_chunk_per_certificate() -> None:
    datas = [make_certificate(code=f"CODE-{n}") for n in range(4)]

    chunks = list(iter_certificates_zip(iter(datas)))

    # A chunk per certificate plus the central directory: nothing waits for the whole set.
    assert len(chunks) == 5
    assert chunks[0].startswith(b"PK\x03\x04")


def test_render_many_in_two_processes_matches_one_process() -> None:
    datas = [make_certificate(code=f"CODE-{n}") for n in range(7)]

    pooled = list(render_many(datas, workers=2, chunk_size=2))

    assert pooled == [render_certificate(d) for d in datas]  # invariant PDFs: byte-identical


def test_certificate_embeds_the_subset_of_its_chinese_font() -> None:
    pdf = render_certificate(make_certificate(leader="欧阳喆", members=["堃", "昇"]))

    fonts = fonts_of(pdf)

    chinese = [f for f in fonts if f.name.endswith("+NotoSansSC-Regular")]
    # Two subsets: the text every certificate shares, and this one's title and people.
    assert len(chinese) == 2
    assert {(f.kind, f.embedded, f.subset, f.unicode) for f in chinese} == {
        ("TrueType", "yes", "yes", "yes")}
    # The Latin lines use the standard 14 fonts, which every PDF reader must supply.
    standard = {"Helvetica", "Times-Roman", "Times-Italic"}
    assert {f.name for f in fonts if f.embedded == "no"} <= standard
    assert "欧阳喆" in page_text(pdf)
