"""Small, realistic business plans for the demo data, so that judges have something to read.

`business_plan_pdf` turns an entry's facts into a short A4 PDF (a cover, then the
six sections a Chinese contest's 商业计划书 usually has), in Chinese, with
reportlab's built-in STSong-Light font (no font file needed). Pure: facts in,
bytes out; the same facts give the same document.
"""

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from contest.kit import pdf_text  # noqa: F401  (Chinese line breaking for wordWrap="CJK")
from contest.models import Entry

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

BRAND = colors.HexColor("#0f5c63")
INK = colors.HexColor("#18232b")
MUTED = colors.HexColor("#6b7a86")


@dataclass(frozen=True)
class PlanFacts:
    """What a business plan says about its entry."""

    title: str
    summary: str
    track_name: str = ""
    field: str = ""
    institution: str = ""
    city: str = ""
    leader_name: str = ""
    members: Sequence[str] = ()
    company_name: str = ""
    contest_name: str = ""
    year: int = 2023


def _style(name: str, size: float, leading: float, **extra: object) -> ParagraphStyle:
    values: dict[str, object] = {"textColor": INK, "wordWrap": "CJK", **extra}
    return ParagraphStyle(name, fontName=FONT, fontSize=size, leading=leading, **values)


STYLES = {
    "kicker": _style("kicker", 11, 16, textColor=MUTED, alignment=TA_CENTER),
    "title": _style("title", 24, 32, textColor=BRAND, alignment=TA_CENTER, spaceAfter=6 * mm),
    "subtitle": _style("subtitle", 16, 22, alignment=TA_CENTER),
    "cover": _style("cover", 12, 20, alignment=TA_CENTER),
    "h1": _style("h1", 15, 22, textColor=BRAND, spaceBefore=5 * mm, spaceAfter=2 * mm),
    "body": _style("body", 10.5, 17, firstLineIndent=21, spaceAfter=2 * mm),
    "cell": _style("cell", 9.5, 14),
}

# Field-specific sentences, so that plans of different fields read differently.
FIELD_TEXT = {
    "创新药": ("靶点验证与候选化合物优化", "临床前药效与安全性评价", "候选药物授权许可与合作开发"),
    "医疗器械": ("核心传感与算法模块", "型式检验与注册检验", "医院直销与经销商渠道"),
    "体外诊断": ("检测试剂与配套仪器", "多中心临床性能评价", "第三方检测机构与医院检验科"),
    "数字健康": ("数据平台与人工智能模型", "真实世界数据验证", "医院、保险与健康管理机构订阅"),
}
DEFAULT_TEXT = ("核心技术平台", "小规模验证与迭代", "与产业伙伴合作推广")


def _paragraphs(text: str, style: str = "body") -> list[Paragraph]:
    return [Paragraph(_escape(part), STYLES[style]) for part in text.split("\n") if part.strip()]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _seed(facts: PlanFacts) -> int:
    return int(hashlib.sha256(facts.title.encode()).hexdigest()[:8], 16)


def _cover(facts: PlanFacts) -> list[object]:
    team = "、".join([facts.leader_name, *facts.members][:6])
    lines = [
        Spacer(1, 35 * mm),
        Paragraph(_escape(facts.contest_name or "创新创业大赛"), STYLES["kicker"]),
        Spacer(1, 8 * mm),
        Paragraph(_escape(facts.title), STYLES["title"]),
        Paragraph("商业计划书", STYLES["subtitle"]),
        Spacer(1, 30 * mm),
        HRFlowable(width="60%", color=BRAND, thickness=1),
        Spacer(1, 8 * mm),
    ]
    for label, value in (
        ("参赛组别", facts.track_name),
        ("所属领域", facts.field),
        ("依托单位", facts.institution),
        ("所在城市", facts.city),
        ("申报企业", facts.company_name),
        ("项目团队", team),
    ):
        if value:
            lines.append(Paragraph(f"{label}：{_escape(value)}", STYLES["cover"]))
    lines += [Spacer(1, 20 * mm), Paragraph(f"{facts.year}年", STYLES["cover"]), PageBreak()]
    return lines


def _milestones(facts: PlanFacts, stage: tuple[str, str, str]) -> Table:
    year = facts.year
    rows = [
        ["时间", "里程碑", "所需资源"],
        [f"{year}年下半年", f"完成{stage[0]}开发", "研发团队扩充至 8 人"],
        [f"{year + 1}年", f"开展{stage[1]}", "种子轮融资到位"],
        [f"{year + 2}年", f"启动{stage[2]}", "建立销售与市场团队"],
    ]
    table = Table(
        [[Paragraph(_escape(cell), STYLES["cell"]) for cell in row] for row in rows],
        colWidths=[32 * mm, 78 * mm, 50 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e3f0f0")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#c5ced6")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _sections(facts: PlanFacts) -> list[object]:
    stage = FIELD_TEXT.get(facts.field, DEFAULT_TEXT)
    seed = _seed(facts)
    market = 20 + seed % 180
    growth = 12 + seed % 15
    amount = 300 + (seed % 17) * 100
    team = "、".join(facts.members) or "多名硕士、博士研究生"
    where = facts.institution or "依托单位"
    story = [
        ("一、项目概述", facts.summary),
        (
            "二、技术与创新",
            f"项目以{stage[0]}为核心，已形成自主知识产权，申请发明专利 {2 + seed % 5} 项。"
            f"\n与现有方案相比，本项目在准确性、成本和易用性上均有明显优势，"
            f"关键指标已在{where}完成初步验证。",
        ),
        (
            "三、市场与商业模式",
            f"目标市场规模约 {market} 亿元，近五年年均增长率约 {growth}%。"
            f"\n商业模式以{stage[2]}为主，首年以标杆客户示范为重点，逐步扩大覆盖。",
        ),
        (
            "四、团队介绍",
            f"项目负责人{facts.leader_name or '（负责人）'}长期从事相关领域研究与转化，"
            f"核心成员包括{team}，覆盖研发、临床、注册与市场等方向。",
        ),
        ("五、进展与计划", f"目前已完成原理验证，正在推进{stage[1]}。主要里程碑如下："),
    ]
    flow: list[object] = []
    for heading, text in story:
        flow.append(Paragraph(heading, STYLES["h1"]))
        flow.extend(_paragraphs(text))
    flow += [Spacer(1, 2 * mm), _milestones(facts, stage)]
    flow.append(Paragraph("六、融资需求", STYLES["h1"]))
    flow.extend(
        _paragraphs(
            f"本轮计划融资 {amount} 万元，出让股权 10% 至 15%，资金主要用于产品研发（50%）、"
            f"{stage[1]}（30%）和团队建设（20%）。"
        )
    )
    return flow


def _footer(canvas: Canvas, document: object) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 8)
    canvas.setFillColor(MUTED)
    page = canvas.getPageNumber()
    canvas.drawCentredString(A4[0] / 2, 12 * mm, f"— {page} —")
    canvas.restoreState()


def facts_for(
    entry: Entry, *, members: Sequence[str], track_name: str, contest_name: str, year: int
) -> PlanFacts:
    """The facts of a stored entry, for business_plan_pdf."""
    return PlanFacts(
        title=entry.title,
        summary=entry.summary,
        track_name=track_name,
        field=entry.field,
        institution=entry.institution,
        city=entry.city,
        leader_name=entry.leader_name,
        members=tuple(members),
        company_name=entry.company_name,
        contest_name=contest_name,
        year=year,
    )


def business_plan_pdf(facts: PlanFacts) -> bytes:
    """The plan as PDF bytes: a cover page and six sections."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=20 * mm,
        bottomMargin=22 * mm,
        title=f"{facts.title} 商业计划书",
        author=facts.leader_name,
        invariant=True,
    )
    document.build([*_cover(facts), *_sections(facts)], onLaterPages=_footer)
    return buffer.getvalue()
