"""Demo business plans: valid PDFs that pass the upload checks and store like uploads."""

import io

from pypdf import PdfReader
from sqlalchemy import select
from sqlmodel import Session

from contest.core.enums import DocumentKind
from contest.core.settings import Settings
from contest.demo.documents import PlanFacts, business_plan_pdf, facts_for
from contest.entries.documents import store_document
from contest.models import AuditRecord, Document
from tests import factories
from tests.factories import World

FACTS = PlanFacts(
    title="智能可穿戴心电监测系统",
    summary="面向基层医疗机构的低成本心电监测方案。",
    track_name="创业组",
    field="医疗器械",
    institution="复旦大学",
    city="上海",
    leader_name="王小明",
    members=("李雷", "韩梅梅"),
    company_name="上海心联医疗科技有限公司",
    contest_name="2023年第二届“天骄湾杯”生命健康创新创业大赛",
)


def test_business_plan_is_a_readable_pdf_with_the_entrys_facts() -> None:
    data = business_plan_pdf(FACTS)

    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    assert data.startswith(b"%PDF-")
    assert len(reader.pages) == 2
    assert reader.metadata.title == "智能可穿戴心电监测系统 商业计划书"
    for fact in (
        "面向基层医疗机构的低成本心电监测方案",
        "李雷、韩梅梅",
        "上海心联医疗科技有限公司",
    ):
        assert fact in text
    assert len(data) < 20_000


def test_business_plan_is_the_same_for_the_same_facts() -> None:
    assert business_plan_pdf(FACTS) == business_plan_pdf(FACTS)


def test_business_plan_escapes_markup_in_titles() -> None:
    data = business_plan_pdf(PlanFacts(title="A <b>&</b> B", summary="x < y"))

    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "A <b>&</b> B" in text


def test_store_document_keeps_a_demo_plan_like_an_upload(
    db: Session, world: World, settings: Settings
) -> None:
    entry = factories.entry(
        db,
        world.contest,
        world.startup,
        title="心电贴片",
        company_name="某公司",
        credit_code="91310000MA1FL4B24G",
    )
    facts = facts_for(
        entry, members=["李雷"], track_name="创业组", contest_name=world.contest.name, year=2023
    )
    data = business_plan_pdf(facts)

    document = store_document(
        db,
        actor=world.organiser,
        entry=entry,
        kind="business_plan",
        filename="心电贴片-商业计划书.pdf",
        chunks=[data[:1000], data[1000:]],
        settings=settings,
    )
    db.commit()

    stored = db.scalars(select(Document)).one()
    assert (stored.id, stored.kind, stored.size) == (
        document.id,
        DocumentKind.business_plan,
        len(data),
    )
    assert (settings.uploads_dir / stored.stored_name).read_bytes() == data
    assert db.scalars(select(AuditRecord.action)).all() == ["document.upload"]
